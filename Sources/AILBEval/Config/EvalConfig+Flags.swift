/// Command-line flags over the values of config.yaml.
extension EvalConfig {
    /// Applies the run's flags over the config's values. Each flag is checked by the same rule as the key it
    /// overrides (`--threshold 1.5` is refused as `consensus: {threshold: 1.5}` is), and all are checked
    /// before any is applied.
    package mutating func applyFlags(_ options: RunOptions) throws(InputError) {
        let threshold = try NumberSetting.threshold.checkedFlag(options.threshold)
        let minAgreement = try NumberSetting.minAgreement.checkedFlag(options.minAgreement)
        let minAccuracy = try NumberSetting.minAccuracy.checkedFlag(options.minAccuracy)
        let concurrency = try IntegerSetting.concurrency.checkedFlag(options.concurrency)
        // The plan applies --repeat itself (over each case's own `repeat`); it is checked here with the rest.
        _ = try IntegerSetting.repeats.checkedFlag(options.repeats)
        let timeout = try NumberSetting.timeout.checkedFlag(options.timeout)
        let retries = try IntegerSetting.retries.checkedFlag(options.retries)
        let maxMismatches = try IntegerSetting.maxLoadBalancerMismatches.checkedFlag(options.maxLoadBalancerMismatches)
        let maxP95Latency = try NumberSetting.maxP95LatencyMs.checkedFlag(options.maxP95LatencyMs)
        if let mode = options.mode { defaults.mode = mode }
        if let profile = options.profile { consensus.profile = profile }
        if let threshold { consensus.threshold = threshold }
        if let concurrency { defaults.concurrency = concurrency }
        if let timeout { defaults.timeout = timeout }
        if let retries { defaults.retries = retries }
        if let stream = options.stream { defaults.stream = stream }
        if let minAgreement { gates.minAgreement = minAgreement }
        if let minAccuracy { gates.minAccuracy = minAccuracy }
        if let maxMismatches { gates.maxLoadBalancerMismatches = maxMismatches }
        if let maxP95Latency { gates.maxP95LatencyMs = maxP95Latency }
        if let problem = Gate.raceBarProblem(mode: defaults.mode, thresholds: gates) {
            throw InputError("--mode race: \(problem)")
        }
        if gates.maxLoadBalancerMismatches != nil,
            let problem = Gate.loadBalancerBarProblem(
                mode: defaults.mode, hasLoadBalancer: backends.contains { $0.kind == .ailb })
        {
            throw InputError(problem)
        }
    }
}
