import Foundation
import Testing

@testable import AILBEval

/// Every command through the real binary with `--db postgres://…` (the test server of
/// `scripts/postgres-test-server`): run, Ctrl-C, resume, runs, report, export, gate, compare; the password
/// nowhere but in the environment; PostgreSQL's errors as one line naming the database (exit 3).
@Suite(.serialized, .enabled(if: PostgresTestServer.isAvailable, "no PostgreSQL server (AILB_EVAL_POSTGRES_URL)"))
struct PostgresCLITests {
    /// Three mock backends slow enough that `mini.yaml --repeat 10` (120 requests) takes a few seconds; one
    /// drifts, so agreement is below 1.
    static let config = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, max_concurrency: 2, mock: {seed: 1, latency_ms: 120}}
          - {name: b, kind: mock, model: m, quant: 4bit, max_concurrency: 2, mock: {seed: 2, latency_ms: 120}}
          - {name: c, kind: mock, model: m, quant: Q4_K_M, max_concurrency: 2, mock: {seed: 3, latency_ms: 120, drift: 1.0}}
        defaults: {timeout: 10, retries: 1}

        """

    static func count(_ sql: String, in url: String) -> Int {
        (try? PostgresTestServer.execute([sql], on: url).first?.decode(Int.self)) ?? 0
    }

    @Test func runInterruptResumeReportExportGateAndCompare() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        let name = try StoreLocation(url, environment: [:]).name

        let child = try cli.start(["mini.yaml", "--repeat", "10", "--db", url])
        #expect(cli.waitUntil(seconds: 30) { Self.count("SELECT COUNT(*) FROM responses", in: url) >= 12 }, "\(child.stderr)")
        child.send(SIGINT)
        #expect(await child.finished(within: 30) == 130, "\(child.stderr)")
        #expect(child.stdout.contains("Finish it with: ailb-eval run --resume 1"), "\(child.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))

        let interrupted = try await cli.runDetached(["runs", "--db", url])
        #expect(interrupted.status == 0 && interrupted.stdout.contains("interrupted"), "\(interrupted.stdout)\(interrupted.stderr)")
        let answered = Self.count("SELECT COUNT(*) FROM responses WHERE error_class IS DISTINCT FROM 'cancelled'", in: url)
        let resumed = try await cli.runDetached(["run", "--resume", "latest", "--db", url, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resuming run 1: \(120 - answered) of 120 requests to go."), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("Stored in \(name) as run 1"), "\(resumed.stdout)")
        #expect(Self.count("SELECT COUNT(*) FROM responses WHERE success = 1", in: url) == 120)
        #expect(Self.count("SELECT COUNT(*) FROM verdicts", in: url) == 80)

        let runs = try await cli.runDetached(["runs", "--db", url])
        #expect(runs.stdout.contains("completed") && runs.stdout.contains("120/120"), "\(runs.stdout)")
        let markdown = try await cli.runDetached(["report", "latest", "--db", url, "--format", "markdown", "--out", "-"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(markdown.stdout.contains("## ailb-eval run 1 · mini"), "\(markdown.stdout)")
        let html = try await cli.runDetached(["report", "1", "--db", url, "--out", "report.html"])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(try String(contentsOfFile: cli.path("report.html"), encoding: .utf8).contains("</html>"))
        let export = try await cli.runDetached(["export", "1", "--db", url, "--out", "csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let csv = try String(contentsOfFile: cli.path("csv/responses.csv"), encoding: .utf8)
        #expect(csv.components(separatedBy: "\r\n").filter { $0.hasPrefix("1,mini,") }.count == 120)

        #expect(try await cli.runDetached(["gate", "latest", "--db", url, "--min-agreement", "0"]).status == 0)
        let failed = try await cli.runDetached(["gate", "latest", "--db", url, "--min-agreement", "0.99"])
        #expect(failed.status == 1 && failed.stderr.contains("gate failed: agreement"), "\(failed.stderr)")

        // A second run beside the first, compared with it: the same answers, so nothing changed.
        let second = try await cli.runDetached(["mini.yaml", "--repeat", "10", "--db", url, "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        let compare = try await cli.runDetached(["compare", "1", "2", "--db", url, "--fail-on-regression"])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("No case repeat changed."), "\(compare.stdout)")
    }

    @Test func aRunStillGoingCannotBeResumedByAnotherProcess() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        // 1,200 requests at 120 ms, six at a time: half a minute, longer than the refusal takes.
        let child = try cli.start(["mini.yaml", "--repeat", "100", "--db", url, "--quiet"])
        #expect(cli.waitUntil(seconds: 30) { Self.count("SELECT COUNT(*) FROM responses", in: url) >= 3 }, "\(child.stderr)")
        let refused = try await cli.runDetached(["run", "--resume", "1", "--db", url, "--quiet"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("run 1 is still running (ailb-eval pid \(child.process.processIdentifier) on "), "\(refused.stderr)")
        let runs = try await cli.runDetached(["runs", "--db", url])
        #expect(runs.stdout.contains("running"), "\(runs.stdout)")
        child.send(SIGINT)
        #expect(await child.finished(within: 30) == 130, "\(child.stderr)")
        #expect(try await cli.runDetached(["runs", "--db", url]).stdout.contains("interrupted"))
    }

    @Test func storageURLAndItsPasswordVariableNeverLeaveTheEnvironment() async throws {
        let passwordURL = try #require(PostgresTestServer.passwordURL, "AILB_EVAL_POSTGRES_PASSWORD_URL")
        let password = try #require(PostgresTestServer.password, "AILB_EVAL_POSTGRES_PASSWORD")
        let url = try PostgresTestServer.createDatabase(from: try PostgresTestServer.requireURL())
        defer { PostgresTestServer.dropDatabase(url) }
        let database = try #require(URLComponents(string: url)?.path.dropFirst())
        try PostgresTestServer.execute(["GRANT ALL ON SCHEMA public TO ailb_pw"], on: url)
        let stored = PostgresTestServer.replacingDatabase(of: passwordURL, with: String(database))
        let cli = try CLIHarness(
            config: Self.config + "storage: {url: \"\(stored)\", password_env: TEAM_DB_PASSWORD}\nreports: {dir: out}\n")
        defer { cli.remove() }
        let environment = ["TEAM_DB_PASSWORD": password, "PGPASSWORD": "not-this-one"]

        var outputs: [String] = []
        let run = try await cli.runDetached(["mini.yaml", "--verbose"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        outputs += [run.stdout, run.stderr]
        for arguments in [
            ["runs"], ["report", "latest", "--format", "json", "--out", "-"], ["report", "latest", "--format", "markdown"],
            ["export", "latest", "--out", "csv"], ["gate", "latest", "--min-agreement", "0"], ["compare", "1", "1"],
        ] {
            let result = try await cli.runDetached(arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            outputs += [result.stdout, result.stderr]
        }
        // Without the variable the server refuses, and says which database.
        let refused = try await cli.runDetached(["runs"], environment: ["TEAM_DB_PASSWORD": "wrong-\(password)"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("password authentication failed") && refused.stderr.contains("/\(database)"))
        outputs += [refused.stdout, refused.stderr]

        for output in outputs { #expect(!output.contains(password)) }
        let files = FileManager.default.enumerator(atPath: cli.directory.path)?.compactMap { $0 as? String } ?? []
        #expect(files.contains { $0.hasSuffix("report.html") } && files.contains { $0.hasSuffix("responses.csv") })
        for file in files {
            let data = FileManager.default.contents(atPath: cli.path(file)) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains(password), "\(file)")
        }
        // Read as the role that stored it (its tables are its own).
        let everything = try PostgresTestServer.everyStoredValue(stored, password: password)
        #expect(everything.contains("mini"))
        #expect(!everything.contains(password))
    }

    @Test func aPasswordInTheURLAndAnUnreachableDatabaseAreRefused() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        let secret = "in-the-url-\(UUID().uuidString)"
        for arguments in [["mini.yaml"], ["runs"], ["report", "latest"], ["gate", "latest"], ["run", "--resume", "1"]] {
            let result = try await cli.runDetached(arguments + ["--db", "postgres://ailb:\(secret)@127.0.0.1/x"])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("PGPASSWORD") && !result.stderr.contains(secret), "\(result.stderr)")
        }
        let unreachable = try await cli.runDetached(["runs", "--db", "postgres://ailb@127.0.0.1:1/nowhere"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.hasPrefix("ailb-eval: postgres://ailb@127.0.0.1:1/nowhere: opening the database failed: cannot connect"))
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        let base = try PostgresTestServer.requireURL()
        let missing = try await cli.runDetached(["mini.yaml", "--db", PostgresTestServer.replacingDatabase(of: base, with: "missing_db")])
        #expect(missing.status == 3)
        #expect(
            missing.stderr.contains("/missing_db: opening the database failed: database \"missing_db\" does not exist"), "\(missing.stderr)"
        )
        // Nothing stored yet: no runs, and nothing created just to say so.
        let empty = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(empty) }
        let none = try await cli.runDetached(["runs", "--db", empty])
        #expect(none.status == 0 && none.stdout.contains("No runs in postgres://"), "\(none.stdout)\(none.stderr)")
        #expect(Self.count("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'", in: empty) == 0)
    }

    /// Waits for the process on a thread of its own, not one of the concurrency pool's.
}
