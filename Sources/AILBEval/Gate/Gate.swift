/// A bar a run failed, with the numbers a person needs to see why.
public struct GateFailure: Sendable, Hashable, CustomStringConvertible {
    /// Which threshold: `min_agreement`, `min_accuracy`, `max_spurious`, `per_family[x]`, `per_quant[x]`.
    public var bar: String
    public var value: Double
    public var interval: (lower: Double, upper: Double)
    public var threshold: Double
    /// Whether the bar is a maximum (the value must not exceed it).
    public var isMaximum: Bool

    public static func == (a: GateFailure, b: GateFailure) -> Bool {
        a.bar == b.bar && a.value == b.value && a.threshold == b.threshold && a.isMaximum == b.isMaximum
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(bar) }

    public var description: String {
        let gap = abs(value - threshold)
        let relation = isMaximum ? "above" : "below"
        return String(
            format: "%@ %.3f (95%% CI %.3f–%.3f) is %@ the bar %.3f by %.3f", bar, value, interval.lower,
            interval.upper, relation, threshold, gap)
    }
}

/// Which figure of a proportion a gate tests.
public enum GateBasis: String, Sendable, CaseIterable {
    /// The observed rate.
    case point
    /// The conservative end of the Wilson 95% interval (lower for minimums, upper for maximums).
    case lowerBound = "lower-bound"
}

/// Checks a run's statistics against thresholds. Pure.
public enum Gate {
    /// Every bar the statistics fail; empty means the gate passes. Bars with no data are skipped.
    public static func evaluate(
        _ statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis = .point
    ) -> [GateFailure] {
        var failures: [GateFailure] = []
        func minimum(_ bar: String, _ proportion: Proportion, _ threshold: Double?) {
            guard let threshold, let value = proportion.value else { return }
            let interval = proportion.wilson()
            let tested = basis == .point ? value : interval.lower
            if tested < threshold {
                failures.append(
                    GateFailure(bar: bar, value: tested, interval: interval, threshold: threshold, isMaximum: false))
            }
        }
        minimum("agreement", statistics.agreement, thresholds.minAgreement)
        minimum("consensus accuracy", statistics.consensusAccuracy, thresholds.minAccuracy)
        for group in statistics.perFamily {
            minimum("agreement of family \(group.key)", group.withMajority, thresholds.perFamily[group.key])
        }
        for group in statistics.perQuant {
            minimum("agreement of quant \(group.key)", group.withMajority, thresholds.perQuant[group.key])
        }
        if let maximum = thresholds.maxSpurious, let value = statistics.spurious.value {
            let interval = statistics.spurious.wilson()
            let tested = basis == .point ? value : interval.upper
            if tested > maximum {
                failures.append(
                    GateFailure(bar: "spurious disagreement", value: tested, interval: interval, threshold: maximum, isMaximum: true))
            }
        }
        return failures
    }
}
