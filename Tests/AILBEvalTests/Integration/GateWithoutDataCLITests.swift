import Foundation
import Testing

@testable import AILBEval

/// The gate cannot pass by accident: mode all is judged, and a bar with nothing to measure fails (exit 1) or,
/// for `--min-accuracy` on cases without `expect`, is a usage error (exit 2).
@Suite(.serialized) struct GateWithoutDataCLITests {
    /// One mock backend up, three real-looking backends down (connection refused).
    static func serversDownConfig() throws -> String {
        let port = try CLIHarness.refusedPort()
        return """
            backends:
              - {name: up, kind: mock, model: qwen, quant: 8bit, mock: {seed: 1}}
              - {name: down-a, url: "http://127.0.0.1:\(port)/v1", model: qwen, quant: 4bit}
              - {name: down-b, url: "http://127.0.0.1:\(port)/v1", model: qwen, quant: Q4_K_M}
              - {name: down-c, url: "http://127.0.0.1:\(port)/v1", model: llama, quant: Q8_0}
            defaults: {timeout: 5, retries: 0}

            """
    }

    @Test func withMostServersDownTheAgreementBarFails() async throws {
        let cli = try CLIHarness(config: try Self.serversDownConfig())
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet", "--min-agreement", "0.8"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stderr.contains(
                "gate failed: agreement: no case repeat had two successful answers to judge (0 judged of 4)"),
            "\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        var refused = 0
        try store.forEachResponse(runID: 1) { if $0.errorClass == .connect { refused += 1 } }
        #expect(refused == 12)

        // The stored run fails the same bar (it was stored with the run), and a quant without a judged answer too.
        let gate = try await cli.runDetached(["gate", "latest", "--per-quant", "4bit=0.5"])
        #expect(gate.status == 1, "\(gate.stdout)\(gate.stderr)")
        #expect(gate.stderr.contains("gate failed: agreement: no case repeat had two successful answers"))
        #expect(gate.stderr.contains("gate failed: agreement of quant 4bit: "))
        #expect(!gate.stdout.contains("gate passed"))
        let family = try await cli.runDetached(["gate", "latest", "--min-agreement", "0", "--per-family", "llama=0.1"])
        #expect(family.status == 1)
        #expect(family.stderr.contains("gate failed: agreement of family llama: "))
    }

    @Test func modeAllIsJudgedSoItsBarIsReal() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: steady, kind: mock, model: qwen, quant: 8bit, mock: {seed: 1}}
                  - {name: drifty, kind: mock, model: qwen, quant: 4bit, mock: {seed: 7, drift: 1.0}}
                  - {name: other, kind: mock, model: qwen, quant: Q4_K_M, mock: {seed: 3}}
                defaults: {timeout: 5, retries: 0}

                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet", "--mode", "all", "--min-agreement", "0.99"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Agreement: 0/4 judged case repeats (4 cases) agree"))
        #expect(result.stderr.contains("gate failed: agreement 0.000"))
        let store = try ResultStore(path: cli.databasePath)
        #expect(try store.run("latest").mode == .all)
        #expect(try store.verdicts(runID: 1, profile: .ailb).count == 4)

        #expect(try await cli.runDetached(["gate", "latest"]).status == 1)
        let markdown = try await cli.runDetached(["report", "latest", "--format", "markdown", "--out", "-"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(markdown.stdout.contains("**Agreement 0.0%**"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("gate failed"))
        let html = try await cli.runDetached(["report", "latest", "--out", "report.html"])
        #expect(html.status == 0, "\(html.stderr)")
        let page = try String(contentsOfFile: cli.path("report.html"), encoding: .utf8)
        #expect(page.contains("All answering backends agree on"))
        #expect(!page.contains("without judging"))
    }

    @Test func minAccuracyWithoutExpectIsAUsageError() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
                  - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2}}

                """)
        defer { cli.remove() }
        try Data(
            """
            name: open
            cases:
              - {id: poem, prompt: Write a haiku about rain.}
              - {id: joke, prompt: Tell a short joke.}

            """.utf8
        ).write(to: URL(fileURLWithPath: cli.path("open.yaml")))
        let refused = try await cli.runDetached(["open.yaml", "--quiet", "--min-accuracy", "0.5"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--min-accuracy 0.5 cannot be checked: no case of open.yaml has an expected answer"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))

        #expect(try await cli.runDetached(["open.yaml", "--quiet"]).status == 0)
        let gate = try await cli.runDetached(["gate", "latest", "--min-accuracy", "0.5"])
        #expect(gate.status == 2)
        #expect(gate.stderr.contains("--min-accuracy 0.5 cannot be checked"))
        // A gate with no bar at all is no pass either.
        let empty = try await cli.runDetached(["gate", "latest"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("has no gate bar"))
    }
}
