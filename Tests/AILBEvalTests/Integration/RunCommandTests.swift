import Foundation
import Testing

@testable import AILBEval

/// End to end: the real binary, the in-process mock server over HTTP on 127.0.0.1, a real SQLite file.
@Suite(.serialized) struct RunCommandTests {
    static func mockBackend(_ name: String, quant: String, mock: String) -> String {
        """
          - name: \(name)
            kind: mock
            model: qwen2.5-7b-instruct
            quant: \(quant)
            mock: {\(mock)}

        """
    }

    static func config(_ backends: String, defaults: String = "timeout: 5, retries: 1") -> String {
        "backends:\n" + backends + "defaults: {\(defaults)}\n"
    }

    @Test func consensusRunStoresEveryResponseAndVerdictAndWritesCSV() async throws {
        let cli = try CLIHarness(
            config: Self.config(
                Self.mockBackend("studio-8bit", quant: "8bit", mock: "seed: 1")
                    + Self.mockBackend("macbook-4bit", quant: "4bit", mock: "seed: 2")
                    + Self.mockBackend("ollama-q4", quant: "Q4_K_M", mock: "seed: 3")))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet", "--out", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Agreement: 4/4"))
        #expect(result.stdout.contains("studio-8bit (mock)"))

        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(run.status == .completed)
        #expect(run.mode == .consensus)
        var responses: [ResponseRecord] = []
        try store.forEachResponse(runID: run.id) { responses.append($0) }
        #expect(responses.count == 12)
        #expect(responses.allSatisfy { $0.success && $0.correct == true && $0.httpStatus == 200 })
        #expect(responses.filter { $0.toolCalls != nil }.count == 6)
        let verdicts = try store.verdicts(runID: run.id)
        #expect(verdicts.count == 8)
        #expect(verdicts.allSatisfy { !$0.verdict.disagreement && $0.verdict.agreementCount == 3 && $0.consensusCorrect == true })
        #expect(Set(verdicts.map(\.verdict.comparisonType)) == [.toolCalls, .hash])

        for file in ["responses.csv", "verdicts.csv", "backends.csv", "by_family.csv", "by_quant.csv"] {
            #expect(FileManager.default.fileExists(atPath: cli.path("csv/\(file)")), "\(file)")
        }
        let html = try String(contentsOfFile: cli.path("csv/report.html"), encoding: .utf8)
        #expect(html.contains("studio-8bit") && html.contains("</html>"))
        let csv = try String(contentsOfFile: cli.path("csv/responses.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("run_id,suite,case_id,repeat,backend,model,family,quant,success,"))
        #expect(csv.components(separatedBy: "\r\n").filter { $0.hasPrefix("\(run.id),mini,") }.count == 12)
    }

    @Test func failingAndTimingOutBackendsAreRecordedAndTheRunGoesOn() async throws {
        let cli = try CLIHarness(
            config: Self.config(
                Self.mockBackend("steady", quant: "8bit", mock: "seed: 1")
                    + Self.mockBackend("broken", quant: "4bit", mock: "seed: 2, error_rate: 1.0, error_status: 500")
                    + Self.mockBackend("stuck", quant: "Q4_K_M", mock: "seed: 3, latency_ms: 5000"),
                defaults: "timeout: 0.5, retries: 1"))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(run.status == .completed)
        var byBackend: [String: [ResponseRecord]] = [:]
        try store.forEachResponse(runID: run.id) { byBackend[$0.backend, default: []].append($0) }
        #expect(byBackend["steady"]?.allSatisfy(\.success) == true)
        #expect(byBackend["broken"]?.allSatisfy { $0.errorClass == .http5xx && $0.httpStatus == 500 && $0.attempts == 2 } == true)
        #expect(byBackend["stuck"]?.allSatisfy { $0.errorClass == .timeout && !$0.success } == true)
        #expect(byBackend.values.map(\.count) == [4, 4, 4])
        let verdicts = try store.verdicts(runID: run.id, profile: .ailb)
        #expect(verdicts.count == 4)
        #expect(verdicts.allSatisfy { $0.verdict.comparisonType == .single && $0.verdict.winner == "steady" })
        #expect(result.stdout.contains("http_5xx 4"))
        #expect(result.stdout.contains("timeout 4"))
    }

    @Test func gateExitsOneBelowTheBarAndZeroAtOrAboveIt() async throws {
        let cli = try CLIHarness(
            config: Self.config(
                Self.mockBackend("steady", quant: "8bit", mock: "seed: 1")
                    + Self.mockBackend("drifty", quant: "4bit", mock: "seed: 7, drift: 1.0")
                    + Self.mockBackend("other", quant: "Q4_K_M", mock: "seed: 3")))
        defer { cli.remove() }
        let failed = try await cli.runDetached(["mini.yaml", "--quiet", "--min-agreement", "0.9"])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("gate failed: agreement 0.000"))
        #expect(failed.stderr.contains("below the bar 0.900 by 0.900"))

        let passed = try await cli.runDetached(["gate", "latest", "--min-agreement", "0"])
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout.contains("gate passed"))
        let stillFailing = try await cli.runDetached(["gate", "1", "--min-agreement", "0.5"])
        #expect(stillFailing.status == 1)
        let quant = try await cli.runDetached(["gate", "latest", "--on", "lower-bound", "--min-agreement", "0"])
        #expect(quant.status == 0)
    }

    @Test func badConfigExitsTwoNamesTheLineAndWritesNothing() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - name: a
                    kind: mock
                    model: m
                    timout: 5

                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("config.yaml:5:"), "\(result.stderr)")
        #expect(result.stderr.contains("timeout"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }

    @Test func badFlagsAndMissingFilesExitTwo() async throws {
        let cli = try CLIHarness(config: Self.config(Self.mockBackend("a", quant: "8bit", mock: "seed: 1")))
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--min-agreement", "1.5"]).status == 2)
        #expect(try await cli.runDetached(["mini.yaml", "--concurrency", "zero"]).status == 2)
        #expect(try await cli.runDetached(["no-such-suite.yaml"]).status == 2)
        #expect(try await cli.runDetached(["mini.yaml", "--backend", "nope"]).stderr.contains("unknown backend 'nope'"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }

    @Test func noBackendAnsweringExitsThree() async throws {
        let cli = try CLIHarness(
            config: Self.config(
                Self.mockBackend("down1", quant: "8bit", mock: "seed: 1, error_rate: 1.0, error_status: 503")
                    + Self.mockBackend("down2", quant: "4bit", mock: "seed: 2, error_rate: 1.0, error_status: 404"),
                defaults: "timeout: 2, retries: 0"))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("no backend answered"))
        // Each backend's first error texts, not a pointer to output that --quiet never printed.
        #expect(result.stderr.contains("\n  down1: HTTP 503"), "\(result.stderr)")
        #expect(result.stderr.contains("\n  down2: HTTP 404"), "\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        #expect(try store.run("latest").status == .failed)
        var classes: Set<ErrorClass?> = []
        try store.forEachResponse(runID: try store.run("latest").id) { classes.insert($0.errorClass) }
        #expect(classes == [.http5xx, .http4xx])
    }

    @Test func allModeStoresEveryResponseJudgesEveryRepeatAndRunsListsIt() async throws {
        let cli = try CLIHarness(
            config: Self.config(
                Self.mockBackend("a", quant: "8bit", mock: "seed: 1") + Self.mockBackend("b", quant: "4bit", mock: "seed: 2")))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--mode", "all", "--quiet", "--stream"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Agreement: 4/4"))
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(run.mode == .all)
        // Mode all is judged like consensus: 4 case repeats × 2 profiles, and its report shows agreement.
        #expect(try store.verdicts(runID: run.id).count == 8)
        let html = try String(contentsOfFile: cli.path("reports/run-\(run.id)/report.html"), encoding: .utf8)
        #expect(html.contains("All answering backends agree on"))
        var ttfts: [Double?] = []
        try store.forEachResponse(runID: run.id) { ttfts.append($0.ttftMs) }
        #expect(ttfts.count == 8 && ttfts.allSatisfy { $0 != nil })

        let runs = try await cli.runDetached(["runs"])
        #expect(runs.status == 0)
        #expect(runs.stdout.contains("completed"))
        #expect(runs.stdout.contains("8/8"))
        let export = try await cli.runDetached(["export", "latest", "--out", "exported"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.path("exported/verdicts.csv")))
    }

    @Test func embeddedDefaultConfigRunsWithoutAConfigFile() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(mock)"))
        #expect(FileManager.default.fileExists(atPath: cli.databasePath))
    }
}
