import AILBEval

extension GateArguments {
    /// Checks the run; prints each bar that passed, or fails (exit 1) naming each bar that did not.
    func run() throws {
        let options = GateWorkflow.Options(
            location: common.storedRuns, runReference: runReference, minAgreement: minAgreement,
            minAccuracy: minAccuracy, maxSpurious: maxSpurious, perFamily: try Self.bars(perFamily, flag: "--per-family"),
            perQuant: try Self.bars(perQuant, flag: "--per-quant"), maxLoadBalancerMismatches: maxLBMismatch,
            maxP95LatencyMs: maxP95LatencyMs, minModeAccuracy: try Self.bars(minModeAccuracy, flag: "--min-mode-accuracy"),
            basis: on, profile: profile)
        for line in try GateWorkflow.check(options, output: StandardStreams()).lines { try StandardOutput.line(line) }
    }
}
