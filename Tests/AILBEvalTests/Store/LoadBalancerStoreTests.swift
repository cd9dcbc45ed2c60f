import Foundation
import GRDB
import Testing

@testable import AILBEval

/// Migration v2 and the rows of load balancers and their members.
@Suite struct LoadBalancerStoreTests {
    static func scratchPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ailb-lbstore-\(UUID().uuidString).sqlite").path
    }

    @Test func aVersion1DatabaseIsUpgradedInPlace() throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(old, upTo: "v1")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (started_at, status, tool_version, mode, profile, threshold, config_json, config_hash,
                        suites_json, planned_requests) VALUES ('t', 'completed', '0.1.0', 'consensus', 'ailb', 0.9, '{}', 'h', '[]', 1);
                    INSERT INTO backends VALUES (1, 0, 'a', 'openai', '[]', 'm', 'f', 'q');
                    """)
        }
        try old.close()
        let store = try ResultStore(path: path)
        #expect(try store.backends(runID: 1).map(\.via) == [nil])
        #expect(try store.loadBalancerVerdicts(runID: 1).isEmpty)
        #expect(try store.loadBalancerDisagreements(runID: 1).isEmpty)
    }

    @Test func groupsAndTheOracleAreComparedAndKept() throws {
        let ours = Verdict(
            comparisonType: .toolCalls, winner: "a", agreementCount: 2, disagreement: true, groups: [["a", "b"], ["c"]],
            successes: 3)
        // ai-lb's winner outside our winning group, although its count matches.
        let outside = LoadBalancerVerdictRecord(
            casePosition: 0, repeatIndex: 0, backend: "lb", winner: "c", agreementCount: 2, disagreement: true,
            comparisonType: "tool_calls", xDisagreement: true, ours: ours)
        #expect(outside.differences == ["winner: c (ai-lb) vs a (ours)", "ai-lb's winner c is not in our winning group (a+b)"])
        // The oracle: agreed when it is in our winning group.
        let oracle = LoadBalancerVerdictRecord(
            casePosition: 1, repeatIndex: 0, backend: "lb", winner: "a", agreementCount: 2, disagreement: true,
            comparisonType: "tool_calls", xDisagreement: true, oracle: "c", oracleAgreed: true, ours: ours)
        #expect(oracle.differences == ["oracle_agreed: true (ai-lb) vs false (ours: oracle c is not in our winning group)"])
        let agreeing = LoadBalancerVerdictRecord(
            casePosition: 1, repeatIndex: 0, backend: "lb", winner: "a", agreementCount: 2, disagreement: true,
            comparisonType: "tool_calls", xDisagreement: true, oracle: "c", oracleAgreed: false, ours: ours)
        #expect(agreeing.matchesOurs)

        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ResultStore(path: path)
        let runID = try store.createRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "h",
            suitesJSON: "[]", plannedRequests: 2,
            backends: [BackendRecord(position: 0, name: "lb", kind: .ailb, urls: [], model: "m", family: "f", quant: "")],
            cases: [0, 1].map {
                CaseRecord(
                    position: $0, suite: "s", caseID: "c\($0)", prompt: "p", requestJSON: "{}", expectJSON: nil, tags: [],
                    repeats: 1)
            })
        try store.write(runID: runID, batch: StoreBatch(loadBalancerVerdicts: [outside, oracle]))
        let read = try store.loadBalancerVerdicts(runID: runID)
        #expect(read == [outside, oracle])
        #expect(read[1].oracle == "c" && read[1].oracleAgreed == true && read[1].ours.groups == [["a", "b"], ["c"]])
        #expect(try store.loadBalancerVerdictCounts(runID: runID) == (compared: 2, mismatches: 2))
    }

    @Test func membersAnswerForTheirLoadBalancerAndOnlyDifferencesAreListed() throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ResultStore(path: path)
        let runID = try store.createRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "h",
            suitesJSON: "[]", plannedRequests: 2,
            backends: [BackendRecord(position: 0, name: "lb", kind: .ailb, urls: [], model: "m", family: "f", quant: "")],
            cases: [0, 1].map {
                CaseRecord(
                    position: $0, suite: "s", caseID: "c\($0)", prompt: "p", requestJSON: "{}", expectJSON: nil, tags: [],
                    repeats: 1)
            })
        let ours = Verdict(comparisonType: .hash, winner: "x", agreementCount: 2, disagreement: false, groups: [["x", "y"]], successes: 2)
        let same = LoadBalancerVerdictRecord(
            casePosition: 0, repeatIndex: 0, backend: "lb", winner: "x", agreementCount: 2, disagreement: false,
            comparisonType: "hash", xDisagreement: false, ours: ours)
        var other = ours
        other.winner = "y"
        let differs = LoadBalancerVerdictRecord(
            casePosition: 1, repeatIndex: 0, backend: "lb", winner: "x", agreementCount: 2, disagreement: false,
            comparisonType: "hash", xDisagreement: true, ours: other)
        #expect(same.matchesOurs)
        #expect(differs.differences == ["winner: x (ai-lb) vs y (ours)", "x-disagreement header: true but body disagreement: false"])
        try store.write(
            runID: runID,
            batch: StoreBatch(
                responses: [
                    ResponseRecord(casePosition: 0, repeatIndex: 0, backend: "x", success: true, latencyMs: 1),
                    ResponseRecord(casePosition: 1, repeatIndex: 0, backend: "lb", success: false, errorClass: .cancelled, latencyMs: 1),
                ],
                newBackends: [
                    BackendRecord(position: 1, name: "x", kind: .ailbMember, urls: ["h:1"], model: "m", family: "f", quant: "", via: "lb")
                ],
                loadBalancerVerdicts: [same, differs]))
        let keys = try store.answeredKeys(runID: runID)
        #expect(keys.contains(ResponseKey(casePosition: 0, repeatIndex: 0, backend: "lb")))
        #expect(!keys.contains(ResponseKey(casePosition: 1, repeatIndex: 0, backend: "lb")))
        #expect(try store.answeredRequestCount(runID: runID) == 1)
        let listed = try store.loadBalancerDisagreements(runID: runID)
        #expect(listed.map(\.caseID) == ["c1"])
        #expect(listed.first?.verdicts.ours.winner == "y")
        #expect(listed.first?.verdicts.differences.count == 2)

        try store.write(
            runID: runID, batch: StoreBatch(superseded: [ResponseKey(casePosition: 1, repeatIndex: 0, backend: "lb")]))
        #expect(try store.responseCounts(runID: runID).total == 1)
    }
}
