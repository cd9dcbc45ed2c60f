import Foundation
import Testing

@testable import AILBEval

/// The work queue of a shared run in PostgreSQL, store by store: one creation per key, claims that never
/// overlap, leases that run out, claims given back, rows that leave with their answers, a finalization won once.
@Suite(.serialized, .enabled(if: PostgresTestServer.isAvailable, "no PostgreSQL server (AILB_EVAL_POSTGRES_URL)"))
struct WorkQueueStoreTests {
    /// Two backends (`lb`, `b`) × case 0 twice and case 1 once: 6 requests.
    static func run() -> NewRun {
        NewRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "h",
            suitesJSON: "[]", plannedRequests: 6, backends: RunStoreTests.backends, runKey: "k", shard: nil, startedAt: nil)
    }

    static func with(_ body: (any WorkQueueStore, ScratchStore) async throws -> Void) async throws {
        let scratch = try ScratchStore(.postgres)
        defer { scratch.remove() }
        let store = try #require(try scratch.open() as? any WorkQueueStore)
        try await body(store, scratch)
    }

    static func keys(_ list: [(Int, Int, String)]) -> [ResponseKey] {
        list.map { ResponseKey(casePosition: $0.0, repeatIndex: $0.1, backend: $0.2) }
    }

    @Test func aKeyIsCreatedOnceThenJoinedAndAnotherRunUnderItIsRefused() async throws {
        try await Self.with { store, scratch in
            let (first, created) = try store.joinOrCreateRun(key: "k", run: Self.run(), cases: RunStoreTests.cases) { _ in }
            #expect(created)
            let other = try #require(try scratch.open() as? any WorkQueueStore)
            var seen: RunRecord?
            let (joined, createdAgain) = try other.joinOrCreateRun(key: "k", run: Self.run(), cases: RunStoreTests.cases) { seen = $0 }
            #expect(joined == first && !createdAgain && seen?.id == first)
            struct NotThisRun: Error {}
            #expect(throws: NotThisRun.self) {
                try other.joinOrCreateRun(key: "k", run: Self.run(), cases: RunStoreTests.cases) { _ in throw NotThisRun() }
            }
            #expect(try store.runs().count == 1)
            let left = try await store.workLeft(runID: first, backends: nil, shard: nil)
            #expect(left == WorkLeft(requests: 6, claimed: 0, backends: ["b", "lb"]))
        }
    }

    @Test func claimsNeverOverlapAndALeaseThatRunsOutIsTakenOver() async throws {
        try await Self.with { store, scratch in
            let (runID, _) = try store.joinOrCreateRun(key: "k", run: Self.run(), cases: RunStoreTests.cases) { _ in }
            let first = try await store.claimWork(
                runID: runID, worker: "w1", backends: ["b", "lb"], shard: nil, limit: 4, leaseSeconds: 60)
            #expect(first == Self.keys([(0, 0, "b"), (0, 0, "lb"), (0, 1, "b"), (0, 1, "lb")]))
            let second = try await store.claimWork(
                runID: runID, worker: "w2", backends: nil, shard: nil, limit: 4, leaseSeconds: 60)
            #expect(second == Self.keys([(1, 0, "b"), (1, 0, "lb")]))
            #expect(try await store.workLeft(runID: runID, backends: nil, shard: nil).claimed == 6)
            #expect(try await store.claimWork(runID: runID, worker: "w5", backends: nil, shard: nil, limit: 4, leaseSeconds: 60).isEmpty)
            #expect(try !store.mustRejudge(runID: runID))
            // w1's lease runs out (it was killed; the database's clock says so): w3 takes its rows, not w2's.
            try PostgresTestServer.execute(
                ["UPDATE work SET lease_until = clock_timestamp() - interval '1 second' WHERE holder = 'w1'"], on: scratch.value)
            let third = try await store.claimWork(
                runID: runID, worker: "w3", backends: ["lb"], shard: nil, limit: 10, leaseSeconds: 60)
            #expect(third == Self.keys([(0, 0, "lb"), (0, 1, "lb")]))
            // Two workers may have answered those: the verdicts judged as they went cannot be trusted.
            #expect(try store.mustRejudge(runID: runID))
            // w2 stops: what it claimed is free at once.
            try store.releaseLeases(runID: runID, worker: "w2")
            let fourth = try await store.claimWork(
                runID: runID, worker: "w4", backends: ["b", "lb"], shard: nil, limit: 10, leaseSeconds: 60)
            #expect(fourth == Self.keys([(0, 0, "b"), (0, 1, "b"), (1, 0, "b"), (1, 0, "lb")]))
        }
    }

    @Test func answersTakeTheirRowsAndTheRunIsFinalizedOnce() async throws {
        try await Self.with { store, _ in
            let (runID, _) = try store.joinOrCreateRun(key: "k", run: Self.run(), cases: RunStoreTests.cases) { _ in }
            _ = try await store.claimWork(runID: runID, worker: "w1", backends: ["b", "lb"], shard: nil, limit: 6, leaseSeconds: 60)
            var batch = StoreBatch(responses: [RunStoreTests.response(0, 0, "b"), RunStoreTests.response(0, 1, "b")])
            batch.finishedWork = Self.keys([(0, 0, "b"), (0, 1, "b")])
            try await store.write(runID: runID, batch: batch)
            #expect(
                try store.claimFinalization(runID: runID, worker: "w1")
                    == .workLeft(WorkLeft(requests: 4, claimed: 4, backends: ["b", "lb"])))
            // A cancelled answer is work still to do: the caller leaves its row.
            var rest = StoreBatch(
                responses: [(1, 0, "b"), (0, 0, "lb"), (0, 1, "lb"), (1, 0, "lb")].map { RunStoreTests.response($0.0, $0.1, $0.2) })
            rest.finishedWork = Self.keys([(1, 0, "b"), (0, 0, "lb"), (0, 1, "lb"), (1, 0, "lb")])
            try await store.write(runID: runID, batch: rest)
            #expect(try store.claimFinalization(runID: runID, worker: "w1") == .won)
            #expect(try store.claimFinalization(runID: runID, worker: "w2") == .finalizedBy("w1"))
            #expect(try store.claimFinalization(runID: runID, worker: "w1") == .finalizedBy("w1"))
        }
    }

    @Test func aLateWorkersVerdictNeverReplacesOneStored() async throws {
        try await Self.with { store, _ in
            let (runID, _) = try store.joinOrCreateRun(key: "k", run: Self.run(), cases: RunStoreTests.cases) { _ in }
            // The finalizer's verdict, judged from the answers that count…
            try store.write(runID: runID, responses: [], verdicts: [RunStoreTests.verdict(0, 0, .ailb, winner: "b")])
            // …and one a worker whose lease had run out judged from its own answer, written after it.
            var late = StoreBatch(verdicts: [RunStoreTests.verdict(0, 0, .ailb, winner: "lb"), RunStoreTests.verdict(0, 1, .ailb)])
            late.keepsStoredVerdicts = true
            try await store.write(runID: runID, batch: late)
            let stored = try store.verdicts(runID: runID, profile: .ailb)
            #expect(stored.map(\.verdict.winner) == ["b", "b"])
            #expect(stored.map(\.repeatIndex) == [0, 1])
        }
    }

    @Test func aShardClaimsOnlyItsCases() async throws {
        try await Self.with { store, _ in
            let cases = (0..<20).map { n in
                CaseRecord(position: n, suite: "s", caseID: "c\(n)", prompt: "", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 1)
            }
            var run = Self.run()
            run.plannedRequests = 40
            let (runID, _) = try store.joinOrCreateRun(key: "k", run: run, cases: cases) { _ in }
            for index in 1...3 {
                let shard = try Shard(index: index, count: 3)
                let claimed = try await store.claimWork(
                    runID: runID, worker: "w\(index)", backends: ["b"], shard: shard, limit: 100, leaseSeconds: 60)
                let expected = cases.filter { shard.contains(suite: $0.suite, caseID: $0.caseID) }.map(\.position)
                #expect(!expected.isEmpty)
                #expect(claimed.map(\.casePosition) == expected)
            }
            #expect(
                try await store.workLeft(runID: runID, backends: ["b"], shard: nil) == WorkLeft(requests: 20, claimed: 20, backends: ["b"]))
        }
    }
}
