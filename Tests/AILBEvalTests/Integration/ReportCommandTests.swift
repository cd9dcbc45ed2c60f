import Foundation
import Testing

@testable import AILBEval

/// The report, export, compare and gate commands on runs made by the real binary against mock backends.
@Suite(.serialized) struct ReportCommandTests {
    static let config = RunCommandTests.config(
        RunCommandTests.mockBackend("studio-8bit", quant: "8bit", mock: "seed: 1")
            + RunCommandTests.mockBackend("drifty-4bit", quant: "4bit", mock: "seed: 7, drift: 1.0")
            + RunCommandTests.mockBackend("ollama-q4", quant: "Q4_K_M", mock: "seed: 3"))

    @Test func theRunsOwnCSVUsesItsReferenceBackendForFlips() async throws {
        let cli = try CLIHarness(config: Self.config + "reports: {reference: ollama-q4}\n")
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet", "--out", "csv"]).status == 0)
        let rows = try String(contentsOfFile: cli.path("csv/flips.csv"), encoding: .utf8).components(separatedBy: "\r\n")
            .dropFirst().filter { !$0.isEmpty }
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.components(separatedBy: ",")[2] == "ollama-q4" }, "\(rows)")
    }

    @Test func reportWritesEveryFormatWhereAsked() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)

        let html = try await cli.runDetached(["report", "latest"])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "reports/run-1/report.html")
        let page = try String(contentsOfFile: cli.path("reports/run-1/report.html"), encoding: .utf8)
        #expect(page.contains("<b>drifty-4bit</b> (4bit, mock) is most often in the minority"))

        #expect(try await cli.runDetached(["report", "1", "--format", "json", "--out", "r.json"]).status == 0)
        let doc = try JSONValue(parsing: String(contentsOfFile: cli.path("r.json"), encoding: .utf8))
        #expect(doc["minority_backend"]?.stringValue == "drifty-4bit")
        #expect(doc["cases"]?.arrayValue?.count == 4)

        #expect(try await cli.runDetached(["report", "latest", "--format", "junit", "--out", "junit.xml"]).status == 0)
        let junit = try String(contentsOfFile: cli.path("junit.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuites name=\"ailb-eval run 1 (ailb)\" tests=\"4\" failures=\"4\""))

        let markdown = try await cli.runDetached(["report", "latest", "--format", "markdown", "--out", "-"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("## ailb-eval run 1 · mini · no gate configured"))
        #expect(markdown.stdout.contains("**Odd one out:** drifty-4bit (4bit)"))

        let csv = try await cli.runDetached(["report", "latest", "--format", "csv", "--out", "csv"])
        #expect(csv.status == 0)
        for file in ["pairs.csv", "flips.csv", "by_suite.csv", "by_tag.csv", "by_quant.csv", "by_family.csv"] {
            #expect(FileManager.default.fileExists(atPath: cli.path("csv/\(file)")), "\(file)")
        }
        let export = try await cli.runDetached(["export", "latest", "--format", "json", "--out", "exported.json"])
        #expect(export.status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("exported.json")))

        #expect(try await cli.runDetached(["report", "latest", "--reference", "nope"]).status == 2)
        #expect(try await cli.runDetached(["report", "latest", "--format", "csv", "--out", "-"]).status == 2)
        #expect(try await cli.runDetached(["report", "9"]).status == 3)
    }

    @Test func compareFailsOnRegressionOnlyBeyondTheTolerance() async throws {
        let steady = RunCommandTests.config(
            RunCommandTests.mockBackend("studio-8bit", quant: "8bit", mock: "seed: 1")
                + RunCommandTests.mockBackend("drifty-4bit", quant: "4bit", mock: "seed: 2")
                + RunCommandTests.mockBackend("ollama-q4", quant: "Q4_K_M", mock: "seed: 3"))
        let cli = try CLIHarness(config: steady)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        try Data(Self.config.utf8).write(to: URL(fileURLWithPath: cli.path("config.yaml")))
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)

        let same = try await cli.runDetached(["compare", "1", "1", "--fail-on-regression"])
        #expect(same.status == 0, "\(same.stderr)")
        let worse = try await cli.runDetached(["compare", "1", "2", "--fail-on-regression"])
        #expect(worse.status == 1)
        #expect(worse.stdout.contains("Agreement: 100.0% → 0.0% (-100.0 pts) · gained 0, lost 4"))
        #expect(worse.stderr.contains("regression: agreement fell from 100.0%"))
        #expect(worse.stdout.contains("drifty-4bit answered differently: left the majority"))
        #expect(try await cli.runDetached(["compare", "1", "2", "--fail-on-regression", "--tolerance", "1"]).status == 0)
        let better = try await cli.runDetached(["compare", "2", "1", "--format", "markdown"])
        #expect(better.status == 0)
        #expect(better.stdout.hasPrefix("## ailb-eval: run 2 → run 1 · no regression ✅"))
        #expect(try await cli.runDetached(["compare", "1", "2", "--format", "html", "--out", "cmp.html"]).status == 0)
        #expect(try String(contentsOfFile: cli.path("cmp.html"), encoding: .utf8).contains("agreement lost"))
    }

    @Test func repeatsAreNumberedFromOneInEveryFormat() async throws {
        let steady = RunCommandTests.config(
            RunCommandTests.mockBackend("studio-8bit", quant: "8bit", mock: "seed: 1")
                + RunCommandTests.mockBackend("drifty-4bit", quant: "4bit", mock: "seed: 2")
                + RunCommandTests.mockBackend("ollama-q4", quant: "Q4_K_M", mock: "seed: 3"))
        let cli = try CLIHarness(config: steady)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet", "--repeat", "2"]).status == 0)
        try Data(Self.config.utf8).write(to: URL(fileURLWithPath: cli.path("config.yaml")))
        #expect(try await cli.runDetached(["mini.yaml", "--quiet", "--repeat", "2", "--out", "csv"]).status == 0)

        /// The values of column `column` of a CSV file's rows (the leading columns hold no commas).
        func column(_ file: String, _ column: Int) throws -> Set<String> {
            let lines = try String(contentsOfFile: cli.path(file), encoding: .utf8).components(separatedBy: "\r\n")
            #expect(lines.first?.components(separatedBy: ",")[column] == "repeat", "\(file)")
            return Set(lines.dropFirst().filter { !$0.isEmpty }.map { $0.components(separatedBy: ",")[column] })
        }
        #expect(try column("csv/responses.csv", 3) == ["1", "2"])
        #expect(try column("csv/verdicts.csv", 3) == ["1", "2"])

        let json = try JSONValue(parsing: try await cli.runDetached(["report", "2", "--format", "json", "--out", "-"]).stdout)
        #expect(json["format_version"] == 2)
        #expect(Set(json["cases"]?.arrayValue?.compactMap { $0["repeat"]?.intValue } ?? []) == [1, 2])

        let junit = try await cli.runDetached(["report", "2", "--format", "junit", "--out", "-"]).stdout
        #expect(junit.contains("name=\"weather-paris#1\"") && junit.contains("name=\"weather-paris#2\""))
        #expect(!junit.contains("#0") && !junit.contains("#3"))

        let markdown = try await cli.runDetached(["report", "2", "--format", "markdown", "--out", "-"]).stdout
        #expect(markdown.contains("| mini/weather-paris\\#1 |") && markdown.contains("| mini/weather-paris\\#2 |"))

        let html = try String(contentsOfFile: cli.path("csv/report.html"), encoding: .utf8)
        #expect(html.contains("id=\"case-0-1\"") && html.contains("id=\"case-0-2\"") && !html.contains("id=\"case-0-0\""))
        #expect(html.contains("repeat 1</span>") && html.contains("repeat 2</span>"))

        let text = try await cli.runDetached(["compare", "1", "2"]).stdout
        #expect(text.contains("mini/weather-paris#1") && text.contains("mini/weather-paris#2"), "\(text)")
        let compared = try JSONValue(parsing: try await cli.runDetached(["compare", "1", "2", "--format", "json"]).stdout)
        #expect(compared["format_version"] == 3)
        #expect(Set(compared["changes"]?.arrayValue?.compactMap { $0["repeat"]?.intValue } ?? []) == [1, 2])
        let csv = try await cli.runDetached(["compare", "1", "2", "--format", "csv"]).stdout.components(separatedBy: "\r\n")
        #expect(csv.first?.components(separatedBy: ",")[4] == "repeat")
        #expect(Set(csv.dropFirst().filter { !$0.isEmpty }.map { $0.components(separatedBy: ",")[4] }) == ["1", "2"])
    }

    @Test func gateTakesPerQuantAndPerFamilyBarsAndListsEachFailure() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        let failed = try await cli.runDetached([
            "gate", "latest", "--per-quant", "4bit=0.5", "--per-quant", "8bit=0.5", "--per-family", "qwen2.5-7b-instruct=0.9",
        ])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("gate failed: agreement of family qwen2.5-7b-instruct 0.667 (95% CI"))
        #expect(failed.stderr.contains("gate failed: agreement of quant 4bit 0.000 (95% CI 0.000–0.490) is below the bar 0.500 by 0.500"))
        #expect(!failed.stderr.contains("quant 8bit"))
        let passed = try await cli.runDetached(["gate", "latest", "--per-quant", "8bit=0.9"])
        #expect(passed.status == 0)
        #expect(passed.stdout.contains("passed: agreement of quant 8bit 1.000 (95% CI 0.510–1.000) ≥ 0.900"))
        #expect(try await cli.runDetached(["gate", "latest", "--per-quant", "3bit=0.5"]).status == 2)
        #expect(try await cli.runDetached(["gate", "latest", "--per-quant", "4bit"]).status == 2)
        // A run without a load balancer has no ai-lb verdict to hold to a bar.
        let noBalancer = try await cli.runDetached(["gate", "latest", "--max-lb-mismatch", "0"])
        #expect(noBalancer.status == 2)
        #expect(
            noBalancer.stderr.hasPrefix("ailb-eval: error: run 1: --max-lb-mismatch (gates.max_lb_mismatch) needs a kind: ailb backend"))
    }
}
