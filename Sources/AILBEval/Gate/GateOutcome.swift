/// The gate as a report shows it: the bars that were set, each checked, and the verdict.
public struct GateOutcome: Sendable {
    public var thresholds: GateThresholds
    public var basis: GateBasis
    /// Every configured bar, passed or failed (a bar without data fails).
    public var checks: [GateCheck]
    /// The bar on ai-lb's own verdicts (`max_lb_mismatch`), when set; filled in from the store.
    public var loadBalancer: LoadBalancerGateCheck?

    /// Checks `statistics` against `thresholds`.
    public init(statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis) {
        self.thresholds = thresholds
        self.basis = basis
        checks = Gate.checks(statistics, thresholds: thresholds, basis: basis)
    }

    /// The bars that failed.
    public var failures: [GateFailure] { checks.filter { !$0.passed }.map(\.result) }
    /// True when no bar was set (or none had data): the report then says "no gate" rather than "passed".
    public var isEmpty: Bool { checks.isEmpty && loadBalancer == nil }
    /// True when every checked bar passed.
    public var passed: Bool { checks.allSatisfy(\.passed) && loadBalancer?.passed != false }
    /// One line per failed bar, the ai-lb bar included.
    public var failureLines: [String] {
        failures.map(\.description) + (loadBalancer.flatMap { $0.passed ? nil : [$0.description] } ?? [])
    }
    /// "passed", "failed" or "not configured".
    public var label: String { isEmpty ? "not configured" : (passed ? "passed" : "failed") }
}
