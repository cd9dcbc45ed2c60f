import Foundation
import GRDB
import Testing

@testable import AILBEval

/// SIGKILL at random moments: no chance to clean up, so only the store's own discipline (short WAL
/// transactions, the pid of the owning process) keeps the database whole and the run resumable.
@Suite(.serialized) struct CrashSafetyTests {
    static let config = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, max_concurrency: 3, mock: {seed: 1, latency_ms: 25, jitter_ms: 30}}
          - {name: b, kind: mock, model: m, quant: 4bit, max_concurrency: 3, mock: {seed: 2, latency_ms: 25, jitter_ms: 30}}
          - {name: c, kind: mock, model: m, quant: Q4_K_M, max_concurrency: 3, mock: {seed: 3, latency_ms: 25, jitter_ms: 30}}
        defaults: {timeout: 10, retries: 1}

        """

    @Test func killedAtRandomMomentsTheDatabaseStaysWholeAndTheRunResumes() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        var random = FuzzRandom(seed: 0xA11B_E7A1)
        let planned = 4 * 20 * 3
        var committedSoFar = 0
        var kills = 0
        for iteration in 0..<7 {
            let arguments = iteration == 0 ? ["mini.yaml", "--repeat", "20"] : ["run", "--resume", "latest"]
            let child = try cli.start(arguments)
            if iteration == 0 {
                // The first kill lands mid-run, so that there is a run to resume.
                #expect(cli.waitUntil(seconds: 20) { cli.committedResponses() > 0 })
            }
            usleep(UInt32.random(in: 0...700_000, using: &random))
            // What another reader saw committed just before the kill must survive it.
            let seen = cli.committedResponses()
            child.send(SIGKILL)
            let status = child.wait(seconds: 10)
            if status == 0 { break }  // finished before the kill: nothing left to interrupt
            kills += 1
            #expect(child.process.terminationReason == .uncaughtSignal)

            #expect(try cli.integrityCheck() == "ok", "after kill \(kills)")
            let stored = cli.committedResponses()
            #expect(stored >= seen, "after kill \(kills): \(stored) stored, \(seen) seen before it")
            #expect(stored >= committedSoFar, "responses were lost")
            committedSoFar = stored
            let runs = try await cli.runDetached(["runs"])
            #expect(runs.status == 0, "\(runs.stderr)")
            #expect(runs.stdout.contains("interrupted"), "\(runs.stdout)")
            #expect(!runs.stdout.contains("running"))
        }
        #expect(kills >= 5, "only \(kills) kills landed before the run finished")

        let final = try await cli.runDetached(["run", "--resume", "latest", "--quiet"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try cli.integrityCheck() == "ok")
        let store = try ResultStore(path: cli.databasePath)
        let runs = try store.runs()
        #expect(runs.count == 1)
        #expect(runs.first?.status == .completed)
        #expect(try store.responseCounts(runID: 1) == (planned, planned))
        #expect(try store.verdicts(runID: 1).count == 4 * 20 * 2)
    }
}
