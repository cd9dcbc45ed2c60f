import GRDB

/// The database layout, as versioned migrations: a database written by an older version is upgraded
/// in place, and each migration runs once.
enum StoreSchema {
    /// The columns an upsert of `responses` sets from the row it brings (`excluded`), every one but the key:
    /// the same text in SQLite and PostgreSQL.
    static let responseUpdate = """
        success = excluded.success, error_class = excluded.error_class, error_message = excluded.error_message, \
        http_status = excluded.http_status, latency_ms = excluded.latency_ms, ttft_ms = excluded.ttft_ms, \
        prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens, \
        attempts = excluded.attempts, url = excluded.url, raw_body = excluded.raw_body, text = excluded.text, \
        tool_calls = excluded.tool_calls, finish_reason = excluded.finish_reason, correct = excluded.correct, \
        received_at = excluded.received_at, total_tokens = excluded.total_tokens
        """

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started_at TEXT NOT NULL,
                        finished_at TEXT,
                        status TEXT NOT NULL CHECK (status IN ('running','completed','interrupted','failed')),
                        tool_version TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        profile TEXT NOT NULL,
                        threshold REAL NOT NULL,
                        config_path TEXT,
                        config_json TEXT NOT NULL,
                        config_hash TEXT NOT NULL,
                        suites_json TEXT NOT NULL,
                        planned_requests INTEGER NOT NULL,
                        pid INTEGER
                    );
                    CREATE TABLE backends (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        urls TEXT NOT NULL,
                        model TEXT NOT NULL,
                        family TEXT NOT NULL,
                        quant TEXT NOT NULL,
                        PRIMARY KEY (run_id, name)
                    );
                    CREATE TABLE cases (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        suite TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        prompt TEXT NOT NULL,
                        request_json TEXT NOT NULL,
                        expect_json TEXT,
                        tags TEXT NOT NULL,
                        repeats INTEGER NOT NULL,
                        PRIMARY KEY (run_id, position),
                        UNIQUE (run_id, suite, case_id)
                    );
                    CREATE TABLE responses (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        case_position INTEGER NOT NULL,
                        repeat INTEGER NOT NULL,
                        backend TEXT NOT NULL,
                        success INTEGER NOT NULL,
                        error_class TEXT,
                        error_message TEXT,
                        http_status INTEGER,
                        latency_ms REAL NOT NULL,
                        ttft_ms REAL,
                        prompt_tokens INTEGER,
                        completion_tokens INTEGER,
                        attempts INTEGER NOT NULL,
                        url TEXT NOT NULL,
                        raw_body TEXT NOT NULL,
                        text TEXT,
                        tool_calls TEXT,
                        finish_reason TEXT,
                        correct INTEGER,
                        received_at TEXT NOT NULL,
                        PRIMARY KEY (run_id, case_position, repeat, backend)
                    ) WITHOUT ROWID;
                    CREATE TABLE verdicts (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        case_position INTEGER NOT NULL,
                        repeat INTEGER NOT NULL,
                        profile TEXT NOT NULL,
                        comparison_type TEXT NOT NULL,
                        winner TEXT NOT NULL,
                        agreement_count INTEGER NOT NULL,
                        successes INTEGER NOT NULL,
                        disagreement INTEGER NOT NULL,
                        groups_json TEXT NOT NULL,
                        consensus_correct INTEGER,
                        spurious_causes TEXT,
                        PRIMARY KEY (run_id, case_position, repeat, profile)
                    ) WITHOUT ROWID;
                    """)
        }
        // v2: backends discovered behind an ai-lb load balancer name it in `via`; ai-lb's own consensus
        // verdict is kept beside ours for the same responses.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE backends ADD COLUMN via TEXT;
                    CREATE TABLE lb_verdicts (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        case_position INTEGER NOT NULL,
                        repeat INTEGER NOT NULL,
                        backend TEXT NOT NULL,
                        winner TEXT NOT NULL,
                        agreement_count INTEGER NOT NULL,
                        disagreement INTEGER NOT NULL,
                        comparison_type TEXT NOT NULL,
                        x_disagreement INTEGER NOT NULL,
                        our_winner TEXT NOT NULL,
                        our_agreement_count INTEGER NOT NULL,
                        our_disagreement INTEGER NOT NULL,
                        our_comparison_type TEXT NOT NULL,
                        matches_ours INTEGER NOT NULL,
                        PRIMARY KEY (run_id, case_position, repeat, backend)
                    ) WITHOUT ROWID;
                    """)
        }
        // v3: the ai-lb comparison keeps our groups (which members agree) and ai-lb's oracle verdict, so it
        // can be read back and exported in full.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    ALTER TABLE lb_verdicts ADD COLUMN our_groups_json TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE lb_verdicts ADD COLUMN our_successes INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE lb_verdicts ADD COLUMN oracle TEXT;
                    ALTER TABLE lb_verdicts ADD COLUMN oracle_agreed INTEGER;
                    """)
        }
        // v4: evaluation figures that do not depend on the order of the backends: each verdict keeps the
        // order-free answer groups and whether a case with `expect` had no majority answer; each response
        // its total token count; why ai-lb's own code would have raised on a repeat.
        migrator.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    ALTER TABLE verdicts ADD COLUMN answer_groups_json TEXT;
                    ALTER TABLE verdicts ADD COLUMN consensus_undecided INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE verdicts ADD COLUMN reference_failure TEXT;
                    ALTER TABLE responses ADD COLUMN total_tokens INTEGER;
                    """)
        }
        // v5: `--resume --retry-errors` sends requests that ended in an error again. The answer it replaces is
        // kept here, numbered per (case, repeat, backend): attempt 1 is the first answer stored for the key,
        // 2 the answer of its first retry, and so on; `responses` holds the latest.
        migrator.registerMigration("v5") { db in
            try db.execute(
                sql: """
                    CREATE TABLE response_attempts (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        case_position INTEGER NOT NULL,
                        repeat INTEGER NOT NULL,
                        backend TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        replaced_at TEXT NOT NULL,
                        success INTEGER NOT NULL,
                        error_class TEXT,
                        error_message TEXT,
                        http_status INTEGER,
                        latency_ms REAL NOT NULL,
                        ttft_ms REAL,
                        prompt_tokens INTEGER,
                        completion_tokens INTEGER,
                        total_tokens INTEGER,
                        attempts INTEGER NOT NULL,
                        url TEXT NOT NULL,
                        raw_body TEXT NOT NULL,
                        text TEXT,
                        tool_calls TEXT,
                        finish_reason TEXT,
                        correct INTEGER,
                        received_at TEXT NOT NULL,
                        PRIMARY KEY (run_id, case_position, repeat, backend, attempt)
                    ) WITHOUT ROWID;
                    """)
        }
        // v6: ai-lb's other two modes. A race keeps its winner, which backends were still running when it was
        // won, and, when a load balancer won, which of its members answered if that can be told (ai-lb's
        // own race does not name it); a load balancer's
        // response headers (x-execution-mode, x-backends-attempted, x-fastest-backend, …) are kept per request.
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    CREATE TABLE races (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        case_position INTEGER NOT NULL,
                        repeat INTEGER NOT NULL,
                        winner TEXT,
                        winner_latency_ms REAL,
                        still_running TEXT NOT NULL,
                        member TEXT,
                        member_identified_by TEXT,
                        PRIMARY KEY (run_id, case_position, repeat)
                    ) WITHOUT ROWID;
                    CREATE TABLE response_headers (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        case_position INTEGER NOT NULL,
                        repeat INTEGER NOT NULL,
                        backend TEXT NOT NULL,
                        headers_json TEXT NOT NULL,
                        PRIMARY KEY (run_id, case_position, repeat, backend)
                    ) WITHOUT ROWID;
                    """)
        }
        // v7: a run split over machines (`--shard i/n`, or `--backend` per machine) keeps the name its parts share
        // (`--run-key`) and which share it is, so that `merge` can find and join them; NULL for a run of its own.
        migrator.registerMigration("v7") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN run_key TEXT;
                    ALTER TABLE runs ADD COLUMN shard_index INTEGER;
                    ALTER TABLE runs ADD COLUMN shard_count INTEGER;
                    """)
        }
        return migrator
    }
}
