import Foundation
import NIOCore
import PostgresNIO

/// Runs, responses and verdicts in a PostgreSQL database shared by a team: the same rows as `ResultStore`'s
/// SQLite file (see `PostgresSchema`), read in the same orders.
///
/// Writes are short transactions that can be repeated without effect (see `RunStore`), so a writer that
/// retries, or several that later finish one run together, cannot double a row.
///
/// A running run is owned by the process that holds a session-level advisory lock on its id (taken in the
/// transaction that creates the run, or by `--resume`, on a connection kept for the run). The server lets the
/// lock go when that session ends, on whichever machine the process ran, so "is it still running?" needs no
/// process id: a run marked running whose lock nobody holds was interrupted. The session's name
/// (`ailb-eval pid 4242 on HOST`) tells the user who holds one.
package final class PostgresStore: Sendable {
    let pool: PostgresConnectionPool
    /// Whether this store was opened for reading only (its sessions cannot write).
    package let isReadOnly: Bool
    /// The runs this process owns, each with the connection that holds its lock.
    let owned = BackendLockedState<[Int64: PostgresConnection]>([:])

    private init(pool: PostgresConnectionPool, isReadOnly: Bool) {
        self.pool = pool
        self.isReadOnly = isReadOnly
    }

    /// Connects to `address` and brings its schema up to date.
    package convenience init(address: PostgresAddress) throws {
        let pool = try PostgresConnectionPool(address: address, readOnly: false)
        _ = try pool.wait(
            pool.withConnection { connection in PostgresSchema.migrate(on: connection, logger: pool.logger) },
            doing: "opening the database")
        self.init(pool: pool, isReadOnly: false)
    }

    /// Connects to `address` for reading only: nothing is created or upgraded, and the sessions are read-only.
    /// Nil when the database holds no ailb-eval tables; throws when it holds older ones.
    package static func forReading(_ address: PostgresAddress) throws -> PostgresStore? {
        let pool = try PostgresConnectionPool(address: address, readOnly: true)
        let (hasRuns, current) = try pool.wait(
            pool.withConnection { connection in PostgresSchema.state(on: connection, logger: pool.logger) },
            doing: "opening the database")
        guard hasRuns else { return nil }
        guard current else {
            throw StoreError(
                message: "\(address.name): written by an older ailb-eval; its schema is upgraded by the next run that "
                    + "stores into it (ailb-eval SUITE --db \(address.name)), not by commands that only read")
        }
        return PostgresStore(pool: pool, isReadOnly: true)
    }

    /// The error of a database that holds no runs yet.
    static func nothingStored(_ address: PostgresAddress) -> StoreError {
        StoreError(message: "\(address.name): no ailb-eval runs in this database yet (nothing was stored; --db names another)")
    }

    deinit {
        let connections = owned.write { connections in
            defer { connections = [:] }
            return Array(connections.values)
        }
        for connection in connections { PostgresConnectionPool.close(connection) }
    }

    package var name: String { pool.address.name }

    // MARK: Writing

    package func createRun(
        mode: RunMode, profile: EquivalenceProfile, threshold: Double, configPath: String?, configJSON: String,
        configHash: String, suitesJSON: String, plannedRequests: Int, backends: [BackendRecord], cases: some Sequence<CaseRecord>,
        runKey: String?, shard: Shard?, startedAt: String?
    ) throws -> Int64 {
        let run = NewRun(
            mode: mode, profile: profile, threshold: threshold, configPath: configPath, configJSON: configJSON,
            configHash: configHash, suitesJSON: suitesJSON, plannedRequests: plannedRequests, backends: backends,
            runKey: runKey, shard: shard, startedAt: startedAt)
        let doing = "recording the run"
        // The connection that will hold the run's lock creates it: the run is never seen running without it.
        let connection = try pool.wait(pool.connect(), doing: doing)
        do {
            try pool.wait(connection.query("BEGIN", logger: pool.logger), doing: doing)
            let runID = try insert(run, cases: cases, on: connection, doing: doing)
            try lock(runID, on: connection, doing: doing)
            try pool.wait(connection.query("COMMIT", logger: pool.logger), doing: doing)
            owned.write { $0[runID] = connection }
            return runID
        } catch {
            // Closing rolls the transaction back and lets the lock go.
            PostgresConnectionPool.close(connection)
            throw error
        }
    }

    /// Inserts `run` with its backends and cases in the transaction open on `connection`; returns its id.
    func insert(
        _ run: NewRun, cases: some Sequence<CaseRecord>, on connection: PostgresConnection, doing: String
    ) throws -> Int64 {
        let insert: PostgresQuery = """
            INSERT INTO runs (started_at, status, tool_version, mode, profile, threshold, config_path,
                config_json, config_hash, suites_json, planned_requests, pid, run_key, shard_index, shard_count)
            VALUES (\(run.startedAt ?? ResultStore.timestamp()), 'running', \(ToolInfo.version), \(run.mode.rawValue),
                \(run.profile.rawValue), \(run.threshold), \(run.configPath), \(run.configJSON), \(run.configHash),
                \(run.suitesJSON), \(run.plannedRequests), \(Int(getpid())), \(run.runKey), \(run.shard?.index),
                \(run.shard?.count))
            RETURNING id
            """
        let rows = try pool.wait(connection.query(insert, logger: pool.logger), doing: doing)
        guard let row = rows.first else { throw StoreError(message: "\(name): \(doing) failed: no run id came back") }
        let runID = try row.values(Int64.self)
        var statements = PostgresStatements.backends(run.backends, runID: runID, ignoringExisting: false)
        var chunk: [CaseRecord] = []
        func flush() throws {
            statements += PostgresStatements.cases(chunk, runID: runID)
            chunk.removeAll(keepingCapacity: true)
            try pool.wait(pool.run(statements, on: connection), doing: doing)
            statements = []
        }
        for record in cases {
            chunk.append(record)
            if chunk.count == PostgresStatements.rowsPerInsert { try flush() }
        }
        try flush()
        return runID
    }

    /// Takes the run's lock on `connection` for this session; throws when another session holds it.
    func lock(_ runID: Int64, on connection: PostgresConnection, doing: String) throws {
        let query: PostgresQuery = "SELECT pg_try_advisory_lock(\(PostgresSchema.runLock), \(Int32(truncatingIfNeeded: runID)))"
        let rows = try pool.wait(connection.query(query, logger: pool.logger), doing: doing)
        guard let row = rows.first, try row.values(Bool.self) else {
            throw StoreError(message: "\(name): run \(runID) is being stored by another process; stop it first")
        }
    }

    package func write(runID: Int64, batch: StoreBatch) throws {
        guard !batch.isEmpty else { return }
        try pool.wait(pool.transaction(PostgresStatements.batch(batch, runID: runID)), doing: "storing the run")
    }

    package func write(runID: Int64, batch: StoreBatch) async throws {
        guard !batch.isEmpty else { return }
        try await pool.get(pool.transaction(PostgresStatements.batch(batch, runID: runID)), doing: "storing the run")
    }

    package func deleteRun(_ runID: Int64) throws {
        // Every table but `work` names the run with ON DELETE CASCADE.
        let deleteWork: PostgresQuery = "DELETE FROM work WHERE run_id = \(runID)"
        let delete: PostgresQuery = "DELETE FROM runs WHERE id = \(runID)"
        try pool.wait(pool.transaction([deleteWork, delete]), doing: "removing run \(runID)")
        if let connection = owned.write({ $0.removeValue(forKey: runID) }) { PostgresConnectionPool.close(connection) }
    }

    package func finishRun(_ runID: Int64, status: RunStatus) throws {
        let update: PostgresQuery = """
            UPDATE runs SET status = \(status.rawValue), finished_at = \(ResultStore.timestamp()), pid = NULL
            WHERE id = \(runID)
            """
        let doing = "finishing run \(runID)"
        guard let connection = owned.write({ $0.removeValue(forKey: runID) }) else {
            try pool.wait(pool.rows(update), doing: doing)
            return
        }
        let unlock: PostgresQuery = "SELECT pg_advisory_unlock(\(PostgresSchema.runLock), \(Int32(truncatingIfNeeded: runID)))"
        defer { PostgresConnectionPool.close(connection) }
        try pool.wait(pool.run([update, unlock], on: connection), doing: doing)
    }

    package func reopenRun(_ runID: Int64) throws {
        let doing = "resuming run \(runID)"
        let connection = try pool.wait(pool.connect(), doing: doing)
        do {
            try lock(runID, on: connection, doing: doing)
            let update: PostgresQuery = """
                UPDATE runs SET status = 'running', finished_at = NULL, pid = \(Int(getpid())) WHERE id = \(runID)
                """
            try pool.wait(connection.query(update, logger: pool.logger), doing: doing)
            owned.write { $0[runID] = connection }
        } catch {
            PostgresConnectionPool.close(connection)
            throw error
        }
    }

    // MARK: Owners

    /// SQL true when some session holds the lock of the run whose id is `column`.
    static func lockHeld(runID column: String) -> String {
        """
        EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid::bigint = \(PostgresSchema.runLock) AND l.objid::bigint = \(column) AND l.objsubid = 2)
        """
    }

    package func ownerElsewhere(ofRun runID: Int64) throws -> String? {
        guard owned.read({ $0[runID] == nil }) else { return nil }
        let query: PostgresQuery = """
            SELECT a.application_name, r.pid FROM runs r
            JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND l.classid::bigint = \(unescaped: String(PostgresSchema.runLock)) AND l.objid::bigint = r.id AND l.objsubid = 2
            LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE r.id = \(runID) AND r.status = 'running'
            """
        let rows = try pool.wait(pool.rows(query), doing: "reading run \(runID)")
        guard let row = rows.first else { return nil }
        let (application, pid) = try row.values((String?, Int?).self)
        if let application, application.hasPrefix("ailb-eval") { return application }
        return pid.map { "process \($0), by another client of the database" } ?? "another client of the database"
    }

    /// Marks runs nobody owns any more as interrupted.
    func markOrphanedRunsInterrupted() throws {
        guard !isReadOnly else { return }
        let update: PostgresQuery = """
            UPDATE runs SET status = 'interrupted', finished_at = \(ResultStore.timestamp()), pid = NULL
            WHERE status = 'running' AND NOT \(unescaped: Self.lockHeld(runID: "runs.id"))
            """
        try pool.wait(pool.rows(update), doing: "reading the runs")
    }

    // MARK: Reading

    package func finishReading() throws {}

    package func storingFailure(_ error: any Error) -> StoreError? {
        error as? StoreError
    }
}

/// The store's reads take any of `RunStore`'s readers through `StoreLocation`.
extension PostgresStore: RunStore {}
