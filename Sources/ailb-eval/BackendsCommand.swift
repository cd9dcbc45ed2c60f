import AILBEval
import ArgumentParser
import Foundation

/// `ailb-eval backends`: is every configured backend usable?
struct BackendsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backends",
        abstract: "Probe each backend: reachable, /models latency, model listed, one-token chat, forced tool call.",
        discussion: """
            Exit 0 only if every backend answers a chat request. Mock backends are served in-process for the probe.
            A backend with model: auto is probed with the model a run would choose. For an ai-lb load balancer
            (kind: ailb) also GET /health and a one-token request with X-Execution-Mode: all, which shows how many
            of its backends answer.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Seconds to wait for each request.")
    var timeout: Double = 30

    func run() async throws { try await execute() }

    /// The work of the command (called by name: the inherited synchronous `run()` would win overload resolution).
    func execute() async throws {
        let environment = ProcessInfo.processInfo.environment
        var config = try PreparedRun.loadConfig(common.config, environment: environment)
        let server = try await MockServer.serveInProcess(&config.backends, suites: [], environment: environment)
        let client = ChatClient(maxConnectionsPerHost: 16, maxResponseBytes: config.limits.maxResponseBytes)
        let results = await BackendProbe(
            client: client, timeout: timeout, environment: environment, equivalents: config.modelEquivalents
        ).probe(config.backends)
        client.invalidate()
        await server?.stop()
        if json {
            try StandardOutput.line(BackendProbe.json(results).compactText)
        } else {
            try StandardOutput.line(BackendProbe.render(results))
        }
        if !results.allSatisfy(\.isUsable) { throw ExitCode(ExitStatus.runImpossible.rawValue) }
    }
}
