import AILBEval

extension RunsArguments {
    /// Prints the stored runs.
    func run() throws {
        try StandardOutput.line(RunsWorkflow.list(common.storedRuns, output: StandardStreams()))
    }
}
