import ArgumentParser

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

    @OptionGroup var arguments: BackendsArguments

    func run() async throws { try await arguments.run() }
}
