import ArgumentParser

/// `ailb-eval verdict`: judge captured responses offline.
struct VerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict", abstract: "Read response sets as JSON Lines on stdin; write one verdict per line.",
        discussion: """
            Input line: {"id": "...", "threshold": 0.9, "profile": "ailb", "responses": [{"backend": "b0", "success": true, \
            "latency_ms": 12.5, "body": {...chat completion...}}, ...]}
            A line that is not valid gets an output line with an "error" field; the command goes on.
            """)

    @OptionGroup var arguments: VerdictArguments

    func run() throws { try arguments.run() }
}
