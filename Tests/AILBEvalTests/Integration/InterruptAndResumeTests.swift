import Foundation
import GRDB
import Testing

@testable import AILBEval

/// Ctrl-C, `--resume` and `--force` through the real binary.
@Suite(.serialized) struct InterruptAndResumeTests {
    /// Three mock backends slow enough that a run of `mini.yaml --repeat 10` (120 requests) takes a few seconds.
    static let slowConfig = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, max_concurrency: 2, mock: {seed: 1, latency_ms: 120}}
          - {name: b, kind: mock, model: m, quant: 4bit, max_concurrency: 2, mock: {seed: 2, latency_ms: 120}}
          - {name: c, kind: mock, model: m, quant: Q4_K_M, max_concurrency: 2, mock: {seed: 3, latency_ms: 120}}
        defaults: {timeout: 10, retries: 1}

        """

    static func responses(_ store: ResultStore, _ runID: Int64) throws -> [ResponseRecord] {
        var all: [ResponseRecord] = []
        try store.forEachResponse(runID: runID) { all.append($0) }
        return all
    }

    @Test func ctrlCStopsCleanlyAndResumeFinishesExactlyTheMissingWork() async throws {
        let cli = try CLIHarness(config: Self.slowConfig)
        defer { cli.remove() }
        let child = try cli.start(["mini.yaml", "--repeat", "10"])
        #expect(cli.waitUntil(seconds: 20) { cli.committedResponses() >= 12 })
        child.send(SIGINT)
        let status = child.wait(seconds: 20)
        #expect(status == 130, "\(child.stderr)")
        #expect(child.stderr.contains("Interrupted: stopping"))
        // The summary of what was done, and how to finish.
        #expect(child.stdout.contains("Run 1 · interrupted"), "\(child.stdout)")
        #expect(child.stdout.contains("Finish it with: ailb-eval run --resume 1"))

        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(run.status == .interrupted)
        let before = try Self.responses(store, run.id)
        #expect(before.count < 120)
        // The requests in flight at the interrupt are recorded as cancelled, not lost.
        let cancelled = before.filter { $0.errorClass == .cancelled }
        #expect(!cancelled.isEmpty)
        #expect(cancelled.count <= 6, "at most one per worker lane was in flight")
        let answeredBefore = Dictionary(
            uniqueKeysWithValues: before.filter { $0.errorClass != .cancelled }.map {
                (ResponseKey(casePosition: $0.casePosition, repeatIndex: $0.repeatIndex, backend: $0.backend), $0.receivedAt)
            })

        let resumed = try await cli.runDetached(["run", "--resume", "latest", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resuming run 1: \(120 - answeredBefore.count) of 120 requests to go."))
        #expect(try store.runs().count == 1)
        let finished = try store.run("1")
        #expect(finished.status == .completed)
        let after = try Self.responses(store, 1)
        #expect(after.count == 120)
        #expect(after.allSatisfy { $0.success && $0.errorClass == nil })
        // Exactly the missing work was done: earlier answers are untouched.
        for r in after {
            let key = ResponseKey(casePosition: r.casePosition, repeatIndex: r.repeatIndex, backend: r.backend)
            if let receivedAt = answeredBefore[key] { #expect(r.receivedAt == receivedAt) }
        }
        let verdicts = try store.verdicts(runID: 1)
        #expect(verdicts.count == 4 * 10 * 2)
        #expect(verdicts.allSatisfy { $0.verdict.successes == 3 && $0.consensusCorrect == true })
    }

    @Test func aSecondCtrlCExitsAtOnce() throws {
        let cli = try CLIHarness(config: Self.slowConfig)
        defer { cli.remove() }
        let child = try cli.start(["mini.yaml", "--repeat", "10", "--quiet"])
        #expect(cli.waitUntil(seconds: 20) { cli.committedResponses() >= 3 })
        child.send(SIGINT)
        child.send(SIGINT)
        #expect(child.wait(seconds: 5) == 130)
        #expect(try cli.integrityCheck() == "ok")
        #expect(try ResultStore(path: cli.databasePath).run("latest").status == .interrupted)
    }

    @Test func resumeRefusesAChangedConfigOrSuiteUnlessForced() async throws {
        let cli = try CLIHarness(config: Self.slowConfig)
        defer { cli.remove() }
        let child = try cli.start(["mini.yaml", "--repeat", "5", "--quiet"])
        #expect(cli.waitUntil(seconds: 20) { cli.committedResponses() >= 6 })
        child.send(SIGINT)
        #expect(child.wait(seconds: 20) == 130)

        let config = cli.path("config.yaml")
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try (original.replacingOccurrences(of: "timeout: 10", with: "timeout: 11")).write(
            toFile: config, atomically: true, encoding: .utf8)
        let refusedConfig = try await cli.runDetached(["run", "--resume", "1", "--quiet"])
        #expect(refusedConfig.status == 2)
        #expect(refusedConfig.stderr.contains("cannot resume run 1: the config (config.yaml)"), "\(refusedConfig.stderr)")
        #expect(refusedConfig.stderr.contains("--force"))
        try original.write(toFile: config, atomically: true, encoding: .utf8)

        let suite = cli.path("mini.yaml")
        try (try String(contentsOfFile: suite, encoding: .utf8) + "# edited\n").write(
            toFile: suite, atomically: true, encoding: .utf8)
        let refusedSuite = try await cli.runDetached(["run", "--resume", "latest", "--quiet"])
        #expect(refusedSuite.status == 2)
        #expect(refusedSuite.stderr.contains("suite 'mini' (mini.yaml) changed since the run started"))
        #expect(try ResultStore(path: cli.databasePath).run("1").status == .interrupted)

        let forced = try await cli.runDetached(["run", "--resume", "latest", "--force", "--quiet"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("note: --force: suite 'mini'"))
        let store = try ResultStore(path: cli.databasePath)
        #expect(try store.run("1").status == .completed)
        #expect(try store.responseCounts(runID: 1) == (60, 60))
        #expect(try store.runs().count == 1)

        let unknown = try await cli.runDetached(["run", "--resume", "7"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("cannot resume: "), "\(unknown.stderr)")
        #expect(try await cli.runDetached(["mini.yaml", "--force"]).status == 2)
    }

    @Test func resumeWithoutADatabaseIsBadInputAndCreatesNothing() async throws {
        let cli = try CLIHarness(config: Self.slowConfig)
        defer { cli.remove() }
        let result = try await cli.runDetached(["run", "--resume", "latest"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("ailb-eval.sqlite: error: no database to resume from"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }

    @Test(arguments: [false, true])
    func verdictsRecomputedFromStoredBodiesEqualTheLiveOnes(stream: Bool) async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1, drift: 0.3, noise: 0.3}}
                  - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2, drift: 0.3, noise: 0.3}}
                  - {name: c, kind: mock, model: m, quant: Q4, mock: {seed: 3, drift: 0.3, noise: 0.3, error_rate: 0.2}}
                defaults: {timeout: 5, retries: 0, stream: \(stream)}

                """)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--repeat", "5", "--quiet"]).status <= 1)
        let store = try ResultStore(path: cli.databasePath)
        let live = try store.verdicts(runID: 1)
        #expect(live.count == 40)
        #expect(live.contains { $0.verdict.disagreement })
        let judged = try StoredVerdicts(store: store, assessor: CaseAssessor(threshold: 0.9)).recompute(runID: 1)
        #expect(judged == 20)
        #expect(try store.verdicts(runID: 1) == live)
    }
}
