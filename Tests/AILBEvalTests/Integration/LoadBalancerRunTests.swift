import Foundation
import GRDB
import Testing

@testable import AILBEval

/// `kind: ailb` end to end: the real binary asks the imitation ai-lb, which fans out to mock backends.
@Suite(.serialized) struct LoadBalancerRunTests {
    static func suites() throws -> [Suite] {
        [try SuiteLoader.load(path: try CLIHarness.fixture("integration/mini.yaml").path)]
    }

    /// One imitation for the whole (serialized) suite: starting servers is what suffers most when other
    /// suites hold the concurrency pool's threads, so it is done once.
    static let shared = Task<FakeLoadBalancer, any Error> {
        var drifting = MockBehavior()
        drifting.seed = 9
        drifting.drift = 1
        return try await FakeLoadBalancer.start(
            aliases: ["m2", "gentoo", nil], suites: try suites(), behaviors: [MockBehavior(), drifting, MockBehavior()])
    }

    /// The shared load balancer, set to `behavior`, with no requests seen. Three members: `m2`, `gentoo`
    /// (always drifting, so consensus sees disagreements) and one without alias.
    static func balancer(_ behavior: FakeLoadBalancer.Behavior = .normal) async throws -> FakeLoadBalancer {
        let lb = try await shared.value
        lb.behavior.write { $0 = behavior }
        lb.seen.write { $0 = [] }
        return lb
    }

    /// A direct mock backend named `m2` (so the member alias m2 becomes `lb/m2`) and the load balancer.
    static func config(_ lb: FakeLoadBalancer, extra: String = "") -> String {
        """
        backends:
          - name: m2
            kind: mock
            model: qwen2.5-7b-instruct
            quant: 8bit
          - name: lb
            kind: ailb
            url: \(lb.baseURL.absoluteString)
            model: qwen2.5-7b-instruct
            max_backends: 3
            execution_timeout: 20
            target_backends: [m2, gentoo]
            members:
              m2: {quant: 4bit}
              "\(lb.members[2].address)": {family: other-family, quant: Q8_0}
        \(extra)
        defaults: {timeout: 30, retries: 0}
        """
    }

    static func responses(_ store: ResultStore, _ runID: Int64) throws -> [String: [ResponseRecord]] {
        var byBackend: [String: [ResponseRecord]] = [:]
        try store.forEachResponse(runID: runID) { byBackend[$0.backend, default: []].append($0) }
        return byBackend
    }

    @Test func consensusRunRecordsEveryMemberAndAiLbsVerdictBesideOurs() async throws {
        let lb = try await Self.balancer()
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")

        let seen = lb.seen.read { $0 }
        #expect(seen.count == 4)
        for request in seen {
            #expect(request.headers["x-execution-mode"] == "consensus")
            #expect(request.headers["x-max-backends"] == "3")
            #expect(request.headers["x-execution-timeout"] == "20")
            #expect(request.headers["x-target-backends"] == "m2,gentoo")
            #expect(request.body["stream"] == .bool(false))
            #expect(request.body["model"] == "qwen2.5-7b-instruct")
        }

        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(run.status == .completed)
        let anonymous = lb.members[2].address
        let backends = try store.backends(runID: run.id)
        #expect(backends.map(\.name) == ["m2", "lb", "lb/m2", "gentoo", anonymous])
        #expect(backends.map(\.kind) == [.mock, .ailb, .ailbMember, .ailbMember, .ailbMember])
        #expect(backends.map(\.via) == [nil, nil, "lb", "lb", "lb"])
        #expect(backends.map(\.quant) == ["8bit", "", "4bit", "", "Q8_0"])
        #expect(
            backends.map(\.family) == [
                "qwen2.5-7b-instruct", "qwen2.5-7b-instruct", "qwen2.5-7b-instruct", "qwen2.5-7b-instruct", "other-family",
            ])
        #expect(backends[2...].map(\.model) == ["member-model-0", "member-model-1", "member-model-2"])
        #expect(backends[3].urls == [lb.members[1].address])

        let rows = try Self.responses(store, run.id)
        #expect(rows["lb"] == nil)
        #expect(Set(rows.keys) == ["m2", "lb/m2", "gentoo", anonymous])
        #expect(rows.values.allSatisfy { $0.count == 4 && $0.allSatisfy(\.success) })
        #expect(rows["lb/m2"]?.allSatisfy { $0.correct == true && $0.url == lb.members[0].address } == true)

        let verdicts = try store.verdicts(runID: run.id, profile: .ailb)
        #expect(verdicts.count == 4)
        #expect(verdicts.allSatisfy { $0.verdict.successes == 4 })
        #expect(verdicts.allSatisfy { $0.verdict.groups.joined().contains("gentoo") })
        // Judged live or recomputed from the store (as --resume does), the verdicts are the same.
        let live = try store.verdicts(runID: run.id)
        try StoredVerdicts(store: store, assessor: CaseAssessor(threshold: 0.9)).recompute(runID: run.id)
        #expect(try store.verdicts(runID: run.id) == live)

        let lbVerdicts = try store.loadBalancerVerdicts(runID: run.id)
        #expect(lbVerdicts.count == 4)
        #expect(lbVerdicts.allSatisfy { $0.matchesOurs && $0.backend == "lb" })
        #expect(lbVerdicts.contains { $0.disagreement && $0.xDisagreement })
        #expect(try store.loadBalancerDisagreements(runID: run.id).isEmpty)
        #expect(try store.answeredRequestCount(runID: run.id) == 8)
        // Requests, not member rows (16 responses are stored).
        let runs = try await cli.runDetached(["runs"])
        #expect(runs.stdout.contains("requests"))
        #expect(runs.stdout.contains(" 8/8 "), "\(runs.stdout)")
        #expect(result.stdout.contains("ai-lb's own verdict matched ailb-eval's on 4/4 case repeats."))
        let html = try String(contentsOfFile: cli.path("reports/run-\(run.id)/report.html"), encoding: .utf8)
        #expect(html.contains("No difference: the load balancer decided exactly as this report predicts."))
    }

    @Test func shardsOfALoadBalancerRunMergeWithItsMembersVerdictsAndHeaders() async throws {
        let lb = try await Self.balancer()
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        for shard in 1...2 {
            let result = try await cli.runDetached(["mini.yaml", "--quiet", "--shard", "\(shard)/2", "--db", "part-\(shard).sqlite"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        }
        let merged = try await cli.runDetached(["merge", "part-1.sqlite", "part-2.sqlite", "--into", "all.sqlite"])
        #expect(merged.status == 0, "\(merged.stdout)\(merged.stderr)")
        #expect(merged.stdout.contains("16 responses stored; 0 identical duplicates ignored; no work missing."), "\(merged.stdout)")

        let store = try ResultStore(readingFrom: cli.path("all.sqlite"))
        let parts = try (1...2).map { try ResultStore(readingFrom: cli.path("part-\($0).sqlite")) }
        let backends = try store.backends(runID: 1)
        #expect(backends.prefix(2).map(\.name) == ["m2", "lb"])
        #expect(Set(backends.dropFirst(2).map(\.name)) == ["lb/m2", "gentoo", lb.members[2].address])
        #expect(backends.dropFirst(2).allSatisfy { $0.kind == .ailbMember && $0.via == "lb" })
        #expect(backends.map(\.position) == Array(0..<5))
        #expect(try store.answeredRequestCount(runID: 1) == 8)
        #expect(try store.run("1").status == .completed)
        // ai-lb's verdicts, the load balancer's headers and our verdicts: the shards' own, each once.
        func union<T>(_ read: (ResultStore) throws -> [T]) throws -> [T] { try parts.flatMap { try read($0) } }
        let lbVerdicts = try store.loadBalancerVerdicts(runID: 1)
        #expect(lbVerdicts.count == 4)
        #expect(Set(lbVerdicts) == Set(try union { try $0.loadBalancerVerdicts(runID: 1) }))
        let headers = try store.responseHeaders(runID: 1)
        #expect(headers.count == 4)
        #expect(Set(headers) == Set(try union { try $0.responseHeaders(runID: 1) }))
        #expect(try store.verdicts(runID: 1).count == 8)
        #expect(Set(try store.verdicts(runID: 1)) == Set(try union { try $0.verdicts(runID: 1) }))
    }

    @Test func aLyingLoadBalancerIsStoredAsADifferenceWithItsReasons() async throws {
        let lb = try await Self.balancer(.lie)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let differences = try store.loadBalancerDisagreements(runID: run.id)
        #expect(differences.count == 4)
        #expect(result.stdout.contains("ai-lb's own verdict matched ailb-eval's on 0/4 case repeats."))
        #expect(result.stdout.contains("  mini/weather-paris repeat 1 via lb: winner: "))
        #expect(differences.map(\.caseID) == ["weather-paris", "multiply", "capital", "sum"])
        #expect(differences.allSatisfy { $0.suite == "mini" && !$0.verdicts.matchesOurs })
        for difference in differences {
            let reasons = difference.verdicts.differences
            #expect(reasons.contains { $0.hasPrefix("winner: ") })
            #expect(reasons.contains { $0.hasPrefix("agreement_count: ") })
            #expect(difference.verdicts.agreementCount == difference.verdicts.ours.agreementCount + 1)
        }
        let html = try String(contentsOfFile: cli.path("reports/run-\(run.id)/report.html"), encoding: .utf8)
        #expect(html.contains("ai-lb&#39;s verdict against ours") || html.contains("ai-lb's verdict against ours"))
        #expect(html.contains("matched ailb-eval&#39;s <code>ailb</code> profile on 0 of 4") || html.contains("profile on 0 of 4"))
        #expect(html.contains("<td>weather-paris</td><td class=\"num\">1</td>"))
    }

    @Test func aiLbsVerdictAgainstOursIsInEveryExportAndGated() async throws {
        let lb = try await Self.balancer(.lie)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--quiet", "--max-lb-mismatch", "0"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("gate failed: ai-lb verdict mismatches 4 of 4 compared case repeats is above the bar 0 by 4"))

        // CSV, beside the other files of the run.
        let csv = try String(contentsOfFile: cli.path("reports/run-1/lb_verdicts.csv"), encoding: .utf8)
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(csv.count == 5)
        #expect(csv[0].hasPrefix("run_id,suite,case_id,repeat,backend,matches,differences,lb_winner,our_winner,"))
        #expect(csv[1].hasPrefix("1,mini,weather-paris,1,lb,false,winner: "))
        #expect(csv.dropFirst().allSatisfy { $0.contains(",lb,false,") })

        // JSON: counts, and each difference with both verdicts and our groups.
        let json = try await cli.runDetached(["report", "latest", "--format", "json", "--out", "-"])
        #expect(json.status == 0, "\(json.stderr)")
        let doc = try JSONValue(parsing: json.stdout)
        #expect(doc["load_balancer"]?["compared"] == 4)
        #expect(doc["load_balancer"]?["mismatches"] == 4)
        let first = try #require(doc["load_balancer"]?["differences"]?.arrayValue?.first)
        #expect(first["case_id"] == "weather-paris")
        #expect(first["repeat"] == 1)
        #expect(first["matches"] == false)
        #expect(first["ours"]?["groups"]?.arrayValue?.isEmpty == false)
        #expect(first["ai_lb"]?["agreement_count"]?.intValue == (first["ours"]?["agreement_count"]?.intValue ?? 0) + 1)
        #expect(first["differences"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("agreement_count: ") == true } == true)

        // Markdown and JUnit: a failing testcase per mismatch.
        let markdown = try await cli.runDetached(["report", "latest", "--format", "markdown", "--out", "-"])
        #expect(markdown.stdout.contains("**ai-lb's verdict against ours:** matched on 0 of 4 case repeats, **4 mismatches**."))
        #expect(markdown.stdout.contains("| mini/weather-paris | 1 | lb | winner: "))
        let junit = try await cli.runDetached(["report", "latest", "--format", "junit", "--out", "-"])
        #expect(junit.stdout.contains("<testsuite name=\"ai-lb verdicts\" tests=\"4\" failures=\"4\""))
        #expect(junit.stdout.components(separatedBy: "<failure type=\"lb_mismatch\"").count == 5)
        #expect(junit.stdout.contains("name=\"mini/weather-paris#1 via lb\""))

        // The gate command on the stored run; the config's gates: section.
        #expect(try await cli.runDetached(["gate", "latest", "--max-lb-mismatch", "4"]).status == 0)
        result = try await cli.runDetached(["gate", "latest", "--max-lb-mismatch", "3"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("above the bar 3 by 1"))
        try Data((Self.config(lb) + "\ngates: {max_lb_mismatch: 2}\n").utf8).write(to: URL(fileURLWithPath: cli.path("config.yaml")))
        result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("is above the bar 2 by 2"))
        let html = try String(contentsOfFile: cli.path("reports/run-2/report.html"), encoding: .utf8)
        #expect(html.contains("✗ ai-lb verdict mismatches 4 of 4 compared case repeats is above the bar 2 by 2"))

        // A bar that cannot be evaluated is bad input, before anything runs.
        result = try await cli.runDetached(["mini.yaml", "--quiet", "--mode", "all"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-lb-mismatch (gates.max_lb_mismatch) needs --mode consensus"))
        #expect(try ResultStore(path: cli.databasePath).runs().count == 2)

        // ai-lb agreeing again: the bar passes.
        lb.behavior.write { $0 = .normal }
        result = try await cli.runDetached(["mini.yaml", "--quiet", "--max-lb-mismatch", "0"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let matching = try String(contentsOfFile: cli.path("reports/run-3/lb_verdicts.csv"), encoding: .utf8)
        #expect(matching.components(separatedBy: ",lb,true,,").count == 5)
    }

    @Test func theComparisonCoversTheGroupFactsAiLbReports() async throws {
        // ai-lb's winner, counts and header are right, but it says its oracle (the winner) disagreed with it.
        let lb = try await Self.balancer(.oracleDisagrees)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let verdicts = try store.loadBalancerVerdicts(runID: run.id)
        #expect(verdicts.count == 4)
        for v in verdicts {
            #expect(!v.matchesOurs)
            #expect(v.oracle == v.winner && v.oracleAgreed == false)
            #expect(v.ourWinningGroup.contains(v.winner))
            #expect(v.differences.count == 1)
            #expect(
                v.differences.first?.hasPrefix("oracle_agreed: false (ai-lb) vs true (ours: oracle \(v.winner) is in our winning group")
                    == true)
        }
    }

    @Test func allFailedAndSingleSuccessBodiesAreRecordedPerMemberWithTheirErrorClasses() async throws {
        let lb = try await Self.balancer(.allFailed)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        var run = try store.run("latest")
        var rows = try Self.responses(store, run.id)
        let anonymous = lb.members[2].address
        #expect(rows["lb/m2"]?.allSatisfy { $0.errorClass == .timeout && $0.errorMessage == "Timeout" } == true)
        #expect(rows["gentoo"]?.allSatisfy { $0.errorClass == .http5xx && $0.httpStatus == 500 } == true)
        #expect(rows[anonymous]?.allSatisfy { $0.errorClass == .http429 && $0.errorMessage == "HTTP 429 Rate Limited" } == true)
        var lbVerdicts = try store.loadBalancerVerdicts(runID: run.id)
        #expect(lbVerdicts.count == 4)
        #expect(lbVerdicts.allSatisfy { $0.comparisonType == "none" && $0.winner == "lb/m2" && $0.matchesOurs })
        // Our verdict over everything still sees the direct backend.
        #expect(try store.verdicts(runID: run.id, profile: .ailb).allSatisfy { $0.verdict.winner == "m2" })

        lb.behavior.write { $0 = .singleSuccess }
        result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        run = try store.run("latest")
        rows = try Self.responses(store, run.id)
        #expect(rows["lb/m2"]?.allSatisfy(\.success) == true)
        #expect(rows["gentoo"]?.allSatisfy { $0.errorClass == .http5xx && $0.errorMessage == "HTTP 500" } == true)
        lbVerdicts = try store.loadBalancerVerdicts(runID: run.id)
        #expect(lbVerdicts.allSatisfy { $0.comparisonType == "single" && $0.winner == "lb/m2" && $0.matchesOurs })
    }

    @Test func anErrorBodyAiLbCountsAsASuccessIsAFailureRowButJudgedAsAiLbDid() async throws {
        let lb = try await Self.balancer(.errorBodyAsSuccess)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let rows = try Self.responses(store, run.id)
        #expect(
            rows["lb/m2"]?.allSatisfy {
                !$0.success && $0.errorClass == .http4xx && $0.errorMessage?.hasSuffix("bad tool schema") == true
            } == true)
        #expect(try store.loadBalancerVerdicts(runID: run.id).allSatisfy(\.matchesOurs))
        // Our `ailb` verdict votes with the error body too: the direct m2 and the three members.
        #expect(try store.verdicts(runID: run.id, profile: .ailb).allSatisfy { $0.verdict.successes == 4 })
        #expect(try store.verdicts(runID: run.id, profile: .semantic).allSatisfy { $0.verdict.successes == 3 })
    }

    @Test func aFailureOfTheWholeRequestIsOneRowUnderTheLoadBalancersName() async throws {
        let lb = try await Self.balancer(.noEligibleBackends)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        var run = try store.run("latest")
        var rows = try Self.responses(store, run.id)
        #expect(Set(rows.keys) == ["m2", "lb"])
        #expect(
            rows["lb"]?.allSatisfy {
                $0.errorClass == .http4xx && $0.httpStatus == 404
                    && $0.errorMessage == "HTTP 404: No eligible backends for multi-exec"
            } == true)
        #expect(try store.verdicts(runID: run.id, profile: .ailb).allSatisfy { $0.verdict.comparisonType == .single })
        #expect(try store.loadBalancerVerdicts(runID: run.id).isEmpty)

        lb.behavior.write { $0 = .ignoreMode }
        result = try await cli.runDetached(["mini.yaml", "--quiet"])
        run = try store.run("latest")
        rows = try Self.responses(store, run.id)
        #expect(
            rows["lb"]?.allSatisfy {
                $0.errorClass == .badJSON && $0.errorMessage?.contains("with a single chat completion") == true
            } == true)
    }

    @Test func allModeAsksForAllWithTheTargetsAndStoresNoLoadBalancerVerdict() async throws {
        let lb = try await Self.balancer()
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet", "--mode", "all"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(lb.seen.read { $0 }.allSatisfy { $0.headers["x-execution-mode"] == "all" })
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let rows = try Self.responses(store, run.id)
        #expect(Set(rows.keys) == ["m2", "lb/m2", "gentoo"])
        // Our verdict over every answer (4 case repeats × 2 profiles), as in consensus mode; ai-lb was not
        // asked for its own.
        #expect(try store.verdicts(runID: run.id).count == 8)
        #expect(try store.loadBalancerVerdicts(runID: run.id).isEmpty)
    }

    @Test func resumeAsksTheLoadBalancerOnlyForRepeatsWithoutMemberAnswers() async throws {
        let lb = try await Self.balancer()
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let before = try store.loadBalancerVerdicts(runID: run.id)

        // As if the run had been interrupted while case 1 was at the load balancer.
        let queue = try DatabaseQueue(path: cli.databasePath)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM responses WHERE case_position = 1 AND backend != 'm2'")
            try db.execute(sql: "DELETE FROM lb_verdicts WHERE case_position = 1")
            try db.execute(sql: "DELETE FROM verdicts")
            try db.execute(
                sql: """
                    INSERT INTO responses (run_id, case_position, repeat, backend, success, error_class, error_message,
                        latency_ms, attempts, url, raw_body, received_at)
                    VALUES (?, 1, 0, 'lb', 0, 'cancelled', 'cancelled', 0, 1, '', '', '')
                    """, arguments: [run.id])
            try db.execute(sql: "UPDATE runs SET status = 'interrupted', pid = NULL")
        }
        lb.seen.write { $0 = [] }
        #expect(try await cli.runDetached(["runs"]).stdout.contains("7/8"))
        result = try await cli.runDetached(["run", "--resume", "latest", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("1 of 8 requests to go"))
        // Its members are fetched again through the load balancer: none of them is "no longer configured".
        #expect(!result.stderr.contains("no longer configured"), "\(result.stderr)")
        #expect(try await cli.runDetached(["runs"]).stdout.contains("8/8"))
        #expect(lb.seen.read { $0.count } == 1)
        let rows = try Self.responses(store, run.id)
        #expect(rows["lb"] == nil)
        #expect(rows.values.allSatisfy { $0.count == 4 })
        #expect(try store.verdicts(runID: run.id, profile: .ailb).count == 4)
        #expect(try store.loadBalancerVerdicts(runID: run.id).count == before.count)
        #expect(try store.run("latest").status == .completed)
    }

    @Test func retryErrorsSendsTheWholeRequestAgainWhenItOrAnyMemberFailed() async throws {
        let lb = try await Self.balancer(.noEligibleBackends)
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(try Self.responses(store, run.id)["lb"]?.count == 4)

        // The request failed as a whole; now only one member answers: the load balancer's own failure becomes
        // history, and the new answer has failed members, so it failed again.
        lb.behavior.write { $0 = .singleSuccess }
        lb.seen.write { $0 = [] }
        result = try await cli.runDetached(["run", "--resume", "latest", "--retry-errors", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("0 of 8 requests to go; 4 that ended in an error are sent again."), "\(result.stdout)")
        #expect(result.stdout.contains("Retried 4 requests that had ended in an error: 0 succeeded this time, 4 failed again."))
        #expect(lb.seen.read { $0.count } == 4)
        var rows = try Self.responses(store, run.id)
        let anonymous = lb.members[2].address
        #expect(rows["lb"] == nil)
        #expect(rows["lb/m2"]?.allSatisfy(\.success) == true && rows["gentoo"]?.allSatisfy { !$0.success } == true)
        var history = try store.responseAttempts(runID: run.id)
        #expect(history.count == 4 && history.allSatisfy { $0.response.backend == "lb" && $0.response.httpStatus == 404 })

        // One failed member is enough to ask the load balancer again for the whole request: every member's
        // row of the attempt becomes history, the successful one included, so each repeat stays one answer.
        lb.behavior.write { $0 = .normal }
        lb.seen.write { $0 = [] }
        result = try await cli.runDetached(["run", "--resume", "latest", "--retry-errors", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("Retried 4 requests that had ended in an error: 4 succeeded this time, 0 failed again."),
            "\(result.stdout)")
        #expect(lb.seen.read { $0.count } == 4)
        rows = try Self.responses(store, run.id)
        #expect(Set(rows.keys) == ["m2", "lb/m2", "gentoo", anonymous])
        #expect(rows.values.allSatisfy { $0.count == 4 && $0.allSatisfy(\.success) })
        history = try store.responseAttempts(runID: run.id)
        #expect(history.count == 4 + 12)
        #expect(
            Dictionary(grouping: history, by: \.response.backend).mapValues(\.count) == ["lb": 4, "lb/m2": 4, "gentoo": 4, anonymous: 4])
        #expect(history.allSatisfy { $0.attempt == 1 })
        // ai-lb's verdicts and ours are those of the new answers.
        let lbVerdicts = try store.loadBalancerVerdicts(runID: run.id)
        #expect(lbVerdicts.count == 4 && lbVerdicts.allSatisfy { $0.matchesOurs && $0.comparisonType != "single" })
        #expect(try store.verdicts(runID: run.id, profile: .ailb).allSatisfy { $0.verdict.successes == 4 })
        #expect(try store.answeredRequestCount(runID: run.id) == 8)
    }

    @Test func aMemberTimingOutWithoutItsAliasCountsAgainstTheAliasSeenAtItsAddress() async throws {
        // m2 answers the first request, then times out inside ai-lb (reported without its alias).
        let lb = try await Self.balancer(.memberTimesOut(member: 0, fromRequest: 2))
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet", "--concurrency", "1"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let address = lb.members[0].address
        let backends = try store.backends(runID: run.id)
        #expect(!backends.contains { $0.name.contains(address) })
        #expect(backends.map(\.name) == ["m2", "lb", "lb/m2", "gentoo", lb.members[2].address])
        let rows = try Self.responses(store, run.id)
        #expect(rows["lb/m2"]?.map(\.success) == [true, false, false, false])
        #expect(rows["lb/m2"]?.filter { !$0.success }.allSatisfy { $0.errorClass == .timeout && $0.url == address } == true)
        let stats = try RunReportData.load(store: store, runID: run.id).statistics
        let m2 = try #require(stats.backends.first { $0.name == "lb/m2" })
        #expect(m2.quant == "4bit" && m2.family == "qwen2.5-7b-instruct")
        #expect(m2.requests == 4 && m2.errors[.timeout] == 3)
        // ai-lb's winner of a repeat where every member failed would be the nameless timeout: it is lb/m2 too.
        #expect(try store.loadBalancerVerdicts(runID: run.id).allSatisfy(\.matchesOurs))
    }

    @Test func aMemberThatNeverAnswersIsNamedByTheAddressMembersGivesIt() async throws {
        let lb = try await Self.balancer(.memberTimesOut(member: 0, fromRequest: 1))
        let address = lb.members[0].address
        let config = Self.config(lb).replacingOccurrences(
            of: "m2: {quant: 4bit}", with: "m2: {quant: 4bit, address: \"\(address)\"}")
        let cli = try CLIHarness(config: config)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let backends = try store.backends(runID: run.id)
        #expect(!backends.contains { $0.name.contains(address) })
        let m2 = try #require(backends.first { $0.name == "lb/m2" })
        #expect(m2.quant == "4bit" && m2.urls == [address] && m2.via == "lb")
        let rows = try Self.responses(store, run.id)
        #expect(rows["lb/m2"]?.count == 4)
        #expect(rows["lb/m2"]?.allSatisfy { $0.errorClass == .timeout } == true)
        let stats = try RunReportData.load(store: store, runID: run.id).statistics
        #expect(stats.backends.first { $0.name == "lb/m2" }?.errors[.timeout] == 4)
    }

    @Test func anEmptyErrorFromAiLbIsATimeoutAtItsTimeoutsAndOtherwiseAnUpstreamFailure() async throws {
        // gentoo's request ran into the execution timeout (20 s): ai-lb's client timed out without text.
        let lb = try await Self.balancer(.memberEmptyError(member: 1, latencyMs: 20_010))
        let cli = try CLIHarness(config: Self.config(lb))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        var rows = try Self.responses(store, try store.run("latest").id)
        #expect(rows["gentoo"]?.count == 4)
        #expect(
            rows["gentoo"]?.allSatisfy {
                $0.errorClass == .timeout && $0.errorMessage?.hasPrefix("ai-lb gave no error text after 20.0 s") == true
            } == true)

        // Well before either timeout: no reason given, and no sign of a connection problem.
        lb.behavior.write { $0 = .memberEmptyError(member: 1, latencyMs: 850) }
        result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        rows = try Self.responses(store, try store.run("latest").id)
        #expect(rows["gentoo"]?.allSatisfy { $0.errorClass == .upstream && $0.errorMessage == "ai-lb gave no error text" } == true)
        #expect(result.stdout.contains("upstream 4"))
        let csv = try String(contentsOfFile: cli.path("reports/run-2/responses.csv"), encoding: .utf8)
        #expect(csv.contains(",upstream,ai-lb gave no error text,"))

        // request_timeout is ai-lb's REQUEST_TIMEOUT_SECS: reaching it is a timeout too.
        lb.behavior.write { $0 = .memberEmptyError(member: 1, latencyMs: 5_003) }
        let shorter = Self.config(lb).replacingOccurrences(
            of: "execution_timeout: 20", with: "execution_timeout: 20\n    request_timeout: 5")
        try Data(shorter.utf8).write(to: URL(fileURLWithPath: cli.path("config.yaml")))
        result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        rows = try Self.responses(store, try store.run("latest").id)
        #expect(
            rows["gentoo"]?.allSatisfy {
                $0.errorClass == .timeout && $0.errorMessage?.hasSuffix("(request_timeout 5 s)") == true
            } == true)
    }

    @Test func anInterruptedRunShowsTheSameRequestCountInProgressInterruptMessageAndRuns() async throws {
        // A load balancer of its own whose members take 150 ms, so the run can be stopped half-way.
        var slow = MockBehavior()
        slow.latencyMs = 150
        let lb = try await FakeLoadBalancer.start(
            aliases: ["s1", "s2"], suites: try Self.suites(), behaviors: [slow, slow])
        defer { Task { await lb.stop() } }
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: lb, kind: ailb, url: "\(lb.baseURL.absoluteString)", model: m, max_concurrency: 2}
                defaults: {timeout: 30, retries: 0}
                """)
        defer { cli.remove() }
        let child = try cli.start(["mini.yaml", "--repeat", "10"])
        let stopped = try await offThePool { () -> Int32? in
            cli.waitUntil(seconds: 30) { cli.committedResponses() >= 8 }
            child.send(SIGINT)
            return child.wait(seconds: 30)
        }
        #expect(stopped == 130, "\(child.stdout)\(child.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let answered = try store.answeredRequestCount(runID: 1)
        #expect(answered > 0 && answered < 40)
        // Member rows are two per answered request: the counts below are requests, not rows.
        #expect(try store.responseCounts(runID: 1).total > answered)
        let progress = child.stderr.components(separatedBy: "\n").filter { $0.contains("requests answered") }
        #expect(progress.last?.hasPrefix("\(answered)/40 requests answered") == true, "\(child.stderr)")
        #expect(child.stdout.contains("Run 1 was interrupted: \(answered) of 40 requests answered."), "\(child.stdout)")
        let runs = try await cli.runDetached(["runs"])
        #expect(runs.stdout.contains(" \(answered)/40 "), "\(runs.stdout)")
    }

    @Test func noBackendAnsweringShowsEachBackendsFirstErrorsAndTheRunIsFailed() async throws {
        let lb = try await Self.balancer(.noEligibleBackends)
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: down, url: "http://127.0.0.1:1/v1", model: m}
                  - {name: lb, kind: ailb, url: "\(lb.baseURL.absoluteString)", model: m}
                defaults: {timeout: 5, retries: 0}
                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("no backend answered at all in run 1"))
        #expect(!result.stderr.contains("see the errors above"))
        #expect(result.stderr.contains("\n  down: could not connect"), "\(result.stderr)")
        #expect(result.stderr.contains("Connection refused"), "\(result.stderr)")
        #expect(result.stderr.contains("\n  lb: HTTP 404: No eligible backends for multi-exec (×4)"), "\(result.stderr)")
        #expect(try ResultStore(path: cli.databasePath).run("1").status == .failed)
        let runs = try await cli.runDetached(["runs"])
        #expect(runs.stdout.contains("failed"), "\(runs.stdout)")
        #expect(!runs.stdout.contains("completed"))
    }

    @Test func theBackendsProbeChecksHealthAndMultiBackendExecution() async throws {
        let lb = try await Self.balancer()
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: lb, kind: ailb, url: "\(lb.baseURL.absoluteString)", model: auto}
                  - {name: sim, kind: mock, model: auto, preferred_models: [qwen]}
                """)
        defer { cli.remove() }
        var result = try await cli.runDetached(["backends", "--json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let probes = try JSONValue(parsing: result.stdout).arrayValue ?? []
        #expect(probes.count == 2)
        #expect(probes[0]["model"] == "member-model-0")
        #expect(probes[0]["model_listed"] == true)
        #expect(probes[0]["chat_ok"] == true)
        #expect(probes[0]["tool_calls_ok"] == true)
        #expect(probes[0]["health_ok"] == true)
        #expect(probes[0]["members_succeeded"] == 3)
        #expect(probes[0]["members_attempted"] == 3)
        #expect(probes[1]["model"] == "qwen")
        #expect(probes[1]["health_ok"] == .null)
        #expect(lb.seen.read { $0 }.contains { $0.headers["x-execution-mode"] == "all" })

        lb.behavior.write { $0 = .allFailed }
        result = try await cli.runDetached(["backends"])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("members ok"))
        #expect(result.stdout.contains("0/3"))
        #expect(result.stdout.contains("lb: member gentoo: HTTP 500"))
    }
}
