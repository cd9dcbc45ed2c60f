import AILBEval

extension MockArguments {
    /// Serves until Ctrl-C or SIGTERM.
    func run() async throws {
        let options = MockWorkflow.Options(configPath: common.config, port: port, suitePaths: suites)
        try await MockWorkflow.serve(options, signals: .terminationSignals, output: StandardStreams())
    }
}
