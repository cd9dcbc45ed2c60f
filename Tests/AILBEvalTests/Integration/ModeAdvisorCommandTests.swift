import Foundation
import Testing

@testable import AILBEval

/// The mode advisor through the real binary, on runs against the built-in mock backends: a slow accurate
/// backend listed first, a fast one that always drifts, and a slower accurate one. Race then always returns
/// the drifting answer, failover and consensus the first backend's.
@Suite(.serialized) struct ModeAdvisorCommandTests {
    static let config = RunCommandTests.config(
        RunCommandTests.mockBackend("steady-8bit", quant: "8bit", mock: "seed: 1, latency_ms: 400")
            + RunCommandTests.mockBackend("fast-4bit", quant: "4bit", mock: "seed: 7, drift: 1.0")
            + RunCommandTests.mockBackend("steady-q8", quant: "Q8_0", mock: "seed: 3, latency_ms: 600"))

    static let rowKeys = ["race", "failover", "consensus", "consensus-semantic", "steady-8bit", "fast-4bit", "steady-q8"]

    /// A scratch directory with the config and one run of mini.yaml (4 cases × 2 repeats) stored as run 1.
    static func ranOnce() async throws -> (CLIHarness, CLIHarness.Result) {
        let cli = try CLIHarness(config: config)
        let run = try await cli.runDetached(["mini.yaml", "--quiet", "--repeat", "2", "--out", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        return (cli, run)
    }

    /// A CSV file's rows, split on commas (the advisor's files hold no quoted commas).
    static func csvRows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            .map { $0.components(separatedBy: ",") }
    }

    @Test func theRunsSummaryEndsWithTheTableAndItsAdvice() async throws {
        let (cli, run) = try await Self.ranOnce()
        defer { cli.remove() }
        #expect(
            run.stdout.contains(
                "What each ai-lb mode would have returned. Replayed from the stored answers and latencies of 8 case repeats"))
        let advice = try #require(run.stdout.components(separatedBy: "\n").first { $0.hasPrefix("Advice: ") })
        #expect(advice.contains("race is ") && advice.contains("faster than consensus at p50"), "\(advice)")
        #expect(advice.contains("and loses 100.0 points of accuracy [95% CI "), "\(advice)")
        #expect(advice.contains("; race equals fast-4bit alone on every repeat"), "\(advice)")
        #expect(advice.contains("failover, consensus and consensus (semantic) each equal steady-8bit alone on every repeat"), "\(advice)")
        #expect(
            run.stdout.contains(
                "Pareto front (no other row is at least as fast and as accurate, and better at one): race, fast-4bit, failover, steady-8bit"
            ))

        let text = try await cli.runDetached(["report", "latest", "--format", "text"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("Run 1 · completed · mode consensus"))
        #expect(text.stdout.contains(advice))
    }

    @Test func modesCSVAndJSONHoldEveryRowWithItsFigures() async throws {
        let (cli, _) = try await Self.ranOnce()
        defer { cli.remove() }
        let rows = try Self.csvRows(cli.path("csv/modes.csv"))
        let header = rows[0]
        #expect(header.prefix(4) == ["run_id", "mode", "kind", "repeats"])
        func cell(_ row: [String], _ column: String) -> String { row[header.firstIndex(of: column)!] }
        #expect(rows.dropFirst().map { cell($0, "mode") } == Self.rowKeys)
        let byMode = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { (cell($0, "mode"), $0) })
        #expect(cell(byMode["race"]!, "accuracy") == "0.000")
        #expect(cell(byMode["race"]!, "scored") == "8")
        #expect(cell(byMode["race"]!, "same_as") == "fast-4bit")
        #expect(cell(byMode["failover"]!, "same_as") == "steady-8bit")
        #expect(cell(byMode["consensus"]!, "accuracy") == "1.000")
        #expect(cell(byMode["consensus"]!, "agreement") == "1.000")
        #expect(cell(byMode["fast-4bit"]!, "kind") == "backend")
        #expect(cell(byMode["fast-4bit"]!, "agreement") == "0.000")
        #expect(
            rows.dropFirst().filter { cell($0, "pareto_front") == "true" }.map { cell($0, "mode") } == [
                "race", "failover", "steady-8bit", "fast-4bit",
            ])
        // Consensus waits for the slowest answer, which takes at least the 600 ms steady-q8 is given; race is
        // fast-4bit's answer, at fast-4bit's latency.
        #expect(try #require(Double(cell(byMode["consensus"]!, "latency_p50_ms"))) >= 600)
        #expect(cell(byMode["race"]!, "latency_p50_ms") == cell(byMode["fast-4bit"]!, "latency_p50_ms"))
        #expect(cell(byMode["race"]!, "latency_p95_ms") == cell(byMode["fast-4bit"]!, "latency_p95_ms"))

        #expect(try await cli.runDetached(["report", "1", "--format", "json", "--out", "r.json", "--reference", "steady-q8"]).status == 0)
        let modes = try #require(try JSONValue(parsing: String(contentsOfFile: cli.path("r.json"), encoding: .utf8))["modes"])
        #expect(modes["available"] == .bool(true))
        #expect(modes["basis"]?.stringValue == "accuracy")
        #expect(modes["reference"]?.stringValue == "steady-q8")
        #expect(modes["pareto_front"]?.arrayValue?.compactMap(\.stringValue) == ["race", "fast-4bit", "failover", "steady-8bit"])
        let jsonRows = modes["rows"]?.arrayValue ?? []
        #expect(jsonRows.compactMap { $0["mode"]?.stringValue } == Self.rowKeys)
        let race = try #require(jsonRows.first)
        #expect(race["accuracy"]?["successes"]?.intValue == 0 && race["accuracy"]?["trials"]?.intValue == 8)
        #expect(race["flips"]?["correct_to_wrong"]?.intValue == 8)
        #expect(race["flips"]?["reference"]?.stringValue == "steady-q8")
        #expect(jsonRows.last?["flips"] == .null)
        #expect(modes["advice"]?.stringValue?.contains("loses 100.0 points of accuracy") == true)
    }

    @Test func theGateHoldsAModeToItsBarAndRejectsAnUnknownName() async throws {
        let (cli, _) = try await Self.ranOnce()
        defer { cli.remove() }
        let failed = try await cli.runDetached(["gate", "latest", "--min-mode-accuracy", "race=0.5"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("gate failed: accuracy of race 0.000 (95% CI"), "\(failed.stderr)")
        #expect(failed.stderr.contains("is below the bar 0.500 by 0.500"))

        let passed = try await cli.runDetached([
            "gate", "latest", "--min-mode-accuracy", "consensus=0.9", "--min-mode-accuracy", "steady-q8=0.9",
        ])
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout.contains("passed: accuracy of consensus 1.000"))
        #expect(passed.stdout.contains("passed: accuracy of steady-q8 alone 1.000"))
        // Eight repeats of four cases at 100%: the Wilson bound over cases stays below 0.9.
        let strict = try await cli.runDetached(["gate", "latest", "--min-mode-accuracy", "consensus=0.9", "--on", "lower-bound"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("Wilson 95% lower bound; observed 1.000"), "\(strict.stderr)")

        let unknown = try await cli.runDetached(["gate", "latest", "--min-mode-accuracy", "turbo=0.9"])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.contains(
                "run 1 has no mode or backend 'turbo' (valid: race, failover, consensus, consensus-semantic, steady-8bit, fast-4bit, steady-q8)"
            ),
            "\(unknown.stderr)")
        #expect(try await cli.runDetached(["gate", "latest", "--min-mode-accuracy", "race"]).status == 2)
        #expect(try await cli.runDetached(["gate", "latest", "--min-mode-accuracy", "race=1.5"]).status == 2)
    }

    @Test func withoutExpectTheBarFailsAsUnmeasurableAndRowsCompareByAgreement() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        try Data(
            """
            name: plain
            cases:
              - id: greet
                prompt: Say hello.
              - id: colour
                prompt: Name a colour.

            """.utf8
        ).write(to: URL(fileURLWithPath: cli.path("plain.yaml")))
        #expect(try await cli.runDetached(["plain.yaml", "--quiet"]).status == 0)
        let gate = try await cli.runDetached(["gate", "latest", "--min-mode-accuracy", "failover=0.5"])
        #expect(gate.status == 1)
        #expect(
            gate.stderr.contains(
                "accuracy of failover: no case repeat has an expected answer (expect) to score (0 of 2 repeats), so the bar ≥ 0.500 cannot be met"
            ), "\(gate.stderr)")
        let text = try await cli.runDetached(["report", "latest", "--format", "text"])
        #expect(
            text.stdout.contains("Advice: no case has expect, so answers are compared by agreement with the consensus answer; race is "))
        #expect(text.stdout.contains("and returns the consensus answer in 0.0% of repeats"), "\(text.stdout)")
    }

    @Test func compareShowsBothRunsTablesSideBySide() async throws {
        let (cli, _) = try await Self.ranOnce()
        defer { cli.remove() }
        let steady = RunCommandTests.config(
            RunCommandTests.mockBackend("steady-8bit", quant: "8bit", mock: "seed: 1, latency_ms: 400")
                + RunCommandTests.mockBackend("fast-4bit", quant: "4bit", mock: "seed: 7")
                + RunCommandTests.mockBackend("steady-q8", quant: "Q8_0", mock: "seed: 3, latency_ms: 600"))
        try Data(steady.utf8).write(to: URL(fileURLWithPath: cli.path("config.yaml")))
        #expect(try await cli.runDetached(["mini.yaml", "--quiet", "--repeat", "2"]).status == 0)

        let text = try await cli.runDetached(["compare", "1", "2"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("What each ai-lb mode would have returned, run 1 and run 2 side by side"))
        let race = try #require(text.stdout.components(separatedBy: "\n").first { $0.hasPrefix("race ") })
        #expect(race.split(separator: " ").prefix(3) == ["race", "0.0%", "100.0%"], "\(race)")
        #expect(text.stdout.contains("Advice for run 1 (Pareto front: "))
        #expect(text.stdout.contains("Advice for run 2 (Pareto front: "))

        let json = try await cli.runDetached(["compare", "1", "2", "--format", "json"])
        let modes = try #require(try JSONValue(parsing: json.stdout)["modes"])
        #expect(modes["run_a"]?["rows"]?.arrayValue?.first?["accuracy"]?["rate"] == .double(0))
        #expect(modes["run_b"]?["rows"]?.arrayValue?.first?["accuracy"]?["rate"] == .double(1))

        let markdown = try await cli.runDetached(["compare", "1", "2", "--format", "markdown"])
        #expect(markdown.stdout.contains("| race | 0.0% | 100.0% |"))

        let html = try await cli.runDetached(["compare", "1", "2", "--format", "html", "--out", "cmp.html"])
        #expect(html.status == 0)
        let page = try String(contentsOfFile: cli.path("cmp.html"), encoding: .utf8)
        #expect(page.contains("<section class=\"card\" id=\"modes\">"))
        #expect(page.components(separatedBy: "<table class=\"modes\">").count == 3)

        let csv = try await cli.runDetached(["compare", "1", "2", "--format", "csv", "--out", "cmp.csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.components(separatedBy: "\n").filter { !$0.isEmpty } == ["cmp.csv", "cmp-modes.csv"])
        let rows = try Self.csvRows(cli.path("cmp-modes.csv"))
        #expect(rows[0].prefix(6) == ["run_a", "run_b", "mode", "kind", "repeats_a", "accuracy_a"])
        #expect(rows.dropFirst().map { $0[2] } == Self.rowKeys)
        #expect(rows[1][5] == "0.000" && rows[1][rows[0].firstIndex(of: "accuracy_b")!] == "1.000")
    }

    @Test func aRaceRunSaysInEveryReportThatItHasNoTable() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        let sentence =
            "Run 1 ran in race mode, which keeps only the first successful answer of each case repeat, so what each mode "
            + "would have returned cannot be computed."
        let run = try await cli.runDetached(["mini.yaml", "--quiet", "--mode", "race", "--out", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("What each ai-lb mode would have returned: \(sentence)"))
        #expect(try await cli.runDetached(["report", "1", "--format", "text"]).stdout.contains(sentence))
        #expect(try await cli.runDetached(["report", "1", "--format", "markdown", "--out", "-"]).stdout.contains(sentence))
        let json = try JSONValue(parsing: try await cli.runDetached(["report", "1", "--format", "json", "--out", "-"]).stdout)
        #expect(json["modes"]?["available"] == .bool(false))
        #expect(json["modes"]?["unavailable"]?.stringValue == sentence)
        #expect(json["modes"]?["rows"]?.arrayValue?.isEmpty == true)
        let html = try await cli.runDetached(["report", "1", "--format", "html", "--out", "-"])
        #expect(html.stdout.contains("<div class=\"callout neutral\">\(HTML.escape(sentence))</div>"))
        #expect(!html.stdout.contains("mode-plot"))
        let lines = try String(contentsOfFile: cli.path("csv/modes.csv"), encoding: .utf8).components(separatedBy: "\r\n")
        #expect(lines.filter { !$0.isEmpty }.count == 2)
        #expect(lines[1].hasPrefix("1,,,") && lines[1].hasSuffix(",\"\(sentence)\""), "\(lines[1])")
        // A bar that cannot be measured on a race by construction is refused (exit 2), as agreement bars are.
        let gate = try await cli.runDetached(["gate", "1", "--min-mode-accuracy", "consensus=0.5"])
        #expect(gate.status == 2)
        #expect(gate.stderr.contains("run 1 is a race: --min-mode-accuracy replays every mode"), "\(gate.stderr)")
    }
}
