import Foundation
import GRDB
import Testing

@testable import AILBEval

/// A run split over machines (`--shard i/n`, `--backend`) and joined again with `merge`, through the real
/// binary and the mock backends: the merged run must be the run one machine would have stored.
@Suite(.serialized) struct MergeCommandTests {
    /// Three deterministic mock backends that disagree now and then and fail now and then.
    static let config = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1, drift: 0.2, noise: 0.2}}
          - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2, drift: 0.4, noise: 0.2}}
          - {name: c, kind: mock, model: m, quant: Q4_K_M, mock: {seed: 3, drift: 0.2, error_rate: 0.1}}
        defaults: {timeout: 5, retries: 0}

        """

    /// 18 cases, text and tool calls, so that three shards each get some.
    static let suite: String = {
        var lines = [
            "name: split", "tools:", "  - type: function", "    function:", "      name: get_weather",
            "      parameters: {type: object, properties: {city: {type: string}}, required: [city]}", "cases:",
        ]
        for n in 0..<12 {
            lines.append("  - id: sum-\(n)\n    prompt: What is \(n) + \(n)? Answer with the number only.\n    tools: []")
            lines.append("    expect: {regex: \"^\(2 * n)$\"}")
        }
        for city in ["Paris", "Rome", "Oslo", "Lima", "Kyiv", "Cairo"] {
            lines.append("  - id: weather-\(city.lowercased())\n    prompt: What's the weather in \(city) right now?")
            lines.append("    expect: {tool_call: {name: get_weather, arguments: {city: \(city)}}}")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static func harness() throws -> CLIHarness {
        let cli = try CLIHarness(config: config)
        try Data(suite.utf8).write(to: URL(fileURLWithPath: cli.path("split.yaml")))
        return cli
    }

    /// `ailb-eval split.yaml --repeat 2 --quiet` with `arguments`, stored in `db`.
    static func run(_ cli: CLIHarness, db: String, _ arguments: [String] = []) async throws -> CLIHarness.Result {
        let result = try await cli.runDetached(
            ["split.yaml", "--repeat", "2", "--quiet", "--db", db, "--out", "out-\(db)"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result
    }

    /// A response as a run would store it again: timings, URL, arrival and the order of the keys of its raw body
    /// (the mock writes a JSON object, in no particular order) left out.
    struct Answer: Hashable {
        var success: Bool
        var errorClass: ErrorClass?
        var httpStatus: Int?
        var text: String?
        var toolCalls: String?
        var finishReason: String?
        var correct: Bool?
        var totalTokens: Int?
        var body: JSONValue?

        init(_ r: ResponseRecord) {
            success = r.success
            errorClass = r.errorClass
            httpStatus = r.httpStatus
            text = r.text
            toolCalls = r.toolCalls
            finishReason = r.finishReason
            correct = r.correct
            totalTokens = r.totalTokens
            body = try? JSONValue(parsing: r.rawBody)
        }
    }

    struct RepeatKey: Hashable, CustomStringConvertible {
        var casePosition: Int
        var repeatIndex: Int
        var profile: EquivalenceProfile
        var description: String { "case \(casePosition) repeat \(repeatIndex) \(profile.rawValue)" }
    }

    static func answers(_ path: String, run: String = "latest") throws -> [ResponseKey: Answer] {
        try answers(try ResultStore(readingFrom: path), run: run)
    }

    static func answers(_ store: some RunStore, run: String = "latest") throws -> [ResponseKey: Answer] {
        var result: [ResponseKey: Answer] = [:]
        try store.forEachResponse(runID: try store.run(run).id) {
            result[ResponseKey(casePosition: $0.casePosition, repeatIndex: $0.repeatIndex, backend: $0.backend)] = Answer($0)
        }
        return result
    }

    /// The verdicts of a run by (case, repeat, profile). `withWinner: false` leaves out ai-lb's winner, which is
    /// the fastest backend of the winning group: a timing, which two runs of the same answers need not share.
    static func verdicts(_ path: String, run: String = "latest", withWinner: Bool = true) throws -> [RepeatKey: VerdictRecord] {
        try verdicts(try ResultStore(readingFrom: path), run: run, withWinner: withWinner)
    }

    static func verdicts(_ store: some RunStore, run: String = "latest", withWinner: Bool = true) throws -> [RepeatKey: VerdictRecord] {
        var result: [RepeatKey: VerdictRecord] = [:]
        try store.forEachVerdict(runID: try store.run(run).id) { record in
            var record = record
            if !withWinner { record.verdict.winner = "" }
            result[RepeatKey(casePosition: record.casePosition, repeatIndex: record.repeatIndex, profile: record.profile)] = record
        }
        return result
    }

    static func record(_ path: String, run: String = "latest") throws -> RunRecord {
        try ResultStore(readingFrom: path).run(run)
    }

    /// Every case of the split, and which shard of 3 each is in.
    static func shardOf(_ path: String) throws -> [Int: Int] {
        let store = try ResultStore(readingFrom: path)
        var result: [Int: Int] = [:]
        for c in try store.cases(runID: try store.run("latest").id) {
            result[c.position] = Shard.number(suite: c.suite, caseID: c.caseID, count: 3)
        }
        return result
    }

    @Test func threeShardsMergedAreTheRunOfOneMachine() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "whole.sqlite")
        var summaries: [String] = []
        for shard in 1...3 {
            // A bar no run of these mocks meets: a shard leaves it to the merged run.
            let result = try await Self.run(
                cli, db: "shard-\(shard).sqlite", ["--shard", "\(shard)/3", "--run-key", "pipeline-7", "--min-agreement", "1"])
            summaries.append(result.stdout)
        }
        let shardOf = try Self.shardOf(cli.path("whole.sqlite"))
        #expect(Set(shardOf.values) == [1, 2, 3], "every shard has cases: \(shardOf)")
        for shard in 1...3 {
            // Each shard stores the whole plan, sends only its share, and says which it is.
            let share = shardOf.values.count { $0 == shard }
            let path = cli.path("shard-\(shard).sqlite")
            let record = try Self.record(path)
            #expect(record.shardIndex == shard && record.shardCount == 3 && record.runKey == "pipeline-7")
            #expect(record.plannedRequests == share * 2 * 3)
            #expect(try ResultStore(readingFrom: path).cases(runID: record.id).count == 18)
            #expect(Set(try Self.answers(path).keys.map { shardOf[$0.casePosition] }) == [shard])
            #expect(summaries[shard - 1].contains("shard \(shard)/3: \(share) of 18 cases"), "\(summaries[shard - 1])")
            #expect(summaries[shard - 1].contains("run key pipeline-7"))
            #expect(summaries[shard - 1].contains("Gate not applied to shard \(shard)/3: apply it to the merged run"))
        }
        let runs = try await cli.runDetached(["runs", "--db", "shard-2.sqlite"])
        #expect(runs.stdout.contains("2/3") && runs.stdout.contains("pipeline-7"), "\(runs.stdout)")

        let merged = try await cli.runDetached(
            ["merge", "shard-3.sqlite", "shard-1.sqlite", "shard-2.sqlite", "--into", "all.sqlite", "--run-key", "pipeline-7"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("Merged 3 runs into run 1 of all.sqlite"), "\(merged.stdout)")
        #expect(merged.stdout.contains("108 responses stored; 0 identical duplicates ignored; no work missing."))
        #expect(merged.stdout.contains("Run 1 · completed"))
        #expect(merged.stdout.contains("Agreement: "))

        let all = cli.path("all.sqlite")
        let whole = cli.path("whole.sqlite")
        let record = try Self.record(all)
        let single = try Self.record(whole)
        #expect(record.status == .completed)
        #expect(record.plannedRequests == single.plannedRequests && record.plannedRequests == 108)
        #expect(record.configHash == single.configHash)
        #expect(record.runKey == "pipeline-7" && record.shardIndex == nil)
        #expect(try ResultStore(readingFrom: all).backends(runID: 1).map(\.name) == ["a", "b", "c"])
        // The same answers and the same verdicts as the run on one machine, case by case, for both profiles.
        let answers = try Self.answers(all)
        #expect(answers.count == 108)
        #expect(answers == (try Self.answers(whole)))
        let verdicts = try Self.verdicts(all, withWinner: false)
        #expect(verdicts.count == 18 * 2 * 2)
        #expect(verdicts == (try Self.verdicts(whole, withWinner: false)))
        #expect(verdicts.values.contains { $0.verdict.disagreement }, "the mocks disagree somewhere")
        // Judged again over the same answers, the shards' own verdicts come back exactly, winners too.
        var fromShards: [RepeatKey: VerdictRecord] = [:]
        for shard in 1...3 { fromShards.merge(try Self.verdicts(cli.path("shard-\(shard).sqlite"))) { first, _ in first } }
        #expect(try Self.verdicts(all) == fromShards)

        // The merged run is an ordinary run to every command that reads runs.
        let report = try await cli.runDetached(["report", "latest", "--db", "all.sqlite", "--format", "json", "--out", "-"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("\"run_key\":\"pipeline-7\""))
        let gate = try await cli.runDetached(["gate", "latest", "--db", "all.sqlite", "--min-agreement", "0"])
        #expect(gate.status == 0, "\(gate.stderr)")
        // The shards' own bar, kept with the merged run, is applied to all of it.
        let storedBar = try await cli.runDetached(["gate", "latest", "--db", "all.sqlite"])
        #expect(storedBar.status == 1, "\(storedBar.stdout)\(storedBar.stderr)")
        #expect(storedBar.stderr.contains("gate failed: agreement"), "\(storedBar.stderr)")
        let export = try await cli.runDetached(["export", "latest", "--db", "all.sqlite", "--out", "exported"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.path("exported/verdicts.csv")))
        let compare = try await cli.runDetached(["compare", "1", "1", "--db", "all.sqlite"])
        #expect(compare.status == 0, "\(compare.stderr)")
        // A shard's own report says which shard it is.
        let shardReport = try await cli.runDetached(["report", "latest", "--db", "shard-1.sqlite", "--format", "markdown", "--out", "-"])
        #expect(shardReport.stdout.contains("shard 1/3: "), "\(shardReport.stdout)")
    }

    /// `merge --into postgres://…` stores the same run as `--into FILE`, and every command reads it there.
    @Test(.enabled(if: PostgresTestServer.isAvailable))
    func shardsMergedIntoPostgreSQLAreTheRunMergedIntoAFile() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let cli = try Self.harness()
        defer { cli.remove() }
        for shard in 1...3 { _ = try await Self.run(cli, db: "shard-\(shard).sqlite", ["--shard", "\(shard)/3", "--run-key", "k-9"]) }
        let parts = ["shard-1.sqlite", "shard-2.sqlite", "shard-3.sqlite"]
        let intoFile = try await cli.runDetached(["merge"] + parts + ["--into", "all.sqlite"])
        #expect(intoFile.status == 0, "\(intoFile.stderr)")
        let intoServer = try await cli.runDetached(["merge"] + parts + ["--into", url])
        #expect(intoServer.status == 0, "\(intoServer.stderr)")
        #expect(intoServer.stdout.contains("108 responses stored"), "\(intoServer.stdout)")

        let server = try StoreLocation(url, environment: [:]).openForReading()
        let file = try ResultStore(readingFrom: cli.path("all.sqlite"))
        let (onServer, inFile) = (try server.run("latest"), try file.run("latest"))
        #expect(onServer.status == .completed && onServer.runKey == "k-9" && onServer.shardIndex == nil)
        #expect(onServer.plannedRequests == inFile.plannedRequests && onServer.configHash == inFile.configHash)
        #expect(onServer.startedAt == inFile.startedAt)
        #expect(try server.latestRun(withKey: "k-9").id == onServer.id)
        #expect(try Self.answers(server) == (try Self.answers(file)))
        #expect(try Self.verdicts(server) == (try Self.verdicts(file)))
        let gate = try await cli.runDetached(["gate", "latest", "--db", url, "--min-agreement", "0"])
        #expect(gate.status == 0, "\(gate.stderr)")
        let runs = try await cli.runDetached(["runs", "--db", url])
        #expect(runs.stdout.contains("k-9"), "\(runs.stdout)")
    }

    @Test func runsSplitByBackendMergedAreTheRunOfOneMachine() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "whole.sqlite")
        _ = try await Self.run(cli, db: "ca.sqlite", ["--backend", "c", "--backend", "a"])
        _ = try await Self.run(cli, db: "b.sqlite", ["--backend", "b"])
        let merged = try await cli.runDetached(["merge", "b.sqlite", "ca.sqlite", "--into", "all.sqlite"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("no work missing"), "\(merged.stdout)")

        let all = cli.path("all.sqlite")
        let whole = cli.path("whole.sqlite")
        // The backends in config order, whatever the order of the inputs and of their --backend flags; the
        // config as a run of every backend stores it.
        #expect(try ResultStore(readingFrom: all).backends(runID: 1).map(\.name) == ["a", "b", "c"])
        #expect(try Self.record(all).configHash == (try Self.record(whole)).configHash)
        #expect(try Self.record(all).status == .completed)
        #expect(try Self.answers(all) == (try Self.answers(whole)))
        // Each part judged only its own backends; the merged run is judged again over all three.
        #expect(try Self.verdicts(cli.path("b.sqlite")).values.allSatisfy { $0.verdict.successes <= 1 })
        let verdicts = try Self.verdicts(all, withWinner: false)
        #expect(verdicts.count == 18 * 2 * 2)
        #expect(verdicts == (try Self.verdicts(whole, withWinner: false)))
        #expect(verdicts.values.contains { $0.verdict.successes == 3 })
    }

    @Test func partsOfDifferentRunsAreRefusedAndNothingIsWritten() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "one.sqlite", ["--shard", "1/2", "--run-key", "k"])
        _ = try await Self.run(cli, db: "two.sqlite", ["--shard", "2/2", "--run-key", "k", "--timeout", "7"])
        let refused = try await cli.runDetached(["merge", "one.sqlite", "two.sqlite", "--into", "all.sqlite"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("cannot merge two.sqlite (run 1) with one.sqlite (run 1)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the config differs: defaults.timeout"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("all.sqlite")))

        // Another number of shards, another run key, or a key one input does not have.
        _ = try await Self.run(cli, db: "three.sqlite", ["--shard", "2/3", "--run-key", "k"])
        let shards = try await cli.runDetached(["merge", "one.sqlite", "three.sqlite", "--into", "all.sqlite"])
        #expect(shards.status == 2)
        #expect(shards.stderr.contains("split into 2 shards vs 3 shards"), "\(shards.stderr)")
        _ = try await Self.run(cli, db: "other.sqlite", ["--shard", "2/2", "--run-key", "other"])
        let keys = try await cli.runDetached(["merge", "one.sqlite", "other.sqlite", "--into", "all.sqlite"])
        #expect(keys.status == 2)
        #expect(keys.stderr.contains("run key 'k' vs 'other'"), "\(keys.stderr)")
        let missingKey = try await cli.runDetached(["merge", "one.sqlite", "other.sqlite", "--into", "all.sqlite", "--run-key", "k"])
        #expect(missingKey.status == 2)
        #expect(missingKey.stderr.contains("no run with the run key 'k'"), "\(missingKey.stderr)")
        // Another mode.
        _ = try await Self.run(cli, db: "all-mode.sqlite", ["--shard", "2/2", "--run-key", "k", "--mode", "all"])
        let mode = try await cli.runDetached(["merge", "one.sqlite", "all-mode.sqlite", "--into", "all.sqlite"])
        #expect(mode.status == 2)
        #expect(mode.stderr.contains("mode consensus vs all"), "\(mode.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("all.sqlite")))
    }

    @Test func aMergeMissingAShardIsInterruptedAndResumeFinishesIt() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "whole.sqlite")
        _ = try await Self.run(cli, db: "shard-1.sqlite", ["--shard", "1/3"])
        _ = try await Self.run(cli, db: "shard-3.sqlite", ["--shard", "3/3"])
        let shardOf = try Self.shardOf(cli.path("whole.sqlite"))
        let missing = shardOf.values.count { $0 == 2 } * 2 * 3

        let merged = try await cli.runDetached(["merge", "shard-1.sqlite", "shard-3.sqlite", "--into", "all.sqlite"])
        #expect(merged.status == 130, "\(merged.stderr)")
        #expect(merged.stdout.contains("\(missing) of 108 requests missing."), "\(merged.stdout)")
        #expect(merged.stdout.contains("shard 2/3 is not among the inputs"))
        #expect(merged.stdout.contains("Finish the merged run with: ailb-eval run --resume 1 --db all.sqlite"))
        #expect(try Self.record(cli.path("all.sqlite")).status == .interrupted)

        let resumed = try await cli.runDetached(["run", "--resume", "latest", "--db", "all.sqlite", "--quiet", "--out", "resumed"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resuming run 1: \(missing) of 108 requests to go."), "\(resumed.stdout)")
        let all = cli.path("all.sqlite")
        let whole = cli.path("whole.sqlite")
        #expect(try Self.record(all).status == .completed)
        #expect(try Self.answers(all) == (try Self.answers(whole)))
        #expect(try Self.verdicts(all, withWinner: false) == (try Self.verdicts(whole, withWinner: false)))
    }

    @Test func identicalDuplicatesAreIgnoredAndDifferentOnesRefused() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "one.sqlite", ["--shard", "1/2"])
        _ = try await Self.run(cli, db: "two.sqlite", ["--shard", "2/2"])
        // The same shard run again on another machine: other timings, the same answers.
        _ = try await Self.run(cli, db: "one-again.sqlite", ["--shard", "1/2"])
        let shareOfOne = try Self.answers(cli.path("one.sqlite")).count
        let merged = try await cli.runDetached(
            ["merge", "one.sqlite", "two.sqlite", "one-again.sqlite", "--into", "all.sqlite"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("108 responses stored; \(shareOfOne) identical duplicates ignored"), "\(merged.stdout)")
        #expect(try Self.answers(cli.path("all.sqlite")).count == 108)

        // One answer changed in the copy: the inputs no longer agree on it. (A store keeps an answer it has;
        // the copy is edited in place.)
        let store = try ResultStore(path: cli.path("one-again.sqlite"))
        let changed = try #require(try store.responses(runID: 1, casePositions: 0..<1_000).first { $0.success })
        try await DatabaseQueue(path: cli.path("one-again.sqlite")).write { db in
            try db.execute(
                sql: "UPDATE responses SET text = ? WHERE run_id = 1 AND case_position = ? AND repeat = ? AND backend = ?",
                arguments: [(changed.text ?? "") + " (changed)", changed.casePosition, changed.repeatIndex, changed.backend])
        }
        let conflict = try await cli.runDetached(
            ["merge", "one.sqlite", "two.sqlite", "one-again.sqlite", "--into", "other.sqlite"])
        #expect(conflict.status == 2)
        #expect(conflict.stderr.contains("1 request was answered differently by two inputs"), "\(conflict.stderr)")
        #expect(conflict.stderr.contains("on \(changed.backend): one.sqlite and one-again.sqlite"), "\(conflict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("other.sqlite")))
    }

    @Test func anOutputThatCannotTakeTheRunExitsThreeAndKeepsNoHalfRun() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "one.sqlite", ["--shard", "1/2"])
        try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: cli.path("text.sqlite")))
        let notSQLite = try await cli.runDetached(["merge", "one.sqlite", "--into", "text.sqlite"])
        #expect(notSQLite.status == 3)
        #expect(notSQLite.stderr.contains("text.sqlite: not a usable ailb-eval database"), "\(notSQLite.stderr)")
        #expect(try String(contentsOfFile: cli.path("text.sqlite"), encoding: .utf8) == "not a database\n")
        try FileManager.default.createDirectory(atPath: cli.path("folder.sqlite"), withIntermediateDirectories: false)
        #expect(try await cli.runDetached(["merge", "one.sqlite", "--into", "folder.sqlite"]).status == 3)
        let same = try await cli.runDetached(["merge", "one.sqlite", "--into", "./one.sqlite"])
        #expect(same.status == 2)
        #expect(same.stderr.contains("is also an input"), "\(same.stderr)")
        let none = try await cli.runDetached(["merge", "none.sqlite", "--into", "out.sqlite"])
        #expect(none.status == 3)
        #expect(none.stderr.contains("none.sqlite: no database here"), "\(none.stderr)")

        // Into an existing database: its other runs stay, the merged run is added.
        let existing = try await cli.runDetached(["merge", "one.sqlite", "--into", "one-copy.sqlite"])
        #expect(existing.status == 130, "the other half is missing: \(existing.stderr)")
        let again = try await cli.runDetached(["merge", "one.sqlite", "--into", "one-copy.sqlite"])
        #expect(again.stdout.contains("into run 2 of one-copy.sqlite"), "\(again.stdout)")
        #expect(try ResultStore(readingFrom: cli.path("one-copy.sqlite")).runs().count == 2)
    }

    @Test(.enabled(if: CLIHarness.canRunUnprivileged))
    func aReadOnlyOutputExitsThreeAndKeepsItsRuns() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "one.sqlite", ["--shard", "1/2"])
        _ = try await Self.run(cli, db: "kept.sqlite", ["--shard", "2/2"])
        try cli.handToUnprivilegedUser()
        #expect(chmod(cli.path("kept.sqlite"), 0o444) == 0)
        let result = try await cli.runDetached(
            ["merge", "one.sqlite", "--into", "kept.sqlite"], stdoutPath: nil, unprivileged: true)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("ailb-eval: kept.sqlite: "), "\(result.stderr)")
        #expect(try ResultStore(readingFrom: cli.path("kept.sqlite")).runs().count == 1)
    }

    @Test func aShardRunResumesItsOwnShareOnly() async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        _ = try await Self.run(cli, db: "shard.sqlite", ["--shard", "2/3", "--run-key", "k"])
        let path = cli.path("shard.sqlite")
        let before = try Self.answers(path)
        // Half of its answers lost, as a crash would lose them.
        let queue = try DatabaseQueue(path: path)
        let lost = try await queue.write { db in
            try db.execute(sql: "DELETE FROM responses WHERE repeat = 1")
            let deleted = db.changesCount
            try db.execute(sql: "UPDATE runs SET status = 'interrupted'")
            return deleted
        }
        #expect(lost > 0)
        let left = try Self.answers(path).count
        let planned = try Self.record(path).plannedRequests
        #expect(planned == before.count && left < planned)

        let changed = try await cli.runDetached(["run", "--resume", "latest", "--db", "shard.sqlite", "--shard", "1/3"])
        #expect(changed.status == 2)
        #expect(changed.stderr.contains("it is shard 2/3, which it keeps"), "\(changed.stderr)")
        // (`--out r`: a folder named by one letter, which Foundation's path functions trap on.)
        let resumed = try await cli.runDetached(["run", "--resume", "latest", "--db", "shard.sqlite", "--quiet", "--out", "r"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resuming run 1: \(planned - left) of \(planned) requests to go."), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("shard 2/3: "))
        let record = try Self.record(path)
        #expect(record.status == .completed && record.shardIndex == 2 && record.runKey == "k")
        #expect(try Self.answers(path) == before)
    }

    @Test(arguments: [
        (["--shard", "0/3"], "--shard 0/3: the shard must be between 1 and 3"),
        (["--shard", "4/3"], "--shard 4/3: the shard must be between 1 and 3"),
        (["--shard", "2/0"], "the number of shards must be at least 1"),
        (["--shard", "half"], "--shard 'half': expected i/n"),
        (["--run-key", ""], "--run-key must not be empty"),
    ])
    func badSplitFlagsExitTwoBeforeAnythingIsWritten(_ flags: [String], _ message: String) async throws {
        let cli = try Self.harness()
        defer { cli.remove() }
        let result = try await cli.runDetached(["split.yaml"] + flags)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }
}
