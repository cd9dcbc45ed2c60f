import Foundation
import GRDB
import Testing

@testable import AILBEval

/// `compare` on runs made by the real binary against the deterministic mock backends: only what the two
/// runs share is compared, every output says first what is and is not comparable, and answers that did
/// not change are never a change.
@Suite(.serialized) struct CompareCommandTests {
    static func backends(_ names: [String]) -> String {
        let all = [
            "studio-8bit": RunCommandTests.mockBackend("studio-8bit", quant: "8bit", mock: "seed: 1"),
            "ollama-q4": RunCommandTests.mockBackend("ollama-q4", quant: "Q4_K_M", mock: "seed: 3"),
            "drifty-4bit": RunCommandTests.mockBackend("drifty-4bit", quant: "4bit", mock: "seed: 7, drift: 1.0"),
            "odd-q2": RunCommandTests.mockBackend("odd-q2", quant: "Q2_K", mock: "seed: 9, drift: 1.0"),
        ]
        return RunCommandTests.config(names.map { all[$0]! }.joined())
    }

    func write(_ config: String, _ cli: CLIHarness) throws {
        try Data(config.utf8).write(to: URL(fileURLWithPath: cli.path("config.yaml")))
    }

    @Test func aConsensusRunAgainstAnAllRunOfTheSameSuite() async throws {
        let cli = try CLIHarness(config: Self.backends(["studio-8bit", "drifty-4bit", "ollama-q4"]))
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet", "--mode", "all"]).status == 0)

        let mode =
            "run 1 ran in consensus mode and run 2 in all mode: the mode only decides what a load balancer is asked, and both "
            + "runs judged every answer, so agreement and accuracy compare; ai-lb's own votes are not compared"
        let text = try await cli.runDetached(["compare", "1", "2", "--fail-on-regression"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("What is compared:\n  * \(mode)\n"), "\(text.stdout)")
        #expect(
            text.stdout.contains(
                "Agreement: 0.0% → 0.0% (+0.0 pts) · gained 0, lost 0 · over 4 case repeats of 4 cases judged in both runs"))
        #expect(text.stdout.contains("No case repeat changed."))
        #expect(!text.stdout.contains("Changed case repeats"))

        let json = try JSONValue(parsing: try await cli.runDetached(["compare", "1", "2", "--format", "json"]).stdout)
        #expect(json["comparability"]?.arrayValue?.compactMap(\.stringValue) == [mode])
        #expect(json["changes"]?.arrayValue?.isEmpty == true)
        #expect(json["agreement_no_data"] == .null)
        let markdown = try await cli.runDetached(["compare", "1", "2", "--format", "markdown"]).stdout
        #expect(markdown.contains("> - \(mode)"))
        let junit = try await cli.runDetached(["compare", "1", "2", "--format", "junit"]).stdout
        #expect(junit.contains("<property name=\"comparability.1\" value=\"\(mode.replacingOccurrences(of: "'", with: "&apos;"))\"/>"))
        let html = try await cli.runDetached(["compare", "1", "2", "--format", "html"]).stdout
        #expect(html.contains("<li>\(mode.replacingOccurrences(of: "'", with: "&#39;"))</li>"))
        let csv = try await cli.runDetached(["compare", "1", "2", "--format", "csv"]).stdout
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1)

        // As if run 2 had been stored in mode all before every run was judged: no verdict at all.
        let queue = try DatabaseQueue(path: cli.databasePath)
        try await queue.write { db in try db.execute(sql: "DELETE FROM verdicts WHERE run_id = 2") }
        let unjudged = try await cli.runDetached(["compare", "1", "2"])
        #expect(unjudged.status == 0)
        #expect(
            unjudged.stdout.contains(
                "Agreement: not compared: no case repeat was judged in both runs (two or more answers from the backends in both): "
                    + "run 1 judged 4 of the 4 shared case repeats; run 2 stores no verdict (`ailb-eval run --resume 2` judges what it stored)"
            ),
            "\(unjudged.stdout)")
        for format in ComparisonReport.Format.allCases {
            let document = try await cli.runDetached(["compare", "1", "2", "--format", format.rawValue]).stdout
            #expect(!document.contains("→ –") && !document.contains("– →") && !document.contains(" ()"), "\(format)")
        }
        let gate = try await cli.runDetached(["compare", "1", "2", "--fail-on-regression"])
        #expect(gate.status == 1)
        #expect(gate.stderr.contains("regression gate failed: agreement not compared: no case repeat was judged in both runs"))
    }

    @Test func theBackendsInReverseOrderAnsweringAlikeAreNoChange() async throws {
        let forward = ["studio-8bit", "ollama-q4", "drifty-4bit", "odd-q2"]
        let cli = try CLIHarness(config: Self.backends(forward))
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        try write(Self.backends(forward.reversed()), cli)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)

        // The runs hold a tie that ai-lb broke differently: its winner follows the order of the backends.
        let store = try ResultStore(path: cli.databasePath)
        let first = try store.verdicts(runID: 1, profile: .ailb)
        let second = try store.verdicts(runID: 2, profile: .ailb)
        #expect(zip(first, second).contains { $0.verdict.outcome == .tie && $0.verdict.winner != $1.verdict.winner })
        var answers: [String: [String?]] = [:]
        for run: Int64 in [1, 2] {
            try store.forEachResponse(runID: run) {
                answers["\($0.casePosition)/\($0.backend)", default: []].append($0.toolCalls ?? $0.text)
            }
        }
        #expect(answers.values.allSatisfy { $0.count == 2 && $0[0] == $0[1] })

        for (a, b) in [("1", "2"), ("2", "1")] {
            let text = try await cli.runDetached(["compare", a, b, "--fail-on-regression"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("What is compared:\n  * comparable in full"), "\(text.stdout)")
            #expect(text.stdout.contains("No case repeat changed."))
            #expect(text.stdout.contains("tie 1 → 1"))
            let json = try JSONValue(parsing: try await cli.runDetached(["compare", a, b, "--format", "json"]).stdout)
            #expect(json["changes"]?.arrayValue?.isEmpty == true)
            #expect(json["consensus_before"]?["tie"]?.intValue == 1 && json["consensus_after"]?["tie"]?.intValue == 1)
            for backend in json["backends"]?.arrayValue ?? [] {
                for key in ["correct_to_wrong", "wrong_to_correct", "joined_majority", "left_majority"] {
                    #expect(backend[key]?.intValue == 0, "\(key)")
                }
            }
        }
    }

    @Test func aBackendInOneRunOnlyIsLeftOutOfEveryFigure() async throws {
        let cli = try CLIHarness(config: Self.backends(["studio-8bit", "ollama-q4"]))
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        try write(Self.backends(["studio-8bit", "ollama-q4", "drifty-4bit"]), cli)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)

        let text = try await cli.runDetached(["compare", "1", "2", "--fail-on-regression"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains(
                "  * the backends differ (only in run 2: drifty-4bit): every figure, agreement included, is over the backends in "
                    + "both (studio-8bit, ollama-q4), and the others' answers are left out"), "\(text.stdout)")
        // drifty-4bit disagrees everywhere in run 2; over the backends in both nothing changed.
        #expect(text.stdout.contains("Agreement: 100.0% → 100.0% (+0.0 pts) · gained 0, lost 0"))
        #expect(text.stdout.contains("No case repeat changed."))
        // Not in the backends' table; only each run's own mode table, side by side, lists it.
        let paired = try #require(text.stdout.components(separatedBy: "What each ai-lb mode would have returned").first)
        #expect(!paired.contains("drifty-4bit  "))

        // Runs that share no backend: nothing to compare, and a gate on that is a usage error.
        try write(Self.backends(["drifty-4bit", "odd-q2"]), cli)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        let nothing = try await cli.runDetached(["compare", "1", "3"])
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("  * nothing is comparable: runs 1 and 3 share no backend"))
        #expect(nothing.stdout.contains("Agreement: not compared: runs 1 and 3 share no backend"))
        let gate = try await cli.runDetached(["compare", "1", "3", "--fail-on-regression"])
        #expect(gate.status == 2)
        #expect(gate.stdout.isEmpty)
        #expect(gate.stderr.contains("--fail-on-regression: nothing to compare: runs 1 and 3 share no backend"))
    }
}
