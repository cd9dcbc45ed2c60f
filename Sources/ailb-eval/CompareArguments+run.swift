import AILBEval

extension CompareArguments {
    /// Prints the comparison (or the file written), then fails on a regression when asked to.
    func run() throws {
        let options = CompareWorkflow.Options(
            location: common.storedRuns, runA: runA, runB: runB, format: format, out: out, profile: profile,
            failOnRegression: failOnRegression, tolerance: tolerance, maxCases: maxCases)
        let result = try CompareWorkflow.run(options, output: StandardStreams())
        try result.written.print()
        if let failure = result.regressionFailure { throw failure }
    }
}
