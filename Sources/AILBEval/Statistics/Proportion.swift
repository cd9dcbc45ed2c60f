import Foundation

/// A count of successes out of trials, with its Wilson score interval.
public struct Proportion: Sendable, Hashable {
    public var successes: Int
    public var trials: Int

    public init(successes: Int, trials: Int) {
        self.successes = successes
        self.trials = trials
    }

    /// successes ÷ trials, or nil with no trials.
    public var value: Double? { trials > 0 ? Double(successes) / Double(trials) : nil }

    /// The Wilson score interval at confidence `z` (1.959964 for 95%); (0, 1) with no trials.
    ///
    /// Wilson rather than the normal approximation because agreement rates sit near 1, where the
    /// normal interval overshoots 1 and collapses to zero width at 100%.
    public func wilson(z: Double = 1.959963984540054) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let margin = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - margin), min(1, centre + margin))
    }
}
