import Foundation

/// A run as `createRun` records it, without its cases.
package struct NewRun: Sendable {
    package var mode: RunMode
    package var profile: EquivalenceProfile
    package var threshold: Double
    package var configPath: String?
    package var configJSON: String
    package var configHash: String
    package var suitesJSON: String
    package var plannedRequests: Int
    package var backends: [BackendRecord]
    package var runKey: String?
    package var shard: Shard?
    package var startedAt: String?
}

/// What `claimFinalization` found.
package enum FinalizationClaim: Sendable, Equatable {
    /// This worker finalizes the run: nobody did before, and no work is left.
    case won
    /// Requests of the run still have no final answer (so nobody may finalize it yet).
    case workLeft(WorkLeft)
    /// Another worker finalized the run (or is finalizing it): its holder name.
    case finalizedBy(String)
}

/// The requests of a shared run that still have no final answer.
package struct WorkLeft: Sendable, Equatable {
    /// How many, in all.
    package var requests: Int
    /// Of those, how many are claimed by a worker whose lease has not run out.
    package var claimed: Int
    /// The backends they are for, in name order.
    package var backends: [String]

    package init(requests: Int, claimed: Int, backends: [String]) {
        self.requests = requests
        self.claimed = claimed
        self.backends = backends
    }
}

/// A database in which several worker processes, on any machines, finish one run together (`--run-key` on
/// PostgreSQL). The run's requests are rows of work: a worker claims a batch under a lease with a deadline,
/// and the transaction that stores a request's final answer deletes its row. A worker that stops releases
/// what it claimed; one that is killed has its leases run out, and another worker takes its rows. Whoever
/// stores the last answer finalizes the run, once.
package protocol WorkQueueStore: RunStore {
    /// Joins the newest run stored with `key`, or creates it (with one row of work per planned request: every
    /// repeat of every case, to each backend of `run`) when there is none. `accept` is shown the stored run and
    /// throws when it is not this one (another config or other suites). Runs of one key are created once:
    /// workers that start together wait for each other here. The process shares the run's ownership (it
    /// counts as running while one worker does) until `leaveRun` or `finishRun`.
    func joinOrCreateRun(
        key: String, run: NewRun, cases: some Sequence<CaseRecord>, accept: (RunRecord) throws -> Void
    ) throws -> (runID: Int64, created: Bool)
    /// Claims up to `limit` requests of the run without a final answer that are not claimed by a live lease,
    /// for `backends` (nil: any) and of the cases in `shard`, in (case, repeat, backend) order, leased to `worker` for
    /// `leaseSeconds` (measured by the database's clock, the one clock all machines share). Taking over a
    /// lease that ran out requires rejudging (`mustRejudge`).
    func claimWork(
        runID: Int64, worker: String, backends: [String]?, shard: Shard?, limit: Int, leaseSeconds: Double
    ) async throws -> [ResponseKey]
    /// Extends every lease `worker` holds on the run by `leaseSeconds` from now.
    func renewLeases(runID: Int64, worker: String, leaseSeconds: Double) async throws
    /// Gives back every request `worker` claimed and did not answer, for others to take at once.
    func releaseLeases(runID: Int64, worker: String) throws
    /// The requests of the run still without a final answer, for `backends` (nil: all) and of the cases in
    /// `shard`.
    func workLeft(runID: Int64, backends: [String]?, shard: Shard?) async throws -> WorkLeft
    /// Whether any request of the run is still without a final answer, for `backends` (nil: any) and of the
    /// cases in `shard`: what a waiting worker asks, often, so it stops at the first such request.
    func hasWork(runID: Int64, backends: [String]?, shard: Shard?) async throws -> Bool
    /// Whether the verdicts workers judged as they went may not hold: a claim was taken over from a worker
    /// whose lease ran out (killed, or stalled: two answers to one request, the first stored), or a worker
    /// stopped with cancelled answers. The finalizer then judges every case repeat again, not only those no
    /// worker could judge (their answers came from several).
    func mustRejudge(runID: Int64) throws -> Bool
    /// Records that the run's live verdicts may not hold (see `mustRejudge`).
    func requireRejudging(runID: Int64) throws
    /// Makes `worker` the one that finalizes the run when no work is left and nobody finalized it before.
    func claimFinalization(runID: Int64, worker: String) throws -> FinalizationClaim
    /// This process no longer shares the run's ownership; its status stays as it is (other workers go on).
    func leaveRun(_ runID: Int64)
}
