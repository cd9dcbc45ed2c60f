import Foundation

/// How this process takes part, as one worker of several, in a run stored in a shared database
/// (`--run-key` on PostgreSQL).
package struct WorkerSettings: Sendable {
    package var store: any WorkQueueStore
    /// The backends this worker sends to (`--backend`); nil: every backend of the run.
    package var serving: Set<String>?
    /// The share of the cases this worker takes (`--shard`); nil: any case.
    package var shard: Shard?
    /// How long a claim stays this worker's without being renewed: how soon others take over from a worker
    /// that was killed.
    package var leaseSeconds: Double
    /// The name its claims carry, and the finalizer's.
    package var worker: String

    package init(store: any WorkQueueStore, serving: Set<String>?, shard: Shard?, leaseSeconds: Double, worker: String) {
        self.store = store
        self.serving = serving
        self.shard = shard
        self.leaseSeconds = leaseSeconds
        self.worker = worker
    }

    /// Seconds a claim lasts unless given (`--lease`).
    package static let defaultLeaseSeconds = 60.0

    /// `ailb-eval pid 4242 on HOST #3fa9c1`: the process, and a random tag, since a worker restarted in a fresh
    /// container often has the process id and host name of the one that was killed, and must not pass for it.
    package static func uniqueName() -> String {
        PostgresAddress.applicationName + " #" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }
}

/// What one worker's part in a shared run came to.
package enum WorkerOutcome: Sendable, Equatable {
    /// It stored the last answer and finalized the run: verdicts, status and (by the caller) reports.
    case finalized
    /// Requests are still left, for backends or cases it does not serve, or claimed by workers still at it.
    case workLeft(WorkLeft)
    /// Another worker finalized the run (before this one joined, or at the same time).
    case finalizedBy(String)
    /// It was stopped (Ctrl-C) and gave back what it had claimed.
    case stopped
}

extension EvalRun {
    /// Joins the run stored with `key`, or creates it with its work. A stored run is joined only when it is this
    /// run: same config (the concurrency aside, which is each machine's own) and same suites.
    func joinSharedRun(_ plan: RunPlan, key: String, store: any WorkQueueStore) throws -> (runID: Int64, created: Bool) {
        let (run, cases) = newRun(plan)
        let whole = prepared
        return try store.joinOrCreateRun(key: key, run: run, cases: cases) { stored in
            let reasons = Self.differences(stored: stored, from: run, unsplit: whole.unsplitConfig)
            guard reasons.isEmpty else {
                throw InputError(
                    "run key '\(key)' names run \(stored.id) in \(store.name), which is not this run: "
                        + reasons.joined(separator: "; ") + ". Give this run another --run-key")
            }
        }
    }

    /// Why the stored run `stored` is not the run `run` is, one phrase each; empty when it is.
    static func differences(stored: RunRecord, from run: NewRun, unsplit: UnsplitConfig) -> [String] {
        var reasons: [String] = []
        if stored.shardCount != nil {
            reasons.append("it is the run of one shard (--shard without a shared run)")
        }
        if let suites = MergeInput.suiteDifference(stored.suitesJSON, run.suitesJSON) { reasons.append(suites) }
        if UnsplitConfig(run: stored).configHash != unsplit.configHash {
            // Each worker's machine may send as many requests at once as suits it.
            let own = ["defaults.concurrency", "flags.concurrency"]
            let keys = MergeInput.configDifferences(stored.configJSON, run.configJSON)
            let differing = keys.filter { !own.contains($0) }
            if !differing.isEmpty {
                reasons.append("the config differs: \(differing.joined(separator: ", "))")
            } else if keys.isEmpty {
                reasons.append("the config differs (config hash \(stored.configHash.prefix(12)) vs \(run.configHash.prefix(12)))")
            }
        }
        return reasons
    }
}
