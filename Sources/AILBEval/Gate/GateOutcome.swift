/// The gate as a report shows it: the bars that were set, each checked, and the verdict.
package struct GateOutcome: Sendable {
    package var thresholds: GateThresholds
    package var basis: GateBasis
    /// Every configured bar, passed or failed (a bar without data fails).
    package var checks: [GateCheck]
    /// The bar on ai-lb's own verdicts (`max_lb_mismatch`), when set; filled in from the store.
    package var loadBalancer: LoadBalancerGateCheck?

    /// Checks `statistics` against `thresholds`.
    package init(statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis) {
        self.thresholds = thresholds
        self.basis = basis
        checks = Gate.checks(statistics, thresholds: thresholds, basis: basis)
    }

    /// The bars that failed.
    package var failures: [GateFailure] { checks.filter { !$0.passed }.map(\.result) }
    /// True when no bar was set (or none had data): the report then says "no gate" rather than "passed".
    package var isEmpty: Bool { checks.isEmpty && loadBalancer == nil }
    /// True when every checked bar passed.
    package var passed: Bool { checks.allSatisfy(\.passed) && loadBalancer?.passed != false }
    /// One line per failed bar, the ai-lb bar included.
    package var failureLines: [String] {
        failures.map(\.description) + (loadBalancer.flatMap { $0.passed ? nil : [$0.description] } ?? [])
    }
    /// "passed", "failed" or "not configured".
    package var label: String { isEmpty ? "not configured" : (passed ? "passed" : "failed") }
}
