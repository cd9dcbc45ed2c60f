import Foundation
import Testing

/// Every subcommand the root lists is reached through `ailb-eval NAME`: its help, and its own work rather
/// than the root's help (a command the root failed to dispatch would print help and exit 0). A new
/// subcommand fails `theRootListsExactlyTheProbedSubcommands` until it gets a probe here.
@Suite struct SubcommandReachabilityTests {
    /// How to make a subcommand do its own work cheaply, and what only that work prints.
    struct Probe: Sendable {
        var arguments: [String]
        var stdin = ""
        var status: Int32
        /// Text that the command's own work writes to standard output or standard error.
        var mark: String
    }

    static let config = """
        backends:
          - {name: only-mock, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}

        """

    static let probes: [String: Probe] = [
        "run": Probe(arguments: ["run"], status: 2, mark: "no suite given"),
        "runs": Probe(arguments: ["runs"], status: 0, mark: "No runs in ailb-eval.sqlite yet."),
        "report": Probe(arguments: ["report", "--db", "none.sqlite"], status: 3, mark: "none.sqlite"),
        "export": Probe(arguments: ["export", "--db", "none.sqlite"], status: 3, mark: "none.sqlite"),
        "compare": Probe(arguments: ["compare", "1", "2", "--db", "none.sqlite"], status: 3, mark: "none.sqlite"),
        "gate": Probe(arguments: ["gate", "--min-agreement", "0.5", "--db", "none.sqlite"], status: 3, mark: "none.sqlite"),
        "verdict": Probe(arguments: ["verdict"], stdin: "{\"id\": \"probe-1\", \"responses\": []}\n", status: 0, mark: "probe-1"),
        "similarity": Probe(
            arguments: ["similarity"], stdin: "{\"id\": \"probe-2\", \"a\": \"x\", \"b\": \"x\"}\n", status: 0, mark: "probe-2"),
        "mock": Probe(
            arguments: ["mock", "--config", "no-mock.yaml"], status: 2, mark: "the config has no kind: mock backends"),
        "backends": Probe(arguments: ["backends", "--timeout", "10"], status: 0, mark: "only-mock"),
        "merge": Probe(arguments: ["merge", "none.sqlite", "--into", "all.sqlite"], status: 3, mark: "none.sqlite: no database here"),
        "finalize": Probe(
            arguments: ["finalize", "--db", "none.sqlite"], status: 2, mark: "none.sqlite: error: no database here: no run to finalize"),
    ]

    /// The subcommand names of the root's help, in its order.
    static func listedSubcommands(_ help: String) -> [String] {
        let lines = help.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { return [] }
        var names: [String] = []
        for line in lines[(start + 1)...] {
            if line.isEmpty { break }
            // A name starts in the third column; a wrapped abstract is indented further.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { continue }
            names.append(String(name))
        }
        return names
    }

    @Test func theRootListsExactlyTheProbedSubcommands() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let help = try await cli.runDetached(["--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let listed = Self.listedSubcommands(help.stdout)
        #expect(listed.count == 12, "\(help.stdout)")
        #expect(Set(listed) == Set(Self.probes.keys), "\(listed)")
    }

    @Test(arguments: probes.keys.sorted())
    func eachSubcommandShowsItsOwnHelp(_ name: String) async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        for arguments in [[name, "--help"], ["help", name]] {
            let result = try await cli.runDetached(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains("USAGE: ailb-eval \(name)"), "\(arguments): \(result.stdout)")
        }
    }

    @Test(arguments: probes.keys.sorted())
    func eachSubcommandDoesItsOwnWork(_ name: String) async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        try Data("backends:\n  - {name: real, url: \"http://127.0.0.1:9/v1\", model: m}\n".utf8)
            .write(to: URL(fileURLWithPath: cli.path("no-mock.yaml")))
        let probe = try #require(Self.probes[name])
        let result = try await cli.runDetached(probe.arguments, stdin: probe.stdin)
        #expect(result.status == probe.status, "\(probe.arguments): \(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains(probe.mark), "\(probe.arguments): \(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("USAGE:"), "\(probe.arguments) printed help: \(result.stdout)")
    }

    /// A word that is no subcommand is taken as a suite of the default `run`, which does not exist.
    @Test func anUnknownSubcommandIsBadUsage() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        let result = try await cli.runDetached(["frobnicate"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("frobnicate"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }
}
