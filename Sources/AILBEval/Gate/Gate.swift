/// A bar a run failed, with the numbers a person needs to see why.
public struct GateFailure: Sendable, Hashable, CustomStringConvertible {
    /// Which threshold: `agreement`, `consensus accuracy`, `spurious disagreement`, `agreement of family x`,
    /// `agreement of quant x`.
    public var bar: String
    /// The figure tested: the observed rate, or the Wilson bound with `--on lower-bound`.
    public var value: Double
    public var interval: (lower: Double, upper: Double)
    public var threshold: Double
    /// Whether the bar is a maximum (the value must not exceed it).
    public var isMaximum: Bool
    /// Which figure `value` is.
    public var basis: GateBasis = .point
    /// The observed rate (equal to `value` on the point basis).
    public var observed: Double

    public init(
        bar: String, value: Double, interval: (lower: Double, upper: Double), threshold: Double, isMaximum: Bool,
        basis: GateBasis = .point, observed: Double? = nil
    ) {
        self.bar = bar
        self.value = value
        self.interval = interval
        self.threshold = threshold
        self.isMaximum = isMaximum
        self.basis = basis
        self.observed = observed ?? value
    }

    public static func == (a: GateFailure, b: GateFailure) -> Bool {
        a.bar == b.bar && a.value == b.value && a.threshold == b.threshold && a.isMaximum == b.isMaximum
            && a.basis == b.basis
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(bar) }

    /// The one-line message: the bar, its value, interval and threshold, and by how much it misses.
    public var description: String {
        let gap = abs(value - threshold)
        let relation = isMaximum ? "above" : "below"
        if basis == .lowerBound {
            let bound = isMaximum ? "upper" : "lower"
            return String(
                format: "%@ %.3f (Wilson 95%% %@ bound; observed %.3f, CI %.3f–%.3f) is %@ the bar %.3f by %.3f", bar,
                value, bound, observed, interval.lower, interval.upper, relation, threshold, gap)
        }
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

/// One bar checked: the same numbers as a failure, and whether it passed.
public struct GateCheck: Sendable {
    public var result: GateFailure
    public var passed: Bool
}

/// Checks a run's statistics against thresholds. Pure.
public enum Gate {
    /// Every bar the statistics fail; empty means the gate passes. Bars with no data are skipped.
    public static func evaluate(
        _ statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis = .point
    ) -> [GateFailure] {
        checks(statistics, thresholds: thresholds, basis: basis).filter { !$0.passed }.map(\.result)
    }

    /// Every configured bar that has data, passed or not, in a fixed order (overall, accuracy, families,
    /// quants, spurious), so a report can show what was checked as well as what failed.
    public static func checks(
        _ statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis = .point
    ) -> [GateCheck] {
        var checks: [GateCheck] = []
        func minimum(_ bar: String, _ proportion: Proportion, _ threshold: Double?) {
            guard let threshold, let value = proportion.value else { return }
            let interval = proportion.wilson()
            let tested = basis == .point ? value : interval.lower
            checks.append(
                GateCheck(
                    result: GateFailure(
                        bar: bar, value: tested, interval: interval, threshold: threshold, isMaximum: false,
                        basis: basis, observed: value),
                    passed: tested >= threshold))
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
            checks.append(
                GateCheck(
                    result: GateFailure(
                        bar: "spurious disagreement", value: tested, interval: interval, threshold: maximum,
                        isMaximum: true, basis: basis, observed: value),
                    passed: tested <= maximum))
        }
        return checks
    }
}
