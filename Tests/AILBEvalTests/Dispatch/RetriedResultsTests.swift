import Foundation
import Testing

@testable import AILBEval

/// How the answers of requests sent again after an error (`--retry-errors`) are stored.
@Suite struct RetriedResultsTests {
    static func setUp() throws -> (ResultStore, Int64, RunPlan, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retry-\(UUID().uuidString).sqlite").path
        let store = try ResultStore(path: path)
        let suite = try SuiteLoader.parse(yaml: "name: s\ncases:\n  - {id: c1, prompt: hi}\n", file: "s.yaml")
        let backends = ["a", "b"].map { BackendConfig(name: $0, kind: .openai, model: "m") }
        let plan = RunPlan(suites: [suite], backends: backends, defaults: RunDefaults())
        let runID = try store.createRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "h",
            suitesJSON: "[]", plannedRequests: 2,
            backends: backends.enumerated().map {
                BackendRecord(position: $0, name: $1.name, kind: .openai, urls: [], model: "m", family: "m", quant: "")
            },
            cases: [
                CaseRecord(position: 0, suite: "s", caseID: "c1", prompt: "hi", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 1)
            ])
        try store.write(
            runID: runID,
            responses: [
                ResponseRecord(casePosition: 0, repeatIndex: 0, backend: "a", success: true, latencyMs: 5, rawBody: "{}", receivedAt: "t0"),
                ResponseRecord(
                    casePosition: 0, repeatIndex: 0, backend: "b", success: false, errorClass: .http5xx, errorMessage: "HTTP 500",
                    httpStatus: 500, latencyMs: 7, receivedAt: "t0"),
            ], verdicts: [])
        return (store, runID, plan, path)
    }

    static func rows(_ store: ResultStore, _ runID: Int64) throws -> [ResponseRecord] {
        var all: [ResponseRecord] = []
        try store.forEachResponse(runID: runID) { all.append($0) }
        return all
    }

    @Test func aRetryCutShortLeavesTheErrorAsTheAnswerAndARetryThatFailsAgainKeepsTheFirst() throws {
        let (store, runID, plan, path) = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = try Self.rows(store, runID)
        let item = WorkItem(casePosition: 0, repeatIndex: 0, backendIndex: 1)
        var collector = ResultCollector(
            plan: plan, mode: .consensus, judge: false, assessor: CaseAssessor(threshold: 0.9), retrying: [item])

        // Interrupted while it was sent again: nothing is written, and the request still counts as answered.
        collector.add(WorkResult(item: item, response: BackendResponse(errorClass: .cancelled, errorMessage: "cancelled", latencyMs: 3)))
        try collector.flush(to: store, runID: runID)
        #expect(try Self.rows(store, runID) == before)
        #expect(try store.responseAttempts(runID: runID).isEmpty)
        #expect(collector.storedRequests == 1 && collector.retriedAnswered == 0)
        #expect(try store.answeredRequestCount(runID: runID) == 2)

        // Sent again and failed again: the new failure is the answer, the first one is attempt 1.
        collector.add(
            WorkResult(item: item, response: BackendResponse(errorClass: .http429, errorMessage: "HTTP 429", httpStatus: 429, latencyMs: 4))
        )
        try collector.flush(to: store, runID: runID)
        let after = try Self.rows(store, runID)
        #expect(after.count == 2 && after[0] == before[0])
        #expect(after[1].errorClass == .http429)
        let history = try store.responseAttempts(runID: runID)
        #expect(history.map(\.attempt) == [1])
        #expect(history.first?.response == before[1])
        #expect(collector.retriedAnswered == 1 && collector.retriedSucceeded == 0)
        #expect(try store.failedRequestKeys(runID: runID) == [ResponseKey(casePosition: 0, repeatIndex: 0, backend: "b")])
    }

    @Test func theSummarySaysWhatBecameOfTheRetries() {
        #expect(
            RetryOutcome(planned: 4, answered: 4, succeeded: 3).summary
                == "Retried 4 requests that had ended in an error: 3 succeeded this time, 1 failed again.")
        #expect(
            RetryOutcome(planned: 3, answered: 1, succeeded: 0).summary
                == "Retried 1 request that had ended in an error: 0 succeeded this time, 1 failed again. "
                + "2 were not sent again (interrupted); their errors stand.")
    }
}
