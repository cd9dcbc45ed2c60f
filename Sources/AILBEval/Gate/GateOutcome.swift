/// The gate as a report shows it: the bars that were set, each checked, and the verdict.
public struct GateOutcome: Sendable {
    public var thresholds: GateThresholds
    public var basis: GateBasis
    /// Every configured bar, passed or failed (a bar without data fails).
    public var checks: [GateCheck]

    /// Checks `statistics` against `thresholds`.
    public init(statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis) {
        self.thresholds = thresholds
        self.basis = basis
        checks = Gate.checks(statistics, thresholds: thresholds, basis: basis)
    }

    /// The bars that failed.
    public var failures: [GateFailure] { checks.filter { !$0.passed }.map(\.result) }
    /// True when no bar was set: the report then says "no gate" rather than "passed".
    public var isEmpty: Bool { checks.isEmpty }
    /// True when every checked bar passed.
    public var passed: Bool { checks.allSatisfy(\.passed) }
    /// "passed", "failed" or "not configured".
    public var label: String { isEmpty ? "not configured" : (passed ? "passed" : "failed") }
}
