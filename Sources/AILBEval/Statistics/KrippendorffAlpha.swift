/// Krippendorff's alpha for nominal data with missing values, and a bootstrap interval for it.
///
/// Across all backends at once (where Cohen's kappa takes two): a unit is one judged case repeat, each
/// backend is an observer, and a failed backend is a missing value, which alpha allows.
public enum KrippendorffAlpha {
    /// α with its bootstrap interval.
    public struct Estimate: Sendable, Hashable {
        /// α, or nil when it is undefined (fewer than two pairable values, or no variation at all).
        public var value: Double?
        /// The percentile bootstrap 95% interval, or nil when too few resamples had a defined α.
        public var lower: Double?
        public var upper: Double?
        /// Units with at least two values (the ones that count).
        public var pairableUnits: Int
        /// Values in those units.
        public var pairableValues: Int
        /// Resamples drawn, and the seed they were drawn with.
        public var iterations: Int
        public var seed: UInt64
    }

    /// One unit reduced to what α needs: its value counts, and its share of observed disagreement.
    struct UnitSummary {
        var counts: [Int: Int]
        var values: Int
        /// (m_u² − Σ_c n_uc²) / (m_u − 1): the unit's off-diagonal coincidences.
        var disagreement: Double
    }

    /// α for `units`, each the values its observers gave (nil: missing).
    ///
    /// α = 1 − D_o / D_e with D_o = Σ_u d_u / n and D_e = (n² − Σ_c n_c²) / (n (n − 1)), which is
    /// Krippendorff's coincidence-matrix computation (2011, §C) written for the nominal metric.
    public static func nominal(_ units: [[Int?]]) -> Double? {
        alpha(of: summaries(units))
    }

    /// α and its bootstrap interval: units (cases) are resampled with replacement `iterations` times with a
    /// seeded generator, and the 2.5th and 97.5th percentiles of the resampled α are the interval.
    ///
    /// Units are resampled, not single values, because the answers to one case are not independent of each
    /// other; this is the ordinary nonparametric cluster bootstrap rather than Krippendorff's own scheme.
    public static func estimate(_ units: [[Int?]], iterations: Int = 1000, seed: UInt64 = 20_240_601) -> Estimate {
        let summaries = summaries(units)
        var estimate = Estimate(
            value: alpha(of: summaries), lower: nil, upper: nil, pairableUnits: summaries.count,
            pairableValues: summaries.reduce(0) { $0 + $1.values }, iterations: iterations, seed: seed)
        guard estimate.value != nil, summaries.count >= 2, iterations > 0 else { return estimate }
        // Flat arrays with dense labels: the resampling loop runs iterations × units times, and dictionary
        // updates there made a 100,000-response report take half a minute.
        var labelIDs: [Int: Int] = [:]
        var pairStart = [0]
        var pairLabel: [Int] = []
        var pairCount: [Int] = []
        for unit in summaries {
            for (label, count) in unit.counts {
                let id = labelIDs[label] ?? labelIDs.count
                labelIDs[label] = id
                pairLabel.append(id)
                pairCount.append(count)
            }
            pairStart.append(pairLabel.count)
        }
        var generator = SeededGenerator(seed: seed)
        var resampled: [Double] = []
        resampled.reserveCapacity(iterations)
        var draws = [Int](repeating: 0, count: summaries.count)
        var totals = [Int](repeating: 0, count: labelIDs.count)
        for _ in 0..<iterations {
            for u in draws.indices { draws[u] = 0 }
            for l in totals.indices { totals[l] = 0 }
            var values = 0
            var disagreement = 0.0
            for _ in 0..<summaries.count {
                let u = generator.below(summaries.count)
                draws[u] += 1
                values += summaries[u].values
                disagreement += summaries[u].disagreement
            }
            for u in draws.indices where draws[u] > 0 {
                for p in pairStart[u]..<pairStart[u + 1] { totals[pairLabel[p]] += draws[u] * pairCount[p] }
            }
            let squares = totals.reduce(0.0) { $0 + Double($1) * Double($1) }
            if let value = alpha(values: values, disagreement: disagreement, squares: squares) {
                resampled.append(value)
            }
        }
        // An interval built from a minority of resamples would describe only the lucky ones.
        guard resampled.count * 2 >= iterations else { return estimate }
        resampled.sort()
        estimate.lower = Percentile.ofSorted(resampled, 2.5)
        estimate.upper = Percentile.ofSorted(resampled, 97.5)
        return estimate
    }

    /// A unit whose values are its own (no other unit uses them): how many values it has and Σ_c n_uc², the
    /// sum of the squared counts of its values. That is all α needs of it: Σ_c n_c² over all units is then
    /// the sum of the units' squares, and a resample's is Σ_u draws_u² · squares_u.
    public struct LocalUnit: Sendable, Hashable {
        var storedValues: Int32
        var storedSquares: Int32
        public var values: Int { Int(storedValues) }
        public var squares: Int { Int(storedSquares) }

        public init(values: Int, squares: Int) {
            storedValues = Int32(clamping: values)
            storedSquares = Int32(clamping: squares)
        }
    }

    /// As `estimate(_:iterations:seed:)` for units whose values are their own, given as counts: the same
    /// α and the same interval (the same resamples, and sums of integers that are exact in a double).
    public static func estimate(localUnits: [LocalUnit], iterations: Int = 1000, seed: UInt64 = 20_240_601) -> Estimate {
        // Units come in few kinds (a number of values and a sum of squared group sizes, both small): each
        // pairable unit is kept as the index of its kind, four bytes, and each kind's figures once. A large
        // run's bootstrap then costs a few bytes a unit, with the very same numbers in the same order.
        var kindIndex: [LocalUnit: Int] = [:]
        var values: [Int] = []
        var squares: [Int] = []
        var disagreements: [Double] = []
        var kinds: [UInt32] = []
        kinds.reserveCapacity(localUnits.count)
        for unit in localUnits where unit.values >= 2 {
            if let known = kindIndex[unit] {
                kinds.append(UInt32(known))
                continue
            }
            let m = unit.values
            kindIndex[unit] = values.count
            kinds.append(UInt32(values.count))
            values.append(m)
            squares.append(unit.squares)
            disagreements.append(Double(m * m - unit.squares) / Double(m - 1))
        }
        let count = kinds.count
        var totalValues = 0
        var totalDisagreement = 0.0
        var totalSquares = 0
        for kind in kinds {
            totalValues += values[Int(kind)]
            totalDisagreement += disagreements[Int(kind)]
            totalSquares += squares[Int(kind)]
        }
        var estimate = Estimate(
            value: alpha(values: totalValues, disagreement: totalDisagreement, squares: Double(totalSquares)),
            lower: nil, upper: nil, pairableUnits: count, pairableValues: totalValues, iterations: iterations,
            seed: seed)
        guard estimate.value != nil, count >= 2, iterations > 0 else { return estimate }
        var generator = SeededGenerator(seed: seed)
        var resampled: [Double] = []
        resampled.reserveCapacity(iterations)
        var draws = [UInt32](repeating: 0, count: count)
        for _ in 0..<iterations {
            for u in draws.indices { draws[u] = 0 }
            var drawnValues = 0
            var disagreement = 0.0
            for _ in 0..<count {
                let u = generator.below(count)
                draws[u] += 1
                let kind = Int(kinds[u])
                drawnValues += values[kind]
                disagreement += disagreements[kind]
            }
            var drawnSquares = 0
            for u in draws.indices where draws[u] > 0 {
                drawnSquares += Int(draws[u]) * Int(draws[u]) * squares[Int(kinds[u])]
            }
            if let value = alpha(values: drawnValues, disagreement: disagreement, squares: Double(drawnSquares)) {
                resampled.append(value)
            }
        }
        guard resampled.count * 2 >= iterations else { return estimate }
        resampled.sort()
        estimate.lower = Percentile.ofSorted(resampled, 2.5)
        estimate.upper = Percentile.ofSorted(resampled, 97.5)
        return estimate
    }

    static func summaries(_ units: [[Int?]]) -> [UnitSummary] {
        units.compactMap { unit in
            var counts: [Int: Int] = [:]
            var m = 0
            for case let value? in unit {
                counts[value, default: 0] += 1
                m += 1
            }
            guard m >= 2 else { return nil }
            let squares = counts.values.reduce(0) { $0 + $1 * $1 }
            return UnitSummary(counts: counts, values: m, disagreement: Double(m * m - squares) / Double(m - 1))
        }
    }

    static func alpha(of summaries: [UnitSummary]) -> Double? {
        var totals: [Int: Int] = [:]
        for unit in summaries {
            for (label, count) in unit.counts { totals[label, default: 0] += count }
        }
        return alpha(
            values: summaries.reduce(0) { $0 + $1.values }, disagreement: summaries.reduce(0) { $0 + $1.disagreement },
            totals: totals)
    }

    static func alpha(values n: Int, disagreement: Double, totals: [Int: Int]) -> Double? {
        alpha(values: n, disagreement: disagreement, squares: totals.values.reduce(0.0) { $0 + Double($1) * Double($1) })
    }

    /// α from n, the summed unit disagreements, and Σ_c n_c².
    static func alpha(values n: Int, disagreement: Double, squares: Double) -> Double? {
        guard n >= 2 else { return nil }
        let expected = Double(n) * Double(n) - squares
        guard expected > 0 else { return nil }
        return 1 - Double(n - 1) * disagreement / expected
    }
}
