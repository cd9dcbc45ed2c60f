import Foundation

/// McNemar's test on paired binary outcomes (the same cases scored for two backends).
public enum McNemar {
    /// The two-sided exact p-value from the discordant counts `b` and `c`: 2·P(X ≤ min(b, c)) for
    /// X ~ Binomial(b + c, ½), capped at 1; 1 when there is no discordant pair.
    ///
    /// Exact rather than the χ² approximation because discordant counts are often small (a handful of
    /// flips), where the approximation is poor. Summed in log space so b + c in the thousands cannot overflow.
    public static func exactPValue(_ b: Int, _ c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        let logHalfPowN = Double(n) * log(0.5)
        var terms: [Double] = []
        terms.reserveCapacity(k + 1)
        // log C(n, i), built up term by term: C(n, i + 1) = C(n, i) · (n − i) / (i + 1).
        var logBinomial = 0.0
        for i in 0...k {
            terms.append(logBinomial + logHalfPowN)
            logBinomial += log(Double(n - i)) - log(Double(i + 1))
        }
        let largest = terms.max() ?? 0
        let tail = exp(largest) * terms.reduce(0) { $0 + exp($1 - largest) }
        return min(1, 2 * tail)
    }
}
