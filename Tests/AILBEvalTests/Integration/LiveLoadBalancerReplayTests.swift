import Foundation
import Testing

@testable import AILBEval

/// What the real ai-lb answered on loopback (Fixtures/ailb-live/README.md), read back through ailb-eval:
/// its verdict must equal ours over the members it reported, taken apart as a `kind: ailb` run takes them
/// apart, and a real run against the recordings must store the members and ai-lb's verdicts as sent.
@Suite(.serialized) struct LiveLoadBalancerReplayTests {
    /// One recorded request to ai-lb and its answer.
    struct Recording {
        var caseID: String
        var mode: String
        var status: Int
        /// Response headers, names in lower case.
        var headers: [String: String]
        /// The response body's text as received.
        var body: String
        /// The members ai-lb knew: host:port and the alias it was configured with, if any.
        var members: [(address: String, alias: String?)]
        /// ai-lb's verdict as sent (consensus mode, HTTP 200 only).
        var verdict: JSONValue?
        /// ai-lb's own `compute_consensus` run over the members as reported (threshold 0.9).
        var referenceVerdict: JSONValue?

        /// The body parsed, when it is JSON.
        var json: JSONValue? { try? JSONValue(parsing: body) }

        /// The members' items in ai-lb's order.
        var items: [JSONValue] { json?[mode == "consensus" ? "all_responses" : "responses"]?.arrayValue ?? [] }

        /// The alias ai-lb was configured with for `address`.
        func configuredAlias(_ address: String) -> String? {
            members.first { $0.address == address }?.alias ?? nil
        }
    }

    static func recordings(_ mode: String) throws -> [Recording] {
        let text = try String(contentsOf: try CLIHarness.fixture("ailb-live/\(mode).jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let value = try JSONValue(parsing: String(line))
            var headers: [String: String] = [:]
            for (name, header) in value["headers"]?.objectValue ?? [:] { headers[name] = header.stringValue ?? "" }
            let members = (value["members"]?.arrayValue ?? []).map {
                (address: $0["address"]?.stringValue ?? "", alias: $0["alias"]?.stringValue)
            }
            return Recording(
                caseID: try #require(value["case"]?.stringValue), mode: try #require(value["mode"]?.stringValue),
                status: try #require(value["status"]?.intValue), headers: headers,
                body: try #require(value["body"]?.stringValue), members: members,
                verdict: value["verdict"].flatMap { $0 == .null ? nil : $0 },
                referenceVerdict: value["python_verdict"].flatMap { $0 == .null ? nil : $0 })
        }
    }

    /// The naming of a run whose only backend is the load balancer `lb`.
    static let naming = MemberNaming(
        loadBalancer: "lb", backends: [BackendConfig(name: "lb", kind: .ailb, model: "edge-model")])

    /// The recorded answer as the HTTP transport hands it to the run.
    static func response(_ recording: Recording) -> BackendResponse {
        var response = BackendResponse(
            httpStatus: recording.status, latencyMs: 1, rawBody: recording.body, url: "127.0.0.1:9180")
        response.headers = recording.headers
        if (200..<300).contains(recording.status) {
            response.body = recording.json
        } else {
            response.errorClass = recording.status >= 500 ? .http5xx : .http4xx
            response.errorMessage = "HTTP \(recording.status)"
        }
        return response
    }

    /// "N of M differ: first 20 ids with what differed".
    static func report(_ failures: [(id: String, detail: String)], of total: Int) -> String {
        "\(failures.count) of \(total) recorded cases differ; first \(min(20, failures.count)):\n"
            + failures.prefix(20).map { "\($0.id): \($0.detail)" }.joined(separator: "\n")
    }

    /// What differs between a verdict and the expected fields (`winner`, `agreement_count`, `disagreement`,
    /// `comparison_type`), one phrase each.
    static func differences(_ verdict: Verdict, from expected: (String, Int, Bool, String)) -> [String] {
        var result: [String] = []
        if verdict.winner != expected.0 { result.append("winner \(verdict.winner) (ai-lb: \(expected.0))") }
        if verdict.agreementCount != expected.1 {
            result.append("agreement_count \(verdict.agreementCount) (ai-lb: \(expected.1))")
        }
        if verdict.disagreement != expected.2 { result.append("disagreement \(verdict.disagreement) (ai-lb: \(expected.2))") }
        if verdict.comparisonType.rawValue != expected.3 {
            result.append("comparison_type \(verdict.comparisonType.rawValue) (ai-lb: \(expected.3))")
        }
        return result
    }

    // MARK: The recorded answers, taken apart without a network

    @Test func oursEqualsAiLbsVerdictOnEveryRecordedConsensusAnswer() throws {
        let recordings = try Self.recordings("consensus")
        #expect(recordings.count == 71)
        var failures: [(id: String, detail: String)] = []
        var judged = 0
        for recording in recordings where recording.status == 200 {
            let answer = LoadBalancerAnswer.interpret(Self.response(recording), mode: .consensus, naming: Self.naming)
            guard answer.failure == nil, let reported = answer.verdict, let sent = recording.verdict else {
                failures.append((recording.caseID, "not read as a consensus answer: \(answer.failure?.errorMessage ?? "no verdict")"))
                continue
            }
            judged += 1
            // ai-lb's verdict is read as it was sent.
            let winnerAddress = sent["winner"]?.stringValue ?? ""
            let winnerName = Self.naming.name(alias: sent["winner_alias"]?.stringValue, address: winnerAddress)
            let read = (
                reported.winner, reported.agreementCount, reported.disagreement, reported.comparisonType,
                reported.xDisagreement
            )
            let expected = (
                winnerName, sent["agreement_count"]?.intValue ?? -1, sent["disagreement"]?.boolValue ?? false,
                sent["comparison_type"]?.stringValue ?? "", sent["x_disagreement"]?.boolValue ?? false
            )
            if read != expected { failures.append((recording.caseID, "ai-lb's verdict read as \(read), sent \(expected)")) }
            #expect(answer.members.count == recording.items.count)
            // Ours over the members in ai-lb's order, with ai-lb's success flags.
            let ours = ConsensusJudge(profile: .ailb, threshold: 0.9).verdict(answer.members.map(\.asLoadBalancerCandidate))
            let different = Self.differences(ours, from: (expected.0, expected.1, expected.2, expected.3))
            if !different.isEmpty { failures.append((recording.caseID, different.joined(separator: ", "))) }
        }
        #expect(judged == 69)
        let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
        #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: judged)))
    }

    /// In `all` mode ai-lb sends no verdict; the reference is its own consensus code run over the members it
    /// reported (recorded beside each answer).
    @Test func oursEqualsTheReferenceOverEveryRecordedAllAnswer() throws {
        let recordings = try Self.recordings("all")
        #expect(recordings.count == 15)
        var failures: [(id: String, detail: String)] = []
        var judged = 0
        for recording in recordings where recording.status == 200 {
            let answer = LoadBalancerAnswer.interpret(Self.response(recording), mode: .all, naming: Self.naming)
            guard answer.failure == nil, let reference = recording.referenceVerdict else {
                failures.append((recording.caseID, "not read as an all answer: \(answer.failure?.errorMessage ?? "?")"))
                continue
            }
            judged += 1
            #expect(answer.verdict == nil)
            let ours = ConsensusJudge(profile: .ailb, threshold: 0.9).verdict(answer.members.map(\.asLoadBalancerCandidate))
            let winner = Self.naming.name(
                alias: reference["winner_alias"]?.stringValue, address: reference["winner"]?.stringValue ?? "")
            let different = Self.differences(
                ours,
                from: (
                    winner, reference["agreement_count"]?.intValue ?? -1, reference["disagreement"]?.boolValue ?? false,
                    reference["comparison_type"]?.stringValue ?? ""
                ))
            if !different.isEmpty { failures.append((recording.caseID, different.joined(separator: ", "))) }
        }
        #expect(judged == 14)
        let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
        #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: judged)))
    }

    /// ai-lb cannot send a member body holding a lone surrogate or NaN (its JSON encoder refuses them) and
    /// answers 500 with a plain-text body: one failure of the whole request, no members, no verdict.
    @Test func aiLbsOwnServerErrorIsOneFailureWithoutMembers() throws {
        let failed = try (Self.recordings("consensus") + Self.recordings("all")).filter { $0.status != 200 }
        #expect(Set(failed.map(\.caseID)) == ["uni-lone-surrogate", "nan-in-body", "all-uni-lone-surrogate"])
        for recording in failed {
            let mode: RunMode = recording.mode == "all" ? .all : .consensus
            let answer = LoadBalancerAnswer.interpret(Self.response(recording), mode: mode, naming: Self.naming)
            #expect(answer.members.isEmpty)
            #expect(answer.verdict == nil)
            #expect(answer.failure?.errorClass == .http5xx)
            #expect(recording.body == "Internal Server Error")
        }
    }

    // MARK: A real `kind: ailb` run against the recordings

    static func config(_ lb: FakeLoadBalancer) -> String {
        """
        backends:
          - name: lb
            kind: ailb
            url: \(lb.baseURL.absoluteString)
            model: edge-model
            max_backends: 3
            execution_timeout: 20
        defaults: {timeout: 30, retries: 0, concurrency: 1}
        """
    }

    /// A suite of the recordings' cases; each prompt names its case as the recording's prompt did.
    static func suite(_ name: String, _ recordings: [Recording]) -> String {
        "name: \(name)\ncases:\n"
            + recordings.map { "  - id: \"\($0.caseID)\"\n    prompt: \"[case:\($0.caseID)] Answer the scripted question.\"\n" }
            .joined()
    }

    /// Serves every recording and runs `mode` over the recordings of that mode.
    static func replayedRun(_ mode: String) async throws -> (CLIHarness, [Recording], CLIHarness.Result, FakeLoadBalancer) {
        let all = try recordings("consensus") + recordings("all")
        var answers: [String: FakeLoadBalancer.RecordedAnswer] = [:]
        for recording in all {
            answers["\(recording.mode)/\(recording.caseID)"] = .init(
                status: recording.status, headers: recording.headers, body: recording.body)
        }
        let lb = try await FakeLoadBalancer.start(aliases: [], suites: [], behavior: .replay(answers))
        let cli = try CLIHarness(config: config(lb))
        let chosen = all.filter { $0.mode == mode }
        try Data(suite("live-\(mode)", chosen).utf8).write(to: cli.directory.appendingPathComponent("live.yaml"))
        let result = try await cli.runDetached(["live.yaml", "--quiet", "--mode", mode])
        return (cli, chosen, result, lb)
    }

    @Test func aConsensusRunThroughTheRecordingsStoresAiLbsVerdictsAndTheyMatchOurs() async throws {
        let (cli, recordings, result, lb) = try await Self.replayedRun("consensus")
        defer { cli.remove() }
        #expect(lb.seen.read { $0 }.count == recordings.count)
        #expect(lb.seen.read { $0 }.allSatisfy { $0.headers["x-execution-mode"] == "consensus" })
        await lb.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")

        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let cases = Dictionary(uniqueKeysWithValues: try store.cases(runID: run.id).map { ($0.position, $0.caseID) })
        let byID = Dictionary(uniqueKeysWithValues: recordings.map { ($0.caseID, $0) })
        let rows = try store.loadBalancerVerdicts(runID: run.id)
        #expect(rows.count == recordings.count(where: { $0.status == 200 }))
        var stored: [(id: String, detail: String)] = []
        var parity: [(id: String, detail: String)] = []
        for row in rows {
            let id = cases[row.casePosition] ?? "?"
            guard let sent = byID[id]?.verdict else {
                stored.append((id, "a verdict row for a case without a recorded verdict"))
                continue
            }
            // The winner is named as the run names that member: its alias, or the alias configured for its
            // address when ai-lb left the alias out.
            let address = sent["winner"]?.stringValue ?? ""
            let names = Set([sent["winner_alias"]?.stringValue, byID[id]?.configuredAlias(address), address].compactMap { $0 })
            if !names.contains(row.winner) { stored.append((id, "winner \(row.winner), ai-lb sent \(names.sorted())")) }
            if row.agreementCount != sent["agreement_count"]?.intValue || row.disagreement != sent["disagreement"]?.boolValue
                || row.comparisonType != sent["comparison_type"]?.stringValue
                || row.xDisagreement != sent["x_disagreement"]?.boolValue
            {
                stored.append((id, "stored \(row.agreementCount) \(row.disagreement) \(row.comparisonType) \(row.xDisagreement)"))
            }
            if !row.matchesOurs { parity.append((id, row.differences.joined(separator: ", "))) }
        }
        let storedCount = stored.count  // a count: the failure message is the report, not the whole list
        #expect(storedCount == 0, Comment(rawValue: Self.report(stored, of: rows.count)))
        let parityCount = parity.count  // a count: the failure message is the report, not the whole list
        #expect(parityCount == 0, Comment(rawValue: Self.report(parity, of: rows.count)))
        #expect(try store.loadBalancerDisagreements(runID: run.id).count == parity.count)
    }

    /// Every member row as ai-lb reported it: named by its alias (or, when ai-lb dropped it on its timeout
    /// path, by the alias configured for that address, which the run has seen there before), a success only
    /// with a chat completion, failures with ai-lb's error text; ai-lb's own 500 is one row under `lb`.
    @Test func aConsensusRunThroughTheRecordingsStoresEveryMemberAsReported() async throws {
        let (cli, recordings, result, lb) = try await Self.replayedRun("consensus")
        defer { cli.remove() }
        await lb.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let positions = Dictionary(uniqueKeysWithValues: try store.cases(runID: run.id).map { ($0.caseID, $0.position) })
        var rowsByCase: [Int: [ResponseRecord]] = [:]
        try store.forEachResponse(runID: run.id) { rowsByCase[$0.casePosition, default: []].append($0) }
        var failures: [(id: String, detail: String)] = []
        for recording in recordings {
            let rows = rowsByCase[positions[recording.caseID] ?? -1] ?? []
            if recording.status != 200 {
                if rows.map(\.backend) != ["lb"] || rows.first?.httpStatus != recording.status {
                    failures.append((recording.caseID, "rows \(rows.map(\.backend)) for ai-lb's \(recording.status)"))
                }
                continue
            }
            var expected: [String: (success: Bool, error: String?)] = [:]
            for item in recording.items {
                let address = item["backend"]?.stringValue ?? ""
                let name = item["alias"]?.stringValue ?? recording.configuredAlias(address) ?? address
                let response = item["response"]
                let completion = response?["choices"]?.arrayValue?.first?.objectValue != nil
                let success = item["success"]?.boolValue == true && completion
                expected[name] = (success, success ? nil : item["error"]?.stringValue)
            }
            let actual = Dictionary(rows.map { ($0.backend, $0) }, uniquingKeysWith: { first, _ in first })
            if Set(actual.keys) != Set(expected.keys) {
                failures.append((recording.caseID, "members \(actual.keys.sorted()), expected \(expected.keys.sorted())"))
                continue
            }
            for (name, want) in expected {
                guard let row = actual[name] else { continue }
                if row.success != want.success {
                    failures.append((recording.caseID, "\(name) success \(row.success), expected \(want.success)"))
                } else if let error = want.error, !error.isEmpty, row.errorMessage != error {
                    // (ai-lb's empty error text, its own read timeout, is classified by the run: not compared here)
                    failures.append((recording.caseID, "\(name) error \(row.errorMessage ?? "nil"), ai-lb sent \(error.debugDescription)"))
                }
            }
        }
        let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
        #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: recordings.count)))
    }

    @Test func anAllRunThroughTheRecordingsStoresEveryMemberAndNoVerdict() async throws {
        let (cli, recordings, result, lb) = try await Self.replayedRun("all")
        defer { cli.remove() }
        #expect(lb.seen.read { $0 }.allSatisfy { $0.headers["x-execution-mode"] == "all" })
        await lb.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(try store.loadBalancerVerdicts(runID: run.id).isEmpty)
        var rows = 0
        try store.forEachResponse(runID: run.id) { _ in rows += 1 }
        let expected = recordings.reduce(0) { $0 + ($1.status == 200 ? $1.items.count : 1) }
        #expect(rows == expected)
    }
}
