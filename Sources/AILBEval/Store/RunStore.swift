import Foundation

/// A database of runs: everything a run, its resumption and the reports do with one. `ResultStore` keeps them
/// in a SQLite file, `PostgresStore` in a PostgreSQL database; `StoreLocation` opens the one `--db` names, and
/// nothing else needs to know which it is.
///
/// Rows are written in short transactions, each batch once: writing the same batch again changes nothing, so
/// a writer that retries (or several writers finishing one run) cannot double a row. A response already
/// stored for a (case, repeat, backend) stays, unless it was `cancelled` (cut short by an interrupt: work
/// still to do, which `--resume` asks again); verdicts, races and headers are recomputable and replaced.
package protocol RunStore: RunReader {
    /// How messages name the database: the file's path, or the PostgreSQL URL without a password.
    var name: String { get }

    // MARK: Writing

    /// Records a new run with its backends and cases (read one at a time), status `running` and owned by this
    /// process; returns its id. `runKey` and `shard` name a part of a run split over machines; `startedAt`
    /// (default: now) is a merged run's, its first part's.
    func createRun(
        mode: RunMode, profile: EquivalenceProfile, threshold: Double, configPath: String?, configJSON: String,
        configHash: String, suitesJSON: String, plannedRequests: Int, backends: [BackendRecord], cases: some Sequence<CaseRecord>,
        runKey: String?, shard: Shard?, startedAt: String?
    ) throws -> Int64
    /// Removes a run and every row it owns (a merge that could not be finished leaves nothing behind).
    func deleteRun(_ runID: Int64) throws
    /// Writes a batch in one transaction (see `StoreBatch` for the order of its parts).
    func write(runID: Int64, batch: StoreBatch) throws
    /// The same, awaited without holding a thread of the concurrency pool while the database works.
    func write(runID: Int64, batch: StoreBatch) async throws
    /// Marks a run finished with `status`; this process no longer owns it.
    func finishRun(_ runID: Int64, status: RunStatus) throws
    /// Marks a stored run as running again, owned by this process, for `--resume`.
    func reopenRun(_ runID: Int64) throws

    // MARK: Reading

    /// The newest run stored with `--run-key key`.
    func latestRun(withKey key: String) throws -> RunRecord
    /// The responses of a run to the cases at `casePositions`, every column, in (case, repeat, backend) order.
    func responses(runID: Int64, casePositions: Range<Int>) throws -> [ResponseRecord]
    /// All runs, newest first. A run still marked running whose owner is gone is reported (and, unless the
    /// store is read-only, stored) as interrupted.
    func runs() throws -> [RunRecord]
    /// Calls `body` with each (case, repeat, backend) of a run that has a final answer: every stored response
    /// but those cancelled by an interrupt; a member of a load balancer answers for the load balancer too (a
    /// key may come twice).
    func forEachAnsweredKey(runID: Int64, _ body: (ResponseKey) throws -> Void) throws
    /// The requests whose stored answer is an error (not a cancelled one), by the backend of the plan they
    /// went to: a failed member of a load balancer names the load balancer.
    func failedRequestKeys(runID: Int64) throws -> Set<ResponseKey>
    /// Who else owns this `running` run, if anyone alive does (it must not be resumed twice): "process 4242",
    /// or a description of the other client; nil when nobody else does.
    func ownerElsewhere(ofRun runID: Int64) throws -> String?
    /// Number of responses stored for a run, and how many of them succeeded.
    func responseCounts(runID: Int64) throws -> (total: Int, successes: Int)
    /// The answers retries replaced, in (case, repeat, backend, attempt) order.
    func responseAttempts(runID: Int64) throws -> [ResponseAttemptRecord]
    /// For a store opened for reading only: throws when what was read may be inconsistent because a run
    /// started storing into it meanwhile.
    func finishReading() throws
    /// What a database failure while a run stores into it becomes (exit 3, the database's own message), or nil
    /// for an error that is not the database's.
    func storingFailure(_ error: any Error) -> StoreError?
}

extension RunStore {
    /// A run of one machine, started now.
    package func createRun(
        mode: RunMode, profile: EquivalenceProfile, threshold: Double, configPath: String?, configJSON: String,
        configHash: String, suitesJSON: String, plannedRequests: Int, backends: [BackendRecord], cases: some Sequence<CaseRecord>
    ) throws -> Int64 {
        try createRun(
            mode: mode, profile: profile, threshold: threshold, configPath: configPath, configJSON: configJSON,
            configHash: configHash, suitesJSON: suitesJSON, plannedRequests: plannedRequests, backends: backends,
            cases: cases, runKey: nil, shard: nil, startedAt: nil)
    }

    /// Writes responses and verdicts in one transaction.
    package func write(runID: Int64, responses: [ResponseRecord], verdicts: [VerdictRecord]) throws {
        try write(runID: runID, batch: StoreBatch(responses: responses, verdicts: verdicts))
    }

    /// The (case, repeat, backend) triples of a run that have a final answer (see `forEachAnsweredKey`).
    package func answeredKeys(runID: Int64) throws -> Set<ResponseKey> {
        var keys = Set<ResponseKey>()
        try forEachAnsweredKey(runID: runID) { keys.insert($0) }
        return keys
    }

    /// How many of the run's planned requests have a final answer: an answer of a load balancer's members
    /// counts once, as the one request it was.
    package func answeredRequestCount(runID: Int64) throws -> Int {
        let members = Set(try backends(runID: runID).filter { $0.via != nil }.map(\.name))
        return try answeredKeys(runID: runID).count(where: { !members.contains($0.backend) })
    }

    /// Calls `body` for each response of a run in (case, repeat, backend) order, without loading them all.
    package func forEachResponse(runID: Int64, includeRawBody: Bool = true, _ body: (ResponseRecord) throws -> Void) throws {
        try forEachResponse(runID: runID, columns: includeRawBody ? .all : .withoutRawBody, body)
    }

    /// The verdicts of a run (under `profile` only, if given), in (case, repeat, profile) order.
    package func verdicts(runID: Int64, profile: EquivalenceProfile? = nil) throws -> [VerdictRecord] {
        var verdicts: [VerdictRecord] = []
        try forEachVerdict(runID: runID) { if profile == nil || $0.profile == profile { verdicts.append($0) } }
        return verdicts
    }

    /// ai-lb's verdicts of a run beside ours, in (case, repeat, backend) order.
    package func loadBalancerVerdicts(runID: Int64) throws -> [LoadBalancerVerdictRecord] {
        var verdicts: [LoadBalancerVerdictRecord] = []
        try forEachLoadBalancerVerdict(runID: runID, onlyMismatches: false) { verdicts.append($0.verdicts) }
        return verdicts
    }

    /// Per backend of a run (in the run's order), the first `limit` distinct error texts of its failed
    /// responses, in (case, repeat) order; backends without a failure are left out.
    package func firstErrorTexts(runID: Int64, limit: Int = 3) throws -> [BackendErrorTexts] {
        let order = try backends(runID: runID).map(\.name)
        var found: [String: BackendErrorTexts] = [:]
        var seen: [String: [String: Int]] = [:]
        try forEachResponse(runID: runID, columns: .withoutRawBody) { response in
            guard !response.success else { return }
            let backend = response.backend
            let message = response.errorMessage?.trimmingCharacters(in: .whitespacesAndNewlines)
            let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? response.errorClass?.rawValue ?? "failed"
            var entry = found[backend] ?? BackendErrorTexts(backend: backend, texts: [], moreTexts: 0)
            if let index = seen[backend]?[text] {
                if index < entry.texts.count { entry.texts[index].count += 1 }
            } else {
                let index = seen[backend, default: [:]].count
                seen[backend, default: [:]][text] = index
                if entry.texts.count < limit {
                    entry.texts.append((text, 1))
                } else {
                    entry.moreTexts += 1
                }
            }
            found[backend] = entry
        }
        let known = order.filter { found[$0] != nil }
        let others = found.keys.filter { !order.contains($0) }.sorted()
        return (known + others).compactMap { found[$0] }
    }
}

extension StoreBatch {
    /// The batch's responses with at most one per (case, repeat, backend), chosen as the store keeps them
    /// when written one after another: the first, unless it was cancelled and a later one came.
    var distinctResponses: [ResponseRecord] {
        var index: [ResponseKey: Int] = [:]
        var kept: [ResponseRecord] = []
        kept.reserveCapacity(responses.count)
        for response in responses {
            let key = ResponseKey(casePosition: response.casePosition, repeatIndex: response.repeatIndex, backend: response.backend)
            if let at = index[key] {
                if kept[at].errorClass == .cancelled { kept[at] = response }
            } else {
                index[key] = kept.count
                kept.append(response)
            }
        }
        return kept
    }
}
