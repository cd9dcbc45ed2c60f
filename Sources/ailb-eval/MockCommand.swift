import ArgumentParser

/// `ailb-eval mock`: serve the config's mock backends on 127.0.0.1 until interrupted.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock", abstract: "Serve the config's kind: mock backends on 127.0.0.1 (OpenAI-compatible).",
        discussion: "Each backend is served at http://127.0.0.1:PORT/mock/<name>/v1. Stop with Ctrl-C.")

    @OptionGroup var arguments: MockArguments

    func run() async throws { try await arguments.run() }
}
