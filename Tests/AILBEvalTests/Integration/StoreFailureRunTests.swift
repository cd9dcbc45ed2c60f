import Foundation
import GRDB
import Testing

@testable import AILBEval

/// A database that fails while a run stores into it: the run could not be carried out (exit 3, SQLite's
/// message), not a failed gate (exit 1).
@Suite struct StoreFailureRunTests {
    @Test func aDatabaseErrorMidRunExitsThreeWithSQLitesMessage() async throws {
        let config = """
            backends:
              - {name: slow, kind: mock, model: m, mock: {seed: 1, latency_ms: 20}}
            defaults: {concurrency: 1, timeout: 30, retries: 0}
            """
        let cli = try CLIHarness(config: config)
        defer { cli.remove() }
        // Hundreds of requests at 20 ms each, one at a time: still going when the database starts failing.
        let run = try cli.start(["mini.yaml", "--repeat", "200", "--quiet"])
        #expect(cli.waitUntil(seconds: 60) { cli.committedResponses() > 0 }, "\(run.stderr)")
        // From now on every response the run stores is refused, as by a full disk.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let database = try DatabaseQueue(path: cli.databasePath, configuration: configuration)
        try await database.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_responses BEFORE INSERT ON responses
                    BEGIN SELECT RAISE(ABORT, 'no room left for responses'); END
                    """)
        }
        try database.close()
        let status = await run.finished(within: 60)
        #expect(status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("no room left for responses"), "\(run.stderr)")
        #expect(run.stderr.contains("ailb-eval.sqlite: storing the run failed"), "\(run.stderr)")
        #expect(!run.stderr.contains("gate failed"))
        let store = try ResultStore(readingFrom: cli.databasePath)
        #expect(try store.run("latest").status == .failed)
    }

    /// Waits for the process on a thread of its own, not one of the concurrency pool's.
}
