import Foundation
import Testing

@testable import AILBEval

/// The mode advisor against the real ai-lb (Fixtures/ailb-modes/README.md): from ailb-eval's own `all` run
/// straight at three scripted backends, `ModeReplay` predicts each case's race and consensus answer and each
/// member's answer in sequence; ai-lb, in front of the same backends, was asked the same cases in those modes.
@Suite struct LiveModesReplayTests {
    /// One case of the suite, as scripted.
    struct ScriptedCase {
        var id: String
        /// Every outcome is decided by a margin of at least 100 ms, or by an order ai-lb keeps fixed.
        var deterministic: Bool
        /// The mode whose prediction is known to differ from what ai-lb returns, and why.
        var knownDifference: (mode: String, why: String)?
    }

    /// One backend's answer in the direct `all` run, as the run stored it.
    struct DirectAnswer {
        var backend: String
        var success: Bool
        var response: BackendResponse
        /// The answer as the judge reads it; empty for a failure.
        var answer: ExtractedAnswer { ExtractedAnswer(body: response.body) }
    }

    /// One case of the direct `all` run.
    struct DirectRun {
        var caseID: String
        /// In the run's config order, which is ai-lb's member order.
        var answers: [DirectAnswer]
        /// The stored `ailb` verdict's winner (nil without a success) and comparison type.
        var storedWinner: String?
        var storedComparisonType: String

        func answer(_ backend: String) -> DirectAnswer? { answers.first { $0.backend == backend } }
    }

    /// One request to ai-lb and its answer.
    struct Recording {
        var caseID: String
        var mode: String
        var status: Int
        /// Response headers, names in lower case.
        var headers: [String: String]
        /// The body's text as received.
        var body: String
        /// host:port → the alias ai-lb was configured with (the direct run's backend name).
        var aliases: [String: String]

        var json: JSONValue? { try? JSONValue(parsing: body) }

        /// The members ai-lb asked (`x-backends-attempted`), by alias, in its order.
        var attempted: [String] {
            (headers["x-backends-attempted"] ?? "").split(separator: ",").map { aliases[String($0)] ?? String($0) }
        }

        /// The answer as the HTTP transport hands it to a `kind: ailb` run.
        var response: BackendResponse {
            var response = BackendResponse(httpStatus: status, latencyMs: 1, rawBody: body, url: "127.0.0.1:9180")
            response.headers = headers
            if (200..<300).contains(status) {
                response.body = json
            } else {
                response.errorClass = status >= 500 ? .http5xx : .http4xx
                response.errorMessage = "HTTP \(status)"
            }
            return response
        }
    }

    static func lines(_ file: String) throws -> [JSONValue] {
        let text = try String(contentsOf: try CLIHarness.fixture("ailb-modes/\(file)"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    }

    static func cases() throws -> [ScriptedCase] {
        try lines("cases.jsonl").map { line in
            let known = line["known_difference"]?.objectValue
            return ScriptedCase(
                id: try #require(line["case"]?.stringValue), deterministic: try #require(line["deterministic"]?.boolValue as Bool?),
                knownDifference: try known.map { difference in
                    (mode: try #require(difference["mode"]?.stringValue), why: try #require(difference["why"]?.stringValue))
                })
        }
    }

    static func directRuns() throws -> [String: DirectRun] {
        let runs = try lines("direct.jsonl").map { line in
            let answers = try (line["answers"]?.arrayValue ?? []).map { item in
                let success = try #require(item["success"]?.boolValue as Bool?)
                let raw = try #require(item["raw_body"]?.stringValue)
                var response = BackendResponse(
                    httpStatus: item["http_status"]?.intValue, latencyMs: try #require(item["latency_ms"]?.numberValue),
                    rawBody: raw, url: item["url"]?.stringValue ?? "")
                if success {
                    response.body = try JSONValue(parsing: raw)
                } else {
                    response.errorClass = ErrorClass(rawValue: try #require(item["error_class"]?.stringValue))
                    response.errorMessage = item["error_message"]?.stringValue
                }
                return DirectAnswer(backend: try #require(item["backend"]?.stringValue), success: success, response: response)
            }
            let verdict = try #require(line["ailb_verdict"])
            return DirectRun(
                caseID: try #require(line["case"]?.stringValue), answers: answers,
                storedWinner: verdict["successes"]?.intValue == 0 ? nil : verdict["winner"]?.stringValue,
                storedComparisonType: try #require(verdict["comparison_type"]?.stringValue))
        }
        return Dictionary(uniqueKeysWithValues: runs.map { ($0.caseID, $0) })
    }

    static func recordings(_ mode: String) throws -> [String: Recording] {
        let recordings = try lines("\(mode).jsonl").map { value in
            var headers: [String: String] = [:]
            for (name, header) in value["headers"]?.objectValue ?? [:] { headers[name] = header.stringValue ?? "" }
            var aliases: [String: String] = [:]
            for member in value["members"]?.arrayValue ?? [] {
                if let address = member["address"]?.stringValue, let alias = member["alias"]?.stringValue { aliases[address] = alias }
            }
            return Recording(
                caseID: try #require(value["case"]?.stringValue), mode: try #require(value["mode"]?.stringValue),
                status: try #require(value["status"]?.intValue), headers: headers,
                body: try #require(value["body"]?.stringValue), aliases: aliases)
        }
        return Dictionary(uniqueKeysWithValues: recordings.map { ($0.caseID, $0) })
    }

    /// The naming of a run whose only backend is the load balancer `lb`: members are named by their aliases.
    static let naming = MemberNaming(
        loadBalancer: "lb", backends: [BackendConfig(name: "lb", kind: .ailb, model: "edge-model")])

    /// The direct run's answers to a case as the advisor replays them (from their stored rows), limited to the
    /// members ai-lb asked.
    static func replayed(_ run: DirectRun, among members: [String]) -> [ReplayedAnswer] {
        run.answers.filter { members.contains($0.backend) }.map {
            ReplayedAnswer(
                ResponseRecord(
                    casePosition: 0, repeatIndex: 0, backend: $0.backend, success: $0.success,
                    errorClass: $0.response.errorClass, httpStatus: $0.response.httpStatus, latencyMs: $0.response.latencyMs))
        }
    }

    /// The `ailb` verdict over the direct run's answers among `members`, judged as a run judges them.
    static func verdict(_ run: DirectRun, among members: [String]) -> Verdict {
        let responses = run.answers.filter { members.contains($0.backend) }.map { (backend: $0.backend, response: $0.response) }
        return CaseAssessor(threshold: 0.9).judgement(of: responses, expect: nil)[0].verdict
    }

    /// The completion's `id`, which names the port that answered ("chatcmpl-9101").
    static func completionID(_ body: JSONValue?) -> String? { body?["id"]?.stringValue }

    // MARK: What each mode returned against the prediction

    /// Why the race `ModeReplay` predicts from `run` differs from what ai-lb returned, or nil when they match.
    /// `members`: those ai-lb asked (a failed race reports none; ai-lb selects the same members in every mode).
    static func raceDifference(_ run: DirectRun, _ recording: Recording, members: [String]) -> String? {
        guard let pick = ModeReplay.race(replayed(run, among: members)) else { return "nothing to replay" }
        guard let winner = pick.backend else {
            // No answer: the race ended on a body ai-lb passes on as a success (the failure at the pick's time),
            // or every member failed and ai-lb answered 502.
            let passedOn = run.answers.first {
                members.contains($0.backend) && !$0.success && $0.response.latencyMs == pick.latencyMs
                    && LoadBalancerVote.passesOn(
                        errorClass: $0.response.errorClass, httpStatus: $0.response.httpStatus,
                        errorMessage: $0.response.errorMessage)
            }
            guard let passedOn else {
                return recording.status == 502 ? nil : "predicted a failed race; ai-lb answered \(recording.status)"
            }
            // ai-lb sends the body as it parsed it, or as {"raw": text} when it is not JSON.
            let raw = passedOn.response.rawBody
            let expected = (try? JSONValue(parsing: raw)) ?? .object(["raw": .string(raw)])
            if recording.status == 200, recording.json == expected { return nil }
            return
                "predicted \(passedOn.backend)'s body \(raw.prefix(200)); ai-lb answered \(recording.status): \(recording.body.prefix(200))"
        }
        guard recording.status == 200, let body = recording.json, LoadBalancerAnswer.completionProblem(body) == nil else {
            return "predicted \(winner)'s answer; ai-lb answered \(recording.status): \(recording.body.prefix(200))"
        }
        guard let direct = run.answer(winner) else { return "no direct answer of \(winner)" }
        if ExtractedAnswer(body: body) != direct.answer {
            return "predicted \(winner)'s answer \(direct.answer); ai-lb returned \(ExtractedAnswer(body: body))"
        }
        if completionID(body) != completionID(direct.response.body) {
            return "the same answer, but ai-lb's came from \(completionID(body) ?? "?"), not \(winner)"
        }
        return nil
    }

    /// Why the consensus answer `ModeReplay` predicts from `run` (with the `ailb` verdict over the members ai-lb
    /// asked) is not ai-lb's winner and its answer, or nil when it is.
    static func consensusDifference(_ run: DirectRun, _ recording: Recording) -> String? {
        let members = recording.attempted
        let verdict = verdict(run, among: members)
        let pick = ModeReplay.consensus(replayed(run, among: members), verdict: verdict)
        guard let pick else { return "nothing to replay" }
        guard recording.status == 200, let body = recording.json, let winner = body["winner"] else {
            return "ai-lb answered \(recording.status) without a verdict"
        }
        let type = body["comparison_type"]?.stringValue ?? "?"
        let address = winner["backend"]?.stringValue ?? ""
        let name = naming.name(alias: winner["alias"]?.stringValue, address: address)
        guard verdict.successes > 0 else {
            return type == "none" ? nil : "predicted no answer; ai-lb's winner is \(name) (\(type))"
        }
        guard type != "none" else { return "predicted \(verdict.winner)'s answer; ai-lb had no successful answer" }
        let counts = (body["agreement_count"]?.intValue, body["disagreement"]?.boolValue)
        if type != verdict.comparisonType.rawValue || counts.0 != verdict.agreementCount || counts.1 != verdict.disagreement {
            return
                "predicted \(verdict.comparisonType.rawValue), \(verdict.agreementCount) agreeing, disagreement "
                + "\(verdict.disagreement); ai-lb: \(type), \(counts.0 ?? -1), \(counts.1.map(String.init) ?? "?")"
        }
        guard let direct = run.answers.first(where: { $0.backend == verdict.winner }) else {
            return "no direct answer of \(verdict.winner)"
        }
        // The winner may be an error body ai-lb passes on: then the pick has no answer, and ai-lb returns
        // the body as it parsed it.
        if pick.backend == nil {
            let raw = direct.response.rawBody
            let expected = (try? JSONValue(parsing: raw)) ?? .object(["raw": .string(raw)])
            if name != verdict.winner || winner["response"] != expected {
                return "predicted \(verdict.winner)'s error body; ai-lb's winner is \(name) with \(winner["response"] ?? .null)"
            }
            return nil
        }
        let returned = ExtractedAnswer(body: winner["response"])
        if name != verdict.winner || returned != direct.answer {
            return "predicted \(verdict.winner)'s answer \(direct.answer); ai-lb's winner is \(name) with \(returned)"
        }
        return nil
    }

    /// One difference per member of ai-lb's sequence answer that is not the member's own direct answer.
    static func sequenceDifferences(_ run: DirectRun, _ recording: Recording) -> (members: Int, differences: [String]) {
        let answer = LoadBalancerAnswer.interpret(recording.response, mode: .sequence, naming: naming)
        if let failure = answer.failure { return (0, ["not read as a sequence answer: \(failure.errorMessage ?? "?")"]) }
        let replayed = replayed(run, among: recording.attempted)
        var differences: [String] = []
        for member in answer.members {
            guard let pick = ModeReplay.alone(replayed, backend: member.name), let direct = run.answer(member.name) else {
                differences.append("\(member.name): not asked in the direct run")
                continue
            }
            if (pick.backend != nil) != member.response.isSuccess {
                differences.append(
                    "\(member.name): predicted \(pick.backend == nil ? "a failure" : "an answer"), ai-lb reported "
                        + (member.response.errorMessage ?? "an answer"))
            } else if member.response.isSuccess, ExtractedAnswer(body: member.response.body) != direct.answer {
                differences.append("\(member.name): \(ExtractedAnswer(body: member.response.body)) ≠ \(direct.answer)")
            } else if !member.response.isSuccess, member.response.errorClass != direct.response.errorClass {
                differences.append(
                    "\(member.name): failed as \(member.response.errorClass?.rawValue ?? "?") through ai-lb, "
                        + "\(direct.response.errorClass?.rawValue ?? "?") directly")
            }
        }
        return (answer.members.count, differences)
    }

    /// Matches and differences of one mode over the cases.
    struct Tally {
        var matched = 0
        var compared = 0
        /// Differences in deterministic cases that are not known: each fails the test.
        var unexpected: [String] = []
        /// Cases marked with a known difference in this mode, and whether it still differs.
        var known: [(id: String, stillDiffers: Bool)] = []
        var summary: String { "\(matched)/\(compared)" }
    }

    @Test func theAdvisorPredictsWhatAiLbReturnedInEveryMode() throws {
        let cases = try Self.cases()
        let direct = try Self.directRuns()
        let (race, sequence, consensus) = try (Self.recordings("race"), Self.recordings("sequence"), Self.recordings("consensus"))
        #expect(cases.count == 21)
        var tallies = ["race": Tally(), "consensus": Tally(), "sequence": Tally()]
        for scripted in cases where scripted.deterministic {
            let run = try #require(direct[scripted.id])
            let asked = try #require(consensus[scripted.id])
            let inSequence = Self.sequenceDifferences(run, try #require(sequence[scripted.id]))
            let differences: [(mode: String, compared: Int, found: [String])] = [
                (
                    "race", 1,
                    Self.raceDifference(run, try #require(race[scripted.id]), members: asked.attempted).map { [$0] } ?? []
                ),
                ("consensus", 1, Self.consensusDifference(run, asked).map { [$0] } ?? []),
                ("sequence", inSequence.members, inSequence.differences),
            ]
            for (mode, compared, found) in differences {
                if scripted.knownDifference?.mode == mode {
                    tallies[mode]!.known.append((scripted.id, !found.isEmpty))
                    continue
                }
                tallies[mode]!.compared += compared
                tallies[mode]!.matched += compared - found.count
                tallies[mode]!.unexpected += found.map { "\(scripted.id) (\(mode)): \($0)" }
            }
        }
        let report =
            "race \(tallies["race"]!.summary), consensus \(tallies["consensus"]!.summary), "
            + "sequence \(tallies["sequence"]!.summary) member answers"
        print("ai-lb modes against the advisor's predictions: \(report)")
        let unexpected = tallies.values.flatMap(\.unexpected)
        #expect(unexpected.isEmpty, Comment(rawValue: report + "; differences:\n" + unexpected.joined(separator: "\n")))
        // Every deterministic case is compared in race and consensus, and each member ai-lb asked in sequence.
        #expect(tallies["race"]!.compared + tallies["race"]!.known.count == cases.count(where: \.deterministic))
        #expect(tallies["sequence"]!.compared == 62)
        // A known difference that went away is to be unmarked in cases.jsonl (and counted again).
        for (mode, tally) in tallies {
            for known in tally.known { #expect(known.stillDiffers, "\(known.id) (\(mode)) now matches: unmark it") }
        }
    }

    // MARK: The recordings themselves

    /// The direct run judged its answers in ai-lb's member order, and the verdict rebuilt here from its
    /// stored answers is the one it stored.
    @Test func theDirectRunIsJudgedInAiLbsMemberOrder() throws {
        let direct = try Self.directRuns()
        let consensus = try Self.recordings("consensus")
        let others = ["race": try Self.recordings("race"), "sequence": try Self.recordings("sequence")]
        #expect(direct.count == 21)
        for (id, run) in direct {
            let recording = try #require(consensus[id])
            let names = run.answers.map(\.backend)
            // Its first max_backends members (all three but in `max-backends-two`).
            #expect(Array(names.prefix(recording.attempted.count)) == recording.attempted, "\(id)")
            // ai-lb asks the same members, in the same order, in every mode (a failed race reports none).
            for (mode, recordings) in others {
                let other = try #require(recordings[id])
                #expect(other.attempted == (other.status == 200 ? recording.attempted : []), "\(id) \(mode)")
            }
            let verdict = Self.verdict(run, among: names)
            let winner: String? = verdict.successes > 0 ? verdict.winner : nil
            #expect(winner == run.storedWinner, "\(id)")
            #expect(verdict.comparisonType.rawValue == run.storedComparisonType, "\(id)")
        }
    }

    /// ailb-eval reads ai-lb's race and sequence answers: a race body is the winner's chat completion (or a
    /// body that is none, when ai-lb let an error body win), a sequence body lists every member it asked, in
    /// its order.
    @Test func aiLbsRaceAndSequenceAnswersReadAsAilbEvalReadsThem() throws {
        let race = try Self.recordings("race")
        let sequence = try Self.recordings("sequence")
        #expect(race.count == 21 && sequence.count == 21)
        var withoutCompletion: [String] = []
        for (id, recording) in race {
            guard recording.status == 200 else {
                #expect(recording.status == 502 && id == "text-all-fail", "\(id)")
                continue
            }
            #expect(recording.headers["x-execution-mode"] == "race", "\(id)")
            let body = try #require(recording.json)
            if LoadBalancerAnswer.completionProblem(body) != nil {
                withoutCompletion.append(id)
            } else {
                #expect(!ExtractedAnswer(body: body).text.isEmpty || !ExtractedAnswer(body: body).toolCalls.isEmpty, "\(id)")
            }
        }
        #expect(Set(withoutCompletion) == ["text-fastest-400", "text-fastest-not-json", "text-400-first-in-order"])
        for (id, recording) in sequence {
            let answer = LoadBalancerAnswer.interpret(recording.response, mode: .sequence, naming: Self.naming)
            #expect(answer.failure == nil, "\(id)")
            #expect(answer.verdict == nil)
            #expect(answer.members.map(\.name) == recording.attempted, "\(id)")
        }
    }
}
