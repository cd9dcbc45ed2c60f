import Foundation

/// Work handed to a run a batch at a time from a queue other processes take from too, rather than a plan
/// known in advance.
package protocol WorkFeed: Sendable {
    /// Up to `limit` more requests to send, in plan order; nil when none is left for this process (or it was
    /// stopped). Waits while what is left is held by others.
    func next(limit: Int) async -> [WorkItem]?
}

/// One worker's part in a run finished by several (`--run-key` on PostgreSQL): it claims requests of the
/// backends it serves (of the cases of its shard) in batches, each under a lease it renews while it works on
/// them. When all that is left is held by other workers, it waits and looks again: a worker that was killed
/// leaves its claims until their leases run out, and then this one takes them.
package final class WorkerClaims: WorkFeed {
    let store: any WorkQueueStore
    let runID: Int64
    /// The name the worker's claims carry (`ailb-eval pid 4242 on HOST #3fa9c1`).
    package let worker: String
    /// The plan's backends this worker sends to, by name, with their indices in the plan.
    let served: [String: Int]
    /// Whether those are all the plan's backends: its claims then name none, and it judges as it goes.
    let servesAll: Bool
    let shard: Shard?
    let leaseSeconds: Double
    /// The first failure of the database while claiming; the run then stops taking work.
    private let failure = BackendLockedState<(any Error)?>(nil)

    /// Claims of `worker` on run `runID` in `store`, for the backends of `plan` named in `serving` (all when
    /// nil).
    package init(
        store: any WorkQueueStore, runID: Int64, worker: String, plan: RunPlan, serving: Set<String>?, shard: Shard?,
        leaseSeconds: Double
    ) {
        self.store = store
        self.runID = runID
        self.worker = worker
        var served: [String: Int] = [:]
        for (index, backend) in plan.backends.enumerated() where serving?.contains(backend.name) ?? true {
            served[backend.name] = index
        }
        self.served = served
        servesAll = served.count == plan.backends.count
        self.shard = shard
        self.leaseSeconds = leaseSeconds
    }

    /// The database error that stopped the worker claiming, if one did.
    package var error: (any Error)? { failure.read { $0 } }

    /// How long to wait before looking again when everything left is claimed by others.
    var pollInterval: Duration { .milliseconds(Int(min(0.25, leaseSeconds / 4) * 1000)) }

    package func next(limit: Int) async -> [WorkItem]? {
        let backends = servesAll ? nil : served.keys.sorted()
        do {
            while !Task.isCancelled {
                let keys = try await store.claimWork(
                    runID: runID, worker: worker, backends: backends, shard: shard, limit: limit, leaseSeconds: leaseSeconds)
                if !keys.isEmpty {
                    return keys.compactMap { key in
                        served[key.backend].map { WorkItem(casePosition: key.casePosition, repeatIndex: key.repeatIndex, backendIndex: $0) }
                    }
                }
                // Rows this worker still has in flight count too: they leave once their answers are stored.
                guard try await store.hasWork(runID: runID, backends: backends, shard: shard) else { return nil }
                try await Task.sleep(for: pollInterval)
            }
        } catch is CancellationError {
        } catch {
            failure.write { $0 = $0 ?? error }
        }
        return nil
    }

    /// Keeps this worker's leases alive until the task is cancelled: renewed three times per lease, so a
    /// request that takes longer than a lease is not taken by another worker.
    package func renewLeases() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(Int(leaseSeconds * 1000 / 3)))
                try await store.renewLeases(runID: runID, worker: worker, leaseSeconds: leaseSeconds)
            } catch is CancellationError {
                return
            } catch {
                // A lease that runs out only lets another worker ask the same request again: its answer is
                // ignored when this one's is stored first. Try again at the next turn.
            }
        }
    }
}
