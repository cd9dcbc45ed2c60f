/// A run or a stored run failed its gate (exit 1): each bar that failed, with its value, interval and
/// threshold.
package struct GateFailed: Error, Sendable {
    /// The bars on our own verdicts that failed.
    package var failures: [GateFailure]
    /// The bar on ai-lb's own verdicts, when it failed.
    package var loadBalancer: LoadBalancerGateCheck? = nil

    package init(failures: [GateFailure], loadBalancer: LoadBalancerGateCheck? = nil) {
        self.failures = failures
        self.loadBalancer = loadBalancer
    }

    /// One line per failed bar, as the user reads them ("gate failed: …").
    package var lines: [String] {
        failures.map { "gate failed: \($0)" } + (loadBalancer.map { ["gate failed: \($0)"] } ?? [])
    }
}

/// `compare --fail-on-regression` failed (exit 1): a figure dropped beyond the tolerance, or no case repeat
/// was judged in both runs, which is no evidence that nothing regressed.
package enum RegressionGateFailed: Error, Sendable {
    /// Agreement could not be compared; says why.
    case notCompared(String)
    /// The figures that got worse beyond the tolerance.
    case regressions([RunComparison.Regression])

    /// One line per reason, as the user reads them.
    package var lines: [String] {
        switch self {
        case .notCompared(let reason): ["regression gate failed: agreement not compared: \(reason)"]
        case .regressions(let regressions): regressions.map { "regression: \($0)" }
        }
    }
}

/// A mistake in the command line that shows only once stored data or the config is read (a family the run
/// does not have, a gate with no bar): reported like a mistake found while parsing, with the usage (exit 2).
package struct UsageError: Error, Sendable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
