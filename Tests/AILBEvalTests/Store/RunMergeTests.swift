import Foundation
import Testing

@testable import AILBEval

/// How `RunMerge` joins the rows of two parts of a run: each request from the first part that answered it,
/// with what the store keeps beside its answer (members of a load balancer, ai-lb's verdict, headers, answers
/// retries replaced, races).
@Suite struct RunMergeTests {
    static let backends = [
        BackendRecord(position: 0, name: "a", kind: .openai, urls: [], model: "m", family: "f", quant: "8bit"),
        BackendRecord(position: 1, name: "lb", kind: .ailb, urls: [], model: "m", family: "f", quant: ""),
        BackendRecord(position: 2, name: "lb/m1", kind: .ailbMember, urls: ["h:1"], model: "m", family: "f", quant: "", via: "lb"),
        BackendRecord(position: 3, name: "lb/m2", kind: .ailbMember, urls: ["h:2"], model: "m", family: "f", quant: "", via: "lb"),
    ]

    /// A part with the run's two cases and the rows `batch` holds.
    static func part(_ batch: StoreBatch) throws -> (RunMerge.Part, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("merge-\(UUID().uuidString).sqlite").path
        let store = try ResultStore(path: path)
        let runID = try store.createRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "h",
            suitesJSON: "[]", plannedRequests: 4, backends: backends,
            cases: [0, 1].map {
                CaseRecord(
                    position: $0, suite: "s", caseID: "c\($0)", prompt: "p", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 1)
            })
        try store.write(runID: runID, batch: batch)
        return (RunMerge.Part(store: store, runID: runID), path)
    }

    static func answer(_ position: Int, _ backend: String, text: String = "yes", latency: Double = 10) -> ResponseRecord {
        ResponseRecord(
            casePosition: position, repeatIndex: 0, backend: backend, success: true, latencyMs: latency, rawBody: "{}",
            text: text, finishReason: "stop", receivedAt: "t\(latency)")
    }

    static let verdict = Verdict(
        comparisonType: .hash, winner: "lb/m1", agreementCount: 2, disagreement: false, groups: [["lb/m1", "lb/m2"]], successes: 2)

    @Test func eachRequestComesFromOnePartWithEverythingKeptBesideIt() throws {
        // Part one: case 0 answered by `a` and by the load balancer's two members, with ai-lb's verdict and
        // headers, and a retried answer of `a`; a race row. Part two: case 1, and `a`'s answer to case 0 again
        // (the same answer, other timings), and a cancelled answer of `a` to case 1.
        var first = StoreBatch(
            responses: [Self.answer(0, "a"), Self.answer(0, "lb/m1"), Self.answer(0, "lb/m2")],
            loadBalancerVerdicts: [
                LoadBalancerVerdictRecord(
                    casePosition: 0, repeatIndex: 0, backend: "lb", winner: "lb/m1", agreementCount: 2, disagreement: false,
                    comparisonType: "hash", xDisagreement: false, ours: Self.verdict)
            ])
        first.responseHeaders = [
            ResponseHeadersRecord(casePosition: 0, repeatIndex: 0, backend: "lb", headers: ["x-execution-mode": "consensus"])
        ]
        first.attempts = [
            ResponseAttemptRecord(
                attempt: 1, replacedAt: "t1",
                response: ResponseRecord(casePosition: 0, repeatIndex: 0, backend: "a", success: false, errorClass: .http5xx, latencyMs: 3))
        ]
        first.races = [RaceRecord(casePosition: 0, repeatIndex: 0, winner: "a", winnerLatencyMs: 10, stillRunning: ["lb"])]
        var second = StoreBatch(
            responses: [
                Self.answer(0, "a", latency: 99), Self.answer(1, "a"), Self.answer(1, "lb/m1", text: "no"),
                Self.answer(1, "lb/m2", text: "no"),
            ])
        second.responseHeaders = [ResponseHeadersRecord(casePosition: 0, repeatIndex: 0, backend: "lb", headers: ["x-other": "1"])]
        second.races = [RaceRecord(casePosition: 0, repeatIndex: 0, winner: "lb", winnerLatencyMs: 5, stillRunning: [])]
        let (one, pathOne) = try Self.part(first)
        let (two, pathTwo) = try Self.part(second)
        defer { for path in [pathOne, pathTwo] { try? FileManager.default.removeItem(atPath: path) } }

        let merge = try RunMerge(parts: [one, two], members: Self.backends.filter { $0.via != nil })
        let chunk = try merge.merge(casePositions: 0..<2)
        #expect(chunk.conflicts.isEmpty)
        #expect(chunk.duplicates == 1)
        let keys = chunk.batch.responses.map { "\($0.casePosition) \($0.backend) \($0.text ?? "-")" }
        #expect(keys == ["0 a yes", "0 lb/m1 yes", "0 lb/m2 yes", "1 a yes", "1 lb/m1 no", "1 lb/m2 no"])
        // `a`'s answer to case 0 is part one's (its time), with part one's retried attempt.
        #expect(chunk.batch.responses[0].latencyMs == 10)
        #expect(chunk.batch.attempts.map(\.response.errorClass) == [.http5xx])
        // ai-lb's verdict and headers of the load balancer's request go with its members' answers: part one's.
        #expect(chunk.batch.loadBalancerVerdicts.map(\.casePosition) == [0])
        #expect(chunk.batch.responseHeaders.map(\.headers) == [["x-execution-mode": "consensus"]])
        #expect(chunk.batch.races.map(\.winner) == ["a"])

        // Only the cases asked for.
        let onlySecond = try merge.merge(casePositions: 1..<2)
        #expect(onlySecond.batch.responses.allSatisfy { $0.casePosition == 1 } && onlySecond.batch.responses.count == 3)
        #expect(onlySecond.duplicates == 0 && onlySecond.batch.loadBalancerVerdicts.isEmpty)
    }

    @Test func answersThatDifferConflictAndCancelledOnesAreNoAnswers() throws {
        var cancelled = Self.answer(1, "a")
        cancelled.success = false
        cancelled.errorClass = .cancelled
        cancelled.text = nil
        let (one, pathOne) = try Self.part(StoreBatch(responses: [Self.answer(0, "a"), Self.answer(0, "lb/m1"), cancelled]))
        // The same request answered otherwise: a member's text differs; `a` said the same with other timings.
        let (two, pathTwo) = try Self.part(
            StoreBatch(responses: [Self.answer(0, "a", latency: 50), Self.answer(0, "lb/m1", text: "no"), Self.answer(1, "a")]))
        defer { for path in [pathOne, pathTwo] { try? FileManager.default.removeItem(atPath: path) } }

        let merge = try RunMerge(parts: [one, two], members: Self.backends.filter { $0.via != nil })
        let chunk = try merge.merge(casePositions: 0..<2)
        #expect(chunk.conflicts == [RunMerge.Conflict(casePosition: 0, repeatIndex: 0, backend: "lb", first: 0, second: 1)])
        #expect(chunk.duplicates == 1)
        // Case 1: part one's answer was cancelled, so part two's is the answer, and no duplicate.
        #expect(chunk.batch.responses.filter { $0.casePosition == 1 }.map(\.success) == [true])
    }

    @Test func theSameContentIgnoresWhatDiffersBetweenTwoSendings() {
        let answer = Self.answer(0, "a")
        var resent = answer
        resent.latencyMs = 500
        resent.ttftMs = 20
        resent.receivedAt = "later"
        resent.url = "http://replica-2/v1"
        resent.attempts = 2
        resent.rawBody = #"{"id":"chatcmpl-other","created":2}"#
        #expect(answer.hasSameContent(resent))
        let changes: [(inout ResponseRecord) -> Void] = [
            { $0.text = "no" }, { $0.toolCalls = "[]" }, { $0.success = false }, { $0.errorClass = .timeout },
            { $0.httpStatus = 500 }, { $0.finishReason = "length" }, { $0.correct = false }, { $0.totalTokens = 9 },
        ]
        for change in changes {
            var other = answer
            change(&other)
            #expect(!answer.hasSameContent(other))
        }
    }
}
