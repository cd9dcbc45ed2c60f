import Foundation
import PostgresNIO

/// The work queue of a run finished by several workers (see `WorkQueueStore`), in the `work` table: the
/// standard PostgreSQL queue, claims with `FOR UPDATE SKIP LOCKED` so that workers never wait for each other,
/// leases timed by the server's clock.
extension PostgresStore: WorkQueueStore {
    package func joinOrCreateRun(
        key: String, run: NewRun, cases: some Sequence<CaseRecord>, accept: (RunRecord) throws -> Void
    ) throws -> (runID: Int64, created: Bool) {
        let doing = "joining the run with run key '\(key)'"
        // The connection that shares the run's ownership for this process joins or creates it.
        let connection = try pool.wait(pool.connect(), doing: doing)
        do {
            func execute(_ query: PostgresQuery) throws -> [PostgresRow] {
                try pool.wait(connection.query(query, logger: pool.logger).map(\.rows), doing: doing)
            }
            _ = try execute("BEGIN")
            // Workers that start together wait here until the first has committed the run and its work.
            _ = try execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.runKeyLock), hashtext(\(key)))")
            let existing = try execute(
                "SELECT \(unescaped: Self.runColumns) FROM runs WHERE run_key = \(key) ORDER BY id DESC LIMIT 1"
            ).first.map(Self.runRecord)
            let runID: Int64
            if let existing {
                try accept(existing)
                runID = existing.id
            } else {
                runID = try insert(run, cases: cases, on: connection, doing: doing)
                _ = try execute(
                    """
                    INSERT INTO work (run_id, case_position, repeat, backend)
                    SELECT c.run_id, c.position, r.n, b.name
                    FROM cases c CROSS JOIN LATERAL generate_series(0, c.repeats - 1) AS r(n)
                    JOIN backends b ON b.run_id = c.run_id AND b.via IS NULL
                    WHERE c.run_id = \(runID)
                    """)
            }
            let shared = try execute("SELECT pg_try_advisory_lock_shared(\(PostgresSchema.runLock), \(Int32(truncatingIfNeeded: runID)))")
            guard let row = shared.first, try row.decode(Bool.self) else {
                throw StoreError(
                    message: "\(name): run \(runID) is being resumed by another process (ailb-eval run --resume); "
                        + "workers can join it once that has finished")
            }
            // A run all of whose workers had stopped goes on; a finalized one stays as it is.
            _ = try execute(
                """
                UPDATE runs SET status = 'running', finished_at = NULL
                WHERE id = \(runID) AND status <> 'running' AND finalizer IS NULL
                """)
            _ = try execute("COMMIT")
            owned.write { $0[runID] = connection }
            return (runID, existing == nil)
        } catch {
            // Closing rolls the transaction back and lets the locks go.
            PostgresConnectionPool.close(connection)
            throw error
        }
    }

    package func claimWork(
        runID: Int64, worker: String, backends: [String]?, shard: Shard?, limit: Int, leaseSeconds: Double
    ) async throws -> [ResponseKey] {
        // One backend at a time when the worker serves some: `backend = ANY(…)` would read every row and sort.
        let each = backends.map { names in names.isEmpty ? 0 : (limit + names.count - 1) / names.count } ?? limit
        var claimed: [ResponseKey] = []
        for backend in backends.map({ $0.map(Optional.some) }) ?? [nil] {
            // Rows nobody holds first; then rows whose lease ran out (taken over, which `mustRejudge` records).
            for expired in [false, true] where claimed.count < limit {
                let query = Self.claim(
                    runID: runID, worker: worker, backend: backend, shard: shard, expired: expired,
                    limit: min(each, limit - claimed.count), leaseSeconds: leaseSeconds)
                // Rows nobody holds are many and in order in their index: without statistics (a run's rows are
                // new) the planner may read and sort them all instead, so it is told not to.
                let settings: [PostgresQuery] =
                    expired ? [] : ["SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)"]
                let rows = try await pool.get(pool.rows(query, after: settings), doing: "claiming work of run \(runID)")
                for row in rows {
                    let (position, repeatIndex, name) = try row.decode((Int, Int, String).self)
                    claimed.append(ResponseKey(casePosition: position, repeatIndex: repeatIndex, backend: name))
                }
            }
        }
        return claimed.sorted { ($0.casePosition, $0.repeatIndex, $0.backend) < ($1.casePosition, $1.repeatIndex, $1.backend) }
    }

    /// One claim: up to `limit` rows nobody holds (or, `expired`, rows of other workers whose lease ran out), in
    /// (case, repeat, backend) order. Rows nobody holds are read in that order from an index of those rows alone
    /// (`work_unclaimed`, or `work_unclaimed_by_backend` for one backend), so such a claim costs about the rows it
    /// takes (times the number of shards, with `--shard`), not the size of the run. Expired rows, few (only
    /// rows held by some worker are in `work_leases`), are found by their lease and sorted.
    private static func claim(
        runID: Int64, worker: String, backend: String?, shard: Shard?, expired: Bool, limit: Int, leaseSeconds: Double
    ) -> PostgresQuery {
        // Not this worker's own: a claim's second statement must not take back what its first just took.
        var conditions =
            expired ? "holder IS NOT NULL AND holder <> $2 AND lease_until < clock_timestamp()" : "holder IS NULL"
        conditions += " " + shardRowCondition(shard)
        let backendCondition = backend.map { _ in "AND w.backend = $4" } ?? ""
        var binds = PostgresBindings()
        binds.append(runID)
        binds.append(worker)
        binds.append(leaseSeconds)
        if let backend { binds.append(backend) }
        binds.append(limit)
        let limitParameter = backend == nil ? "$4" : "$5"
        // A row that still names a holder had a lease that ran out: two workers may answer it.
        return PostgresQuery(
            unsafeSQL: """
                WITH claimed AS (
                    UPDATE work SET holder = $2, lease_until = clock_timestamp() + make_interval(secs => $3)
                    FROM (
                        SELECT w.case_position, w.repeat, w.backend, w.holder AS previous FROM work w
                        WHERE w.run_id = $1 AND \(conditions) \(backendCondition)
                        ORDER BY w.case_position, w.repeat, w.backend
                        LIMIT \(limitParameter)
                        FOR UPDATE SKIP LOCKED
                    ) AS free
                    WHERE work.run_id = $1 AND work.case_position = free.case_position AND work.repeat = free.repeat
                        AND work.backend = free.backend
                    RETURNING work.case_position, work.repeat, work.backend, free.previous
                ), noted AS (
                    UPDATE runs SET rejudge = true
                    WHERE id = $1 AND NOT rejudge AND EXISTS (SELECT 1 FROM claimed WHERE previous IS NOT NULL)
                )
                SELECT case_position, repeat, backend FROM claimed
                """,
            binds: binds)
    }

    package func renewLeases(runID: Int64, worker: String, leaseSeconds: Double) async throws {
        // Rows the worker's own writer has locked are being deleted with their answers: skipped, not waited
        // for, so the two never wait on each other in opposite orders.
        let renew: PostgresQuery = """
            UPDATE work SET lease_until = clock_timestamp() + make_interval(secs => \(leaseSeconds))
            WHERE run_id = \(runID) AND (case_position, repeat, backend) IN (
                SELECT case_position, repeat, backend FROM work WHERE run_id = \(runID) AND holder = \(worker)
                FOR UPDATE SKIP LOCKED)
            """
        try await pool.get(pool.rows(renew), doing: "renewing the claims on run \(runID)")
    }

    package func releaseLeases(runID: Int64, worker: String) throws {
        let release: PostgresQuery = """
            UPDATE work SET holder = NULL, lease_until = NULL WHERE run_id = \(runID) AND holder = \(worker)
            """
        try pool.wait(pool.rows(release), doing: "giving back the claims on run \(runID)")
    }

    package func workLeft(runID: Int64, backends: [String]?, shard: Shard?) async throws -> WorkLeft {
        let rows = try await pool.get(
            pool.rows(Self.workLeftQuery(runID: runID, backends: backends, shard: shard)),
            doing: "reading the work left of run \(runID)")
        return try Self.workLeft(rows)
    }

    package func hasWork(runID: Int64, backends: [String]?, shard: Shard?) async throws -> Bool {
        // One backend at a time, each found from its own index of rows; the shard's cases checked row by row.
        for backend in backends.map({ $0.map(Optional.some) }) ?? [nil] {
            var binds = PostgresBindings()
            binds.append(runID)
            if let backend { binds.append(backend) }
            let query = PostgresQuery(
                unsafeSQL: """
                    SELECT EXISTS (SELECT 1 FROM work w WHERE w.run_id = $1 \(backend == nil ? "" : "AND w.backend = $2")
                        \(Self.shardRowCondition(shard)))
                    """,
                binds: binds)
            let rows = try await pool.get(pool.rows(query), doing: "reading the work left of run \(runID)")
            if try rows.first?.decode(Bool.self) ?? false { return true }
        }
        return false
    }

    /// SQL keeping the `work w` rows whose case is in `shard` (empty: every row), checked row by row.
    private static func shardRowCondition(_ shard: Shard?) -> String {
        guard let shard else { return "" }
        // The hash is stored as a signed BIGINT: taken back to its unsigned value before the modulo.
        return """
            AND EXISTS (SELECT 1 FROM cases c WHERE c.run_id = w.run_id AND c.position = w.case_position
                AND (c.shard_hash::numeric + CASE WHEN c.shard_hash < 0 THEN 18446744073709551616 ELSE 0 END)
                    % \(shard.count) = \(shard.index - 1))
            """
    }

    private static func workLeftQuery(runID: Int64, backends: [String]?, shard: Shard?) -> PostgresQuery {
        let counts = """
            SELECT count(*), count(*) FILTER (WHERE lease_until >= clock_timestamp()),
                coalesce(array_agg(DISTINCT backend ORDER BY backend), '{}')
            FROM work w
            """
        guard let backends else {
            return "\(unescaped: counts) WHERE w.run_id = \(runID) \(unescaped: shardRowCondition(shard))"
        }
        return """
            \(unescaped: counts) WHERE w.run_id = \(runID) AND w.backend = ANY(\(backends)) \(unescaped: shardRowCondition(shard))
            """
    }

    private static func workLeft(_ rows: [PostgresRow]) throws -> WorkLeft {
        guard let row = rows.first else { return WorkLeft(requests: 0, claimed: 0, backends: []) }
        let (requests, claimed, names) = try row.decode((Int, Int, [String]).self)
        return WorkLeft(requests: requests, claimed: claimed, backends: names)
    }

    package func mustRejudge(runID: Int64) throws -> Bool {
        let query: PostgresQuery = "SELECT rejudge FROM runs WHERE id = \(runID)"
        return try pool.wait(pool.rows(query), doing: "reading run \(runID)").first?.decode(Bool.self) ?? true
    }

    package func requireRejudging(runID: Int64) throws {
        let update: PostgresQuery = "UPDATE runs SET rejudge = true WHERE id = \(runID)"
        try pool.wait(pool.rows(update), doing: "storing run \(runID)")
    }

    package func claimFinalization(runID: Int64, worker: String) throws -> FinalizationClaim {
        let doing = "finalizing run \(runID)"
        // One statement, so one winner: the row's lock makes a second worker see the first one's name.
        let claim: PostgresQuery = """
            UPDATE runs SET finalizer = \(worker)
            WHERE id = \(runID) AND finalizer IS NULL AND NOT EXISTS (SELECT 1 FROM work WHERE run_id = \(runID))
            RETURNING id
            """
        if try !pool.wait(pool.rows(claim), doing: doing).isEmpty { return .won }
        let query: PostgresQuery = "SELECT finalizer FROM runs WHERE id = \(runID)"
        guard let row = try pool.wait(pool.rows(query), doing: doing).first else {
            throw StoreError(message: "\(name): no run '\(runID)' (see `ailb-eval runs`)")
        }
        if let finalizer = try row.decode(String?.self) { return .finalizedBy(finalizer) }
        let left = try pool.wait(pool.rows(Self.workLeftQuery(runID: runID, backends: nil, shard: nil)), doing: doing)
        return .workLeft(try Self.workLeft(left))
    }

    package func leaveRun(_ runID: Int64) {
        if let connection = owned.write({ $0.removeValue(forKey: runID) }) { PostgresConnectionPool.close(connection) }
    }
}
