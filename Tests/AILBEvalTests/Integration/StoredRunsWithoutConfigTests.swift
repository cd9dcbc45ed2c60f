import Foundation
import Testing

@testable import AILBEval

/// `runs`, `report`, `export`, `gate` and `compare` read a stored run with what the run stored: a config.yaml
/// that is broken, or needs a variable that is not set, does not stop them. Only `storage.path` is read from
/// it, to find the database.
@Suite(.serialized) struct StoredRunsWithoutConfigTests {
    static let config = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
          - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2}}
        storage: {path: data/evals.sqlite}
        reports: {dir: out-reports, reference: b}
        gates: {min_agreement: 0.5, per_quant: {4bit: 0.5}}

        """

    /// Every stored-run command; each must exit 0.
    static let commands: [[String]] = [
        ["runs"], ["report", "latest"], ["report", "1", "--format", "json", "--out", "-"],
        ["report", "1", "--format", "junit", "--out", "-"], ["report", "1", "--format", "markdown", "--out", "-"],
        ["report", "1", "--format", "csv", "--out", "csv"], ["export", "latest", "--out", "exported"],
        ["gate", "latest"], ["compare", "1", "2"], ["compare", "1", "latest", "--format", "json", "--out", "cmp.json"],
    ]

    @Test func aConfigWithAnUnsetVariableOrGarbageIsNotNeeded() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        try FileManager.default.createDirectory(atPath: cli.path("data"), withIntermediateDirectories: true)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("data/evals.sqlite")))
        let configPath = URL(fileURLWithPath: cli.path("config.yaml"))

        // An unset variable anywhere but storage.path: the database is still found through storage.path.
        try Data(
            (Self.config.replacingOccurrences(of: "model: m, quant: 8bit", with: "model: \"${AILB_NEVER_SET_VAR}\", quant: 8bit")
                + "limits: {max_response_bytes: \"${AILB_NEVER_SET_EITHER}\"}\n").utf8
        ).write(to: configPath)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 2, "a run still reads the whole config")
        for arguments in Self.commands {
            let result = try await cli.runDetached(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("AILB_NEVER_SET"), "\(arguments): \(result.stderr)")
        }
        // The run's own report folder, reference and gate were used.
        #expect(FileManager.default.fileExists(atPath: cli.path("out-reports/run-2/report.html")))
        let gate = try await cli.runDetached(["gate", "latest"])
        #expect(gate.stdout.contains("passed: agreement 1.000"), "\(gate.stdout)")
        #expect(gate.stdout.contains("passed: agreement of quant 4bit"), "\(gate.stdout)")
        let json = try await cli.runDetached(["report", "1", "--format", "json", "--out", "-"])
        #expect(json.stdout.contains("\"reference\":\"b\""), "\(json.stdout.prefix(400))")

        // Garbage: --db finds the database, and nothing else is needed.
        try Data("backends: [unclosed\n  - : : {\n\t".utf8).write(to: configPath)
        for arguments in Self.commands {
            let result = try await cli.runDetached(arguments + ["--db", "data/evals.sqlite"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }

    @Test func withTheDefaultDatabaseABrokenConfigIsOnlyANote() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
                  - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2}}

                """)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        try Data("backends:\n  - {name: a, url: \"${AILB_NEVER_SET_VAR}\", model: m}\nstorage: {path: \"${AILB_NEVER_SET_VAR}\"}\n".utf8)
            .write(to: URL(fileURLWithPath: cli.path("config.yaml")))
        for arguments in Self.commands where arguments.first != "gate" {
            let result = try await cli.runDetached(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("note: config.yaml:"), "\(arguments): \(result.stderr)")
        }
        let gate = try await cli.runDetached(["gate", "latest", "--min-agreement", "0.5"])
        #expect(gate.status == 0, "\(gate.stderr)")
    }
}
