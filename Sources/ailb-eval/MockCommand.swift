import AILBEval
import ArgumentParser
import Foundation

/// `ailb-eval mock`: serve the config's mock backends on 127.0.0.1 until interrupted.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock", abstract: "Serve the config's kind: mock backends on 127.0.0.1 (OpenAI-compatible).",
        discussion: "Each backend is served at http://127.0.0.1:PORT/mock/<name>/v1. Stop with Ctrl-C.")

    @Option(help: "Port (0: any free port).")
    var port: UInt16 = 9100

    @Option(name: .customLong("suite"), help: "Suites whose expected answers the mock gives (repeatable; default: suites/*.yaml).")
    var suites: [String] = []

    @OptionGroup var common: CommonOptions

    func run() async throws { try await execute() }

    /// The work of the command (called by name: the inherited synchronous `run()` would win overload resolution).
    func execute() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try PreparedRun.loadConfig(common.config, environment: environment)
        let backends = config.backends.filter { $0.kind == .mock }
        guard !backends.isEmpty else { throw ValidationError("the config has no kind: mock backends") }
        var loaded: [Suite] = []
        for path in suites.isEmpty ? Self.defaultSuites() : suites { loaded.append(try SuiteLoader.load(path: path)) }
        let server = MockServer(backends: backends, suites: loaded)
        let bound = try await server.start(port: port)
        for backend in backends {
            try StandardOutput.line("\(backend.name): http://127.0.0.1:\(bound)/mock/\(backend.name)/v1")
        }
        fflush(nil)
        _ = await TerminationSignals.next()
        await server.stop()
    }

    static func defaultSuites() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "suites")) ?? []
        return files.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "suites/\($0)" }
    }
}
