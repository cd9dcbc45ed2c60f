import NIOCore
import PostgresNIO

/// The PostgreSQL layout: the same tables and columns as `StoreSchema`'s SQLite migrations, under the same
/// version names, with INTEGER as BIGINT, REAL as DOUBLE PRECISION and the run id a BIGSERIAL. Flags stay
/// BIGINT 0/1 as in SQLite, so one query reads both. Text keys that rows are ordered by compare byte by byte
/// (`COLLATE "C"`), as SQLite's do, whatever the database's locale: plan and report order are the same.
///
/// Each version is applied once, in one transaction, and recorded in `ailb_eval_migrations`; a session-level
/// advisory lock keeps two processes from upgrading the same database at once.
enum PostgresSchema {
    /// The versions, in order, each as the statements it runs (one statement per query).
    static let migrations: [(version: String, statements: [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE runs (
                    id BIGSERIAL PRIMARY KEY,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running','completed','interrupted','failed')),
                    tool_version TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    profile TEXT NOT NULL,
                    threshold DOUBLE PRECISION NOT NULL,
                    config_path TEXT,
                    config_json TEXT NOT NULL,
                    config_hash TEXT NOT NULL,
                    suites_json TEXT NOT NULL,
                    planned_requests BIGINT NOT NULL,
                    pid BIGINT
                )
                """,
                """
                CREATE TABLE backends (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL,
                    name TEXT COLLATE "C" NOT NULL,
                    kind TEXT NOT NULL,
                    urls TEXT NOT NULL,
                    model TEXT NOT NULL,
                    family TEXT NOT NULL,
                    quant TEXT NOT NULL,
                    PRIMARY KEY (run_id, name)
                )
                """,
                """
                CREATE TABLE cases (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL,
                    suite TEXT COLLATE "C" NOT NULL,
                    case_id TEXT COLLATE "C" NOT NULL,
                    prompt TEXT NOT NULL,
                    request_json TEXT NOT NULL,
                    expect_json TEXT,
                    tags TEXT NOT NULL,
                    repeats BIGINT NOT NULL,
                    PRIMARY KEY (run_id, position),
                    UNIQUE (run_id, suite, case_id)
                )
                """,
                """
                CREATE TABLE responses (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    backend TEXT COLLATE "C" NOT NULL,
                    success BIGINT NOT NULL,
                    error_class TEXT,
                    error_message TEXT,
                    http_status BIGINT,
                    latency_ms DOUBLE PRECISION NOT NULL,
                    ttft_ms DOUBLE PRECISION,
                    prompt_tokens BIGINT,
                    completion_tokens BIGINT,
                    attempts BIGINT NOT NULL,
                    url TEXT NOT NULL,
                    raw_body TEXT NOT NULL,
                    text TEXT,
                    tool_calls TEXT,
                    finish_reason TEXT,
                    correct BIGINT,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (run_id, case_position, repeat, backend)
                )
                """,
                """
                CREATE TABLE verdicts (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    profile TEXT COLLATE "C" NOT NULL,
                    comparison_type TEXT NOT NULL,
                    winner TEXT NOT NULL,
                    agreement_count BIGINT NOT NULL,
                    successes BIGINT NOT NULL,
                    disagreement BIGINT NOT NULL,
                    groups_json TEXT NOT NULL,
                    consensus_correct BIGINT,
                    spurious_causes TEXT,
                    PRIMARY KEY (run_id, case_position, repeat, profile)
                )
                """,
            ]
        ),
        (
            "v2",
            [
                "ALTER TABLE backends ADD COLUMN via TEXT",
                """
                CREATE TABLE lb_verdicts (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    backend TEXT COLLATE "C" NOT NULL,
                    winner TEXT NOT NULL,
                    agreement_count BIGINT NOT NULL,
                    disagreement BIGINT NOT NULL,
                    comparison_type TEXT NOT NULL,
                    x_disagreement BIGINT NOT NULL,
                    our_winner TEXT NOT NULL,
                    our_agreement_count BIGINT NOT NULL,
                    our_disagreement BIGINT NOT NULL,
                    our_comparison_type TEXT NOT NULL,
                    matches_ours BIGINT NOT NULL,
                    PRIMARY KEY (run_id, case_position, repeat, backend)
                )
                """,
            ]
        ),
        (
            "v3",
            [
                "ALTER TABLE lb_verdicts ADD COLUMN our_groups_json TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE lb_verdicts ADD COLUMN our_successes BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE lb_verdicts ADD COLUMN oracle TEXT",
                "ALTER TABLE lb_verdicts ADD COLUMN oracle_agreed BIGINT",
            ]
        ),
        (
            "v4",
            [
                "ALTER TABLE verdicts ADD COLUMN answer_groups_json TEXT",
                "ALTER TABLE verdicts ADD COLUMN consensus_undecided BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE verdicts ADD COLUMN reference_failure TEXT",
                "ALTER TABLE responses ADD COLUMN total_tokens BIGINT",
            ]
        ),
        (
            "v5",
            [
                """
                CREATE TABLE response_attempts (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    backend TEXT COLLATE "C" NOT NULL,
                    attempt BIGINT NOT NULL,
                    replaced_at TEXT NOT NULL,
                    success BIGINT NOT NULL,
                    error_class TEXT,
                    error_message TEXT,
                    http_status BIGINT,
                    latency_ms DOUBLE PRECISION NOT NULL,
                    ttft_ms DOUBLE PRECISION,
                    prompt_tokens BIGINT,
                    completion_tokens BIGINT,
                    total_tokens BIGINT,
                    attempts BIGINT NOT NULL,
                    url TEXT NOT NULL,
                    raw_body TEXT NOT NULL,
                    text TEXT,
                    tool_calls TEXT,
                    finish_reason TEXT,
                    correct BIGINT,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (run_id, case_position, repeat, backend, attempt)
                )
                """
            ]
        ),
        (
            "v6",
            [
                """
                CREATE TABLE races (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    winner TEXT,
                    winner_latency_ms DOUBLE PRECISION,
                    still_running TEXT NOT NULL,
                    member TEXT,
                    member_identified_by TEXT,
                    PRIMARY KEY (run_id, case_position, repeat)
                )
                """,
                """
                CREATE TABLE response_headers (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    backend TEXT COLLATE "C" NOT NULL,
                    headers_json TEXT NOT NULL,
                    PRIMARY KEY (run_id, case_position, repeat, backend)
                )
                """,
            ]
        ),
        (
            "v7",
            [
                "ALTER TABLE runs ADD COLUMN run_key TEXT",
                "ALTER TABLE runs ADD COLUMN shard_index BIGINT",
                "ALTER TABLE runs ADD COLUMN shard_count BIGINT",
            ]
        ),
        (
            // The work queue of a run finished by several workers (`--run-key`): one row per request without a
            // final answer, leased to the worker that claimed it; the worker that finalizes the run, and whether
            // it must judge every case repeat again (see `WorkQueueStore.mustRejudge`); each case's
            // FNV-1a hash (`Shard`; its 64 bits as a signed BIGINT), by which a worker with `--shard` claims only its
            // share. `work` names its run without a foreign key: a run of a million cases and ten backends
            // creates ten million rows at once, and a key's check per row would double that time
            // (`deleteRun` removes them).
            "v8",
            [
                """
                CREATE TABLE work (
                    run_id BIGINT NOT NULL,
                    case_position BIGINT NOT NULL,
                    repeat BIGINT NOT NULL,
                    backend TEXT COLLATE "C" NOT NULL,
                    holder TEXT,
                    lease_until TIMESTAMPTZ,
                    PRIMARY KEY (run_id, case_position, repeat, backend)
                )
                """,
                // Claims read rows nobody holds, or whose lease ran out, in order from these alone.
                """
                CREATE INDEX work_unclaimed ON work (run_id, case_position, repeat, backend COLLATE "C")
                WHERE holder IS NULL
                """,
                // A worker that serves some backends reads its own, however far behind the others' are.
                """
                CREATE INDEX work_unclaimed_by_backend ON work (run_id, backend COLLATE "C", case_position, repeat)
                WHERE holder IS NULL
                """,
                "CREATE INDEX work_leases ON work (run_id, backend COLLATE \"C\", lease_until) WHERE holder IS NOT NULL",
                "ALTER TABLE runs ADD COLUMN finalizer TEXT",
                "ALTER TABLE runs ADD COLUMN rejudge BOOLEAN NOT NULL DEFAULT false",
                "ALTER TABLE cases ADD COLUMN shard_hash BIGINT",
            ]
        ),
    ]

    /// The table recording applied versions.
    static let versionTable = "ailb_eval_migrations"

    /// The advisory lock keys of this tool (two 32-bit keys, the first naming the use): "AILM" serialises
    /// migrations, "AILB" with a run id marks the process that owns a running run (shared by the workers of
    /// a run finished by several), "AILK" with a run key's hash serialises the creation of that key's run.
    static let migrationLock: Int32 = 0x4149_4C4D
    static let runLock: Int32 = 0x4149_4C42
    static let runKeyLock: Int32 = 0x4149_4C4B

    /// Brings the database up to date on `connection` (held for the whole upgrade): takes the migration
    /// lock, applies each missing version in a transaction of its own, and lets the lock go. Returns the
    /// versions applied now.
    static func migrate(on connection: PostgresConnection, logger: Logger) -> EventLoopFuture<[String]> {
        let lock: PostgresQuery = "SELECT pg_advisory_lock(\(migrationLock), 0)"
        let unlock: PostgresQuery = "SELECT pg_advisory_unlock(\(migrationLock), 0)"
        let create: PostgresQuery = """
            CREATE TABLE IF NOT EXISTS \(unescaped: versionTable) (
                version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """
        let upgrade = connection.query(lock, logger: logger)
            .flatMap { _ in connection.query(create, logger: logger) }
            .flatMap { _ in connection.query("SELECT version FROM \(unescaped: versionTable)", logger: logger) }
            .flatMapThrowing { result in Set(try result.rows.map { try $0.decode(String.self) }) }
            .flatMap { applied -> EventLoopFuture<[String]> in
                let missing = migrations.filter { !applied.contains($0.version) }
                var chain = connection.eventLoop.makeSucceededVoidFuture()
                for migration in missing {
                    let statements =
                        migration.statements.map { PostgresQuery(unsafeSQL: $0) }
                        + ["INSERT INTO \(unescaped: versionTable) (version) VALUES (\(migration.version))"]
                    chain = chain.flatMap {
                        run(["BEGIN"] + statements + ["COMMIT"], on: connection, logger: logger)
                    }
                }
                return chain.map { missing.map(\.version) }
            }
        // The lock goes with the connection if this fails: the caller closes it.
        return upgrade.flatMap { applied in connection.query(unlock, logger: logger).map { _ in applied } }
    }

    /// Whether every version is recorded (a database the reading commands can read as it is), and whether
    /// the database has the tables at all.
    static func state(on connection: PostgresConnection, logger: Logger) -> EventLoopFuture<(hasRuns: Bool, current: Bool)> {
        let query: PostgresQuery = """
            SELECT to_regclass('runs') IS NOT NULL, to_regclass('\(unescaped: versionTable)') IS NOT NULL
            """
        return connection.query(query, logger: logger).flatMap { result in
            guard let row = result.rows.first,
                let (hasRuns, hasVersions) = try? row.decode((Bool, Bool).self), hasVersions
            else {
                return connection.eventLoop.makeSucceededFuture((false, false))
            }
            return connection.query("SELECT version FROM \(unescaped: versionTable)", logger: logger).flatMapThrowing { result in
                let applied = Set(try result.rows.map { try $0.decode(String.self) })
                return (hasRuns, migrations.allSatisfy { applied.contains($0.version) })
            }
        }
    }

    static func run(_ statements: [PostgresQuery], on connection: PostgresConnection, logger: Logger) -> EventLoopFuture<Void> {
        var chain = connection.eventLoop.makeSucceededVoidFuture()
        for statement in statements {
            chain = chain.flatMap { connection.query(statement, logger: logger).map { _ in } }
        }
        return chain
    }
}
