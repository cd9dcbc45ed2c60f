import Foundation
import Testing

@testable import AILBEval

/// Several worker processes finishing one run in PostgreSQL (`--run-key`), through the real binary and the
/// in-process mock backends of each: claims, leases that run out after a SIGKILL, claims given back on Ctrl-C,
/// workers that serve some backends or one shard, a finalization that happens once, and `ailb-eval finalize`.
/// The shared run must be the run one process stores in SQLite.
@Suite(.serialized, .enabled(if: PostgresTestServer.isAvailable, "no PostgreSQL server (AILB_EVAL_POSTGRES_URL)"))
struct SharedRunTests {
    /// Three deterministic mock backends that disagree now and then and fail now and then; each takes one
    /// request at a time, `latencyMs` each.
    static func config(latencyMs: Int) -> String {
        """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, max_concurrency: 1, mock: {seed: 1, drift: 0.2, noise: 0.2, latency_ms: \(latencyMs)}}
          - {name: b, kind: mock, model: m, quant: 4bit, max_concurrency: 1, mock: {seed: 2, drift: 0.4, noise: 0.2, latency_ms: \(latencyMs)}}
          - {name: c, kind: mock, model: m, quant: Q4_K_M, max_concurrency: 1, mock: {seed: 3, drift: 0.2, error_rate: 0.1, latency_ms: \(latencyMs)}}
        defaults: {timeout: 5, retries: 0}

        """
    }

    /// The shipped tools suite: 37 cases.
    static func harness(latencyMs: Int) throws -> CLIHarness {
        let cli = try CLIHarness(config: config(latencyMs: latencyMs))
        let suite = CLIHarness.packageRoot.appendingPathComponent("suites/tools.yaml")
        try FileManager.default.copyItem(at: suite, to: cli.directory.appendingPathComponent("tools.yaml"))
        return cli
    }

    static func count(_ sql: String, in url: String) -> Int {
        (try? PostgresTestServer.execute([sql], on: url).first?.decode(Int.self)) ?? -1
    }

    /// The same suite and repeats stored by one process in SQLite (with no latency: answers do not depend on it).
    static func singleRun(repeats: Int) async throws -> CLIHarness {
        let cli = try harness(latencyMs: 0)
        let result = try await cli.runDetached(["tools.yaml", "--repeat", "\(repeats)", "--quiet", "--db", "single.sqlite"])
        #expect(result.status == 0, "\(result.stderr)")
        return cli
    }

    /// The answers and verdicts (without ai-lb's winner, a timing) of the shared run equal the single run's,
    /// case by case; every request answered exactly once, no work left.
    static func expectSameRun(_ url: String, as single: CLIHarness, requests: Int) throws {
        let server = try StoreLocation(url, environment: [:]).openForReading()
        let file = try ResultStore(readingFrom: single.path("single.sqlite"))
        let answers = try MergeCommandTests.answers(server)
        #expect(answers.count == requests)
        #expect(count("SELECT COUNT(*) FROM responses", in: url) == requests)
        #expect(count("SELECT COUNT(*) FROM responses WHERE error_class = 'cancelled'", in: url) == 0)
        #expect(count("SELECT COUNT(*) FROM work", in: url) == 0)
        let alone = try MergeCommandTests.answers(file)
        let differing = answers.keys.filter { answers[$0] != alone[$0] }.sorted { "\($0)" < "\($1)" }
        #expect(
            differing.isEmpty,
            "\(differing.first.map { "\($0): \(String(describing: answers[$0])) vs \(String(describing: alone[$0]))" } ?? "")")
        let verdicts = try MergeCommandTests.verdicts(server, withWinner: false)
        #expect(verdicts.count == requests / 3 * EquivalenceProfile.allCases.count)
        #expect(verdicts == (try MergeCommandTests.verdicts(file, withWinner: false)))
        let run = try server.run("latest")
        #expect(run.status == .completed && run.plannedRequests == requests && run.shardIndex == nil)
    }

    @Test func fourWorkersOneOfThemKilledFinishTheRunOfOneProcess() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try Self.harness(latencyMs: 150)
        defer { cli.remove() }
        let single = try await Self.singleRun(repeats: 3)
        defer { single.remove() }
        let requests = 37 * 3 * 3

        // Three requests at a time each, 150 ms apiece: the four together need seconds, not one.
        let workers = try (1...4).map { n in
            try cli.start(["tools.yaml", "--repeat", "3", "--db", url, "--run-key", "k", "--lease", "2", "--quiet", "--out", "out-\(n)"])
        }
        #expect(cli.waitUntil(seconds: 60) { Self.count("SELECT COUNT(*) FROM responses", in: url) >= 60 })
        let killed = workers[1]
        killed.send(SIGKILL)
        _ = await killed.finished(within: 10)
        // The killed worker's claims were still held: the others take them once its lease runs out.
        var survivors: [String] = []
        for worker in [workers[0], workers[2], workers[3]] {
            #expect(await worker.finished(within: 120) == 0, "\(worker.stderr)")
            survivors.append(worker.stdout)
        }
        let finalizers = survivors.filter { $0.contains("stored its last answer and finalized it") }
        #expect(finalizers.count == 1, "\(survivors)")
        #expect(finalizers.first?.contains("Stored in \(try StoreLocation(url, environment: [:]).name) as run 1") == true)
        for other in survivors where !other.contains("finalized it") {
            #expect(other.contains("Run 1 is being finalized by") || other.contains("Run 1 was finalized (completed) by"), "\(other)")
        }
        try Self.expectSameRun(url, as: single, requests: requests)
        #expect(Self.count("SELECT COUNT(*) FROM runs WHERE finalizer IS NOT NULL", in: url) == 1)
        // The killed worker's claims were taken over: every verdict was judged again at the end.
        #expect(Self.count("SELECT COUNT(*) FROM runs WHERE rejudge", in: url) == 1)
        // Reports are the finalizer's alone.
        let reports = (1...4).map { cli.path("out-\($0)/report.html") }.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(reports.count == 1)
    }

    @Test func workersOfSomeBackendsAndOfOneShardEachTakeOnlyTheirPart() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try Self.harness(latencyMs: 0)
        defer { cli.remove() }
        let single = try await Self.singleRun(repeats: 2)
        defer { single.remove() }
        let base = ["tools.yaml", "--repeat", "2", "--db", url, "--run-key", "ci-7", "--quiet"]

        // A machine that reaches backend a only: it answers a's requests, and leaves the rest.
        let onlyA = try await cli.runDetached(base + ["--backend", "a"])
        #expect(onlyA.status == 0, "\(onlyA.stderr)")
        #expect(onlyA.stdout.contains("This worker answered 74 requests of run 1."), "\(onlyA.stdout)")
        #expect(onlyA.stdout.contains("148 requests are left for b, c"), "\(onlyA.stdout)")
        #expect(Self.count("SELECT COUNT(*) FROM responses WHERE backend <> 'a'", in: url) == 0)
        #expect(Self.count("SELECT COUNT(*) FROM verdicts", in: url) == 0)

        // Finalized by hand with work left: interrupted, and still open to workers.
        let early = try await cli.runDetached(["finalize", "--run-key", "ci-7", "--db", url, "--out", "early"])
        #expect(early.status == 130, "\(early.stdout)\(early.stderr)")
        #expect(early.stdout.contains("74 of 222 requests answered"), "\(early.stdout)")

        // Then one worker per shard of the cases, for every backend.
        let first = try await cli.runDetached(base + ["--shard", "1/2"])
        #expect(first.status == 0, "\(first.stderr)")
        let positions = try Self.casePositions(in: try Shard(index: 1, count: 2), url: url)
        let answeredCases = Set(
            try PostgresTestServer.execute(["SELECT DISTINCT case_position FROM responses WHERE backend <> 'a'"], on: url)
                .map { try $0.decode(Int.self) })
        #expect(!positions.isEmpty && answeredCases == positions)
        let second = try await cli.runDetached(base + ["--shard", "2/2"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("stored its last answer and finalized it"), "\(second.stdout)")
        // Nothing was taken over and nobody stopped: the shard workers' own verdicts were kept, and the
        // finalizer judged the rest.
        #expect(Self.count("SELECT COUNT(*) FROM runs WHERE rejudge", in: url) == 0)
        try Self.expectSameRun(url, as: single, requests: 222)

        // A worker that comes late finds the run finalized and leaves it as it is.
        let late = try await cli.runDetached(base)
        #expect(late.status == 0, "\(late.stderr)")
        #expect(late.stdout.contains("This worker answered 0 requests of run 1."), "\(late.stdout)")
        #expect(late.stdout.contains("Run 1 was finalized (completed) by ailb-eval pid"), "\(late.stdout)")
    }

    @Test func aStoppedWorkerGivesItsClaimsBackAndAnotherFinishes() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try Self.harness(latencyMs: 100)
        defer { cli.remove() }
        let single = try await Self.singleRun(repeats: 2)
        defer { single.remove() }
        let base = ["tools.yaml", "--repeat", "2", "--db", url, "--run-key", "k", "--quiet"]
        let worker = try cli.start(base)
        #expect(cli.waitUntil(seconds: 60) { Self.count("SELECT COUNT(*) FROM responses", in: url) >= 20 })
        #expect(Self.count("SELECT COUNT(*) FROM work WHERE holder IS NOT NULL", in: url) > 0)
        worker.send(SIGINT)
        #expect(await worker.finished(within: 30) == 130, "\(worker.stderr)")
        #expect(worker.stdout.contains("This worker stopped; what it had claimed of run 1 is given back"), "\(worker.stdout)")
        #expect(Self.count("SELECT COUNT(*) FROM work WHERE holder IS NOT NULL", in: url) == 0)
        #expect(Self.count("SELECT COUNT(*) FROM work", in: url) > 0)
        #expect(Self.count("SELECT COUNT(*) FROM runs WHERE rejudge", in: url) == 1)

        // Taken at once by the next worker: no lease to wait for.
        let started = Date()
        let next = try await cli.runDetached(base + ["--lease", "600"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(Date().timeIntervalSince(started) < 300)
        try Self.expectSameRun(url, as: single, requests: 222)
    }

    @Test func aWorkerOfAnotherRunUnderTheSameKeyIsRefused() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try Self.harness(latencyMs: 0)
        defer { cli.remove() }
        let base = ["tools.yaml", "--db", url, "--run-key", "k", "--quiet"]
        let first = try await cli.runDetached(base + ["--backend", "a"])
        #expect(first.status == 0, "\(first.stderr)")
        let work = Self.count("SELECT COUNT(*) FROM work", in: url)

        let otherTimeout = try await cli.runDetached(base + ["--timeout", "9"])
        #expect(otherTimeout.status == 2, "\(otherTimeout.stderr)")
        #expect(
            otherTimeout.stderr.contains("run key 'k' names run 1 in ")
                && otherTimeout.stderr.contains("the config differs: defaults.timeout, flags.timeout"),
            "\(otherTimeout.stderr)")
        let otherRepeats = try await cli.runDetached(base + ["--repeat", "2"])
        #expect(otherRepeats.status == 2, "\(otherRepeats.stderr)")
        // A machine's own concurrency is its own business.
        let ownConcurrency = try await cli.runDetached(base + ["--concurrency", "3", "--backend", "b"])
        #expect(ownConcurrency.status == 0, "\(ownConcurrency.stderr)")
        #expect(Self.count("SELECT COUNT(*) FROM work", in: url) == work - 37)
        #expect(Self.count("SELECT COUNT(*) FROM runs", in: url) == 1)

        let race = try await cli.runDetached(base + ["--mode", "race"])
        #expect(race.status == 2 && race.stderr.contains("needs --mode all or consensus"), "\(race.stderr)")
        let finalize = try await cli.runDetached(["finalize", "9", "--db", url])
        #expect(finalize.status == 2 && finalize.stderr.contains("no run '9'"), "\(finalize.stderr)")
    }

    /// The positions of the cases of run 1 in `url` that are in `shard`.
    static func casePositions(in shard: Shard, url: String) throws -> Set<Int> {
        let store = try StoreLocation(url, environment: [:]).openForReading()
        return Set(try store.cases(runID: 1).filter { shard.contains(suite: $0.suite, caseID: $0.caseID) }.map(\.position))
    }
}

/// `ailb-eval finalize` on a run of one process in SQLite: the same verdicts again, the run's reports.
@Suite struct FinalizeCommandTests {
    @Test func aFinishedRunFinalizedAgainKeepsItsVerdictsAndWritesItsReports() async throws {
        let cli = try SharedRunTests.harness(latencyMs: 0)
        defer { cli.remove() }
        let run = try await cli.runDetached(["tools.yaml", "--quiet", "--db", "one.sqlite", "--out", "first"])
        #expect(run.status == 0, "\(run.stderr)")
        let before = try MergeCommandTests.verdicts(cli.path("one.sqlite"))
        let finalized = try await cli.runDetached(["finalize", "latest", "--db", "one.sqlite", "--out", "again"])
        #expect(finalized.status == 0, "\(finalized.stderr)")
        #expect(finalized.stdout.contains("Stored in one.sqlite as run 1; report again/report.html"), "\(finalized.stdout)")
        #expect(try MergeCommandTests.verdicts(cli.path("one.sqlite")) == before)
        #expect(try MergeCommandTests.record(cli.path("one.sqlite")).status == .completed)
        #expect(FileManager.default.fileExists(atPath: cli.path("again/verdicts.csv")))
        let unknown = try await cli.runDetached(["finalize", "7", "--db", "one.sqlite"])
        #expect(unknown.status == 2 && unknown.stderr.contains("cannot finalize: one.sqlite: no run '7'"), "\(unknown.stderr)")
    }
}
