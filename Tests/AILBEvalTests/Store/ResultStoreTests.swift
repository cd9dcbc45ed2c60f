import Foundation
import GRDB
import Testing

@testable import AILBEval

@Suite struct ResultStoreTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
    }

    func makeRun(_ store: ResultStore) throws -> Int64 {
        try store.createRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: "config.yaml", configJSON: "{}",
            configHash: "h", suitesJSON: #"[{"name":"s"}]"#, plannedRequests: 2,
            backends: [
                BackendRecord(position: 0, name: "a", kind: .mock, urls: ["http://127.0.0.1:1/v1"], model: "m", family: "f", quant: "4bit"),
                BackendRecord(position: 1, name: "b", kind: .openai, urls: [], model: "m", family: "f", quant: "8bit"),
            ],
            cases: [
                CaseRecord(position: 0, suite: "s", caseID: "c1", prompt: "hi", requestJSON: "{}", expectJSON: nil, tags: ["t"], repeats: 1)
            ])
    }

    @Test func roundTripsARunWithResponsesAndVerdicts() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ResultStore(path: path)
        let runID = try makeRun(store)
        let ok = ResponseRecord(
            casePosition: 0, repeatIndex: 0, backend: "a", success: true, httpStatus: 200, latencyMs: 12.5, ttftMs: 3,
            rawBody: "{}", text: "hello, \"world\"", toolCalls: nil, correct: true, receivedAt: "t")
        let failed = ResponseRecord(
            casePosition: 0, repeatIndex: 0, backend: "b", success: false, errorClass: .http5xx,
            errorMessage: "HTTP 500", httpStatus: 500, latencyMs: 1, attempts: 3, receivedAt: "t")
        let verdict = VerdictRecord(
            casePosition: 0, repeatIndex: 0, profile: .ailb,
            verdict: Verdict(comparisonType: .single, winner: "a", agreementCount: 1, disagreement: false, groups: [["a"]], successes: 1),
            consensusCorrect: true)
        try store.write(runID: runID, responses: [ok, failed], verdicts: [verdict])
        try store.finishRun(runID, status: .completed)

        var read: [ResponseRecord] = []
        try store.forEachResponse(runID: runID) { read.append($0) }
        #expect(read == [ok, failed])
        #expect(try store.verdicts(runID: runID) == [verdict])
        #expect(try store.run("latest").status == .completed)
        #expect(try store.backends(runID: runID).map(\.urls) == [["http://127.0.0.1:1/v1"], []])
        #expect(try store.cases(runID: runID).map(\.tags) == [["t"]])
        #expect(try store.responseCounts(runID: runID) == (2, 1))
    }

    @Test func createsTheFileOwnerOnlyInWALMode() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ResultStore(path: path)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let mode = try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func reopeningKeepsRunsAndMigratesOnce() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try makeRun(try ResultStore(path: path))
        let reopened = try ResultStore(path: path)
        #expect(try reopened.runs().count == 1)
    }

    @Test func aRunningRunWhoseProcessIsGoneIsInterrupted() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ResultStore(path: path)
        let runID = try makeRun(store)
        try store.read { _ in }
        let queue = store.queue
        try queue.write { try $0.execute(sql: "UPDATE runs SET pid = 999999999 WHERE id = ?", arguments: [runID]) }
        #expect(try store.run(String(runID)).status == .interrupted)
    }

    @Test func unknownRunsAndForeignFilesGiveClearErrors() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ResultStore(path: path)
        #expect(throws: StoreError.self) { try store.run("latest") }
        #expect(throws: StoreError.self) { try store.run("42") }
        let junk = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: junk) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        #expect(throws: StoreError.self) { try ResultStore(path: junk) }
    }
}
