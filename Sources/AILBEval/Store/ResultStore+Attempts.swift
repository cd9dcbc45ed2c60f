import GRDB

/// An answer that a retry replaced (`--resume --retry-errors`): one row of `response_attempts`.
package struct ResponseAttemptRecord: Sendable, Hashable {
    /// 1 for the first answer stored for this (case, repeat, backend), 2 for the answer of its first retry, ….
    package var attempt: Int
    /// When the retry's answer replaced it.
    package var replacedAt: String
    /// The answer as it stood in `responses`.
    package var response: ResponseRecord
}

extension ResultStore {
    /// The requests of a run whose stored answer is an error (a cancelled one is no answer: `--resume` sends
    /// it anyway; one a race cancelled lost, and is not sent again), by the backend of the plan they went to: a failed member of a load balancer, or the load
    /// balancer's own failed row, names the load balancer, whose whole request is sent again.
    package func failedRequestKeys(runID: Int64) throws -> Set<ResponseKey> {
        try queue.read { db in
            let via = try Self.loadBalancerOfMember(runID: runID, db: db)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT case_position, repeat, backend FROM responses
                    WHERE run_id = ? AND success = 0 AND (error_class IS NULL OR error_class NOT IN ('cancelled', 'cancelled_by_race'))
                    """,
                arguments: [runID])
            var keys = Set<ResponseKey>()
            while let row = try rows.next() {
                let backend: String = row[2]
                keys.insert(ResponseKey(casePosition: row[0], repeatIndex: row[1], backend: via[backend] ?? backend))
            }
            return keys
        }
    }

    /// The answers retries replaced, in (case, repeat, backend, attempt) order.
    package func responseAttempts(runID: Int64) throws -> [ResponseAttemptRecord] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM response_attempts WHERE run_id = ? ORDER BY case_position, repeat, backend, attempt",
                arguments: [runID]
            ).map { row in
                ResponseAttemptRecord(attempt: row["attempt"], replacedAt: row["replaced_at"], response: Self.responseRecord(row))
            }
        }
    }

    /// Inserts answers retries replaced (replacing rows with the same key) inside a write transaction.
    static func insert(attempts: [ResponseAttemptRecord], runID: Int64, into db: Database) throws {
        guard !attempts.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO response_attempts (run_id, case_position, repeat, backend, attempt, replaced_at,
                    success, error_class, error_message, http_status, latency_ms, ttft_ms, prompt_tokens, completion_tokens,
                    total_tokens, attempts, url, raw_body, text, tool_calls, finish_reason, correct, received_at)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
        for attempt in attempts {
            let r = attempt.response
            let arguments: StatementArguments = [
                runID, r.casePosition, r.repeatIndex, r.backend, attempt.attempt, attempt.replacedAt, r.success,
                r.errorClass?.rawValue, r.errorMessage, r.httpStatus, r.latencyMs, r.ttftMs, r.promptTokens,
                r.completionTokens, r.totalTokens, r.attempts, r.url, r.rawBody, r.text, r.toolCalls, r.finishReason,
                r.correct, r.receivedAt,
            ]
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    /// Moves the stored rows of each retried request to `response_attempts`: the row of the backend the key
    /// names, and for a load balancer its members' rows of that repeat, with ai-lb's verdict on them (the
    /// retry brings its own). Inside a write transaction.
    static func keepAsAttempts(_ requests: [ResponseKey], runID: Int64, in db: Database) throws {
        guard !requests.isEmpty else { return }
        let copy = try db.cachedStatement(
            sql: """
                INSERT INTO response_attempts (run_id, case_position, repeat, backend, attempt, replaced_at, success,
                    error_class, error_message, http_status, latency_ms, ttft_ms, prompt_tokens, completion_tokens,
                    total_tokens, attempts, url, raw_body, text, tool_calls, finish_reason, correct, received_at)
                SELECT r.run_id, r.case_position, r.repeat, r.backend,
                    (SELECT COALESCE(MAX(a.attempt), 0) + 1 FROM response_attempts a
                        WHERE a.run_id = r.run_id AND a.case_position = r.case_position AND a.repeat = r.repeat
                            AND a.backend = r.backend),
                    ?, r.success, r.error_class, r.error_message, r.http_status, r.latency_ms, r.ttft_ms,
                    r.prompt_tokens, r.completion_tokens, r.total_tokens, r.attempts, r.url, r.raw_body, r.text,
                    r.tool_calls, r.finish_reason, r.correct, r.received_at
                FROM responses r
                WHERE r.run_id = ? AND r.case_position = ? AND r.repeat = ?
                    AND (r.backend = ? OR r.backend IN (SELECT name FROM backends WHERE run_id = ? AND via = ?))
                """)
        let remove = try db.cachedStatement(
            sql: """
                DELETE FROM responses
                WHERE run_id = ? AND case_position = ? AND repeat = ?
                    AND (backend = ? OR backend IN (SELECT name FROM backends WHERE run_id = ? AND via = ?))
                """)
        let removeVerdict = try db.cachedStatement(
            sql: "DELETE FROM lb_verdicts WHERE run_id = ? AND case_position = ? AND repeat = ? AND backend = ?")
        let replacedAt = timestamp()
        for key in requests {
            try copy.execute(arguments: [replacedAt, runID, key.casePosition, key.repeatIndex, key.backend, runID, key.backend])
            try remove.execute(arguments: [runID, key.casePosition, key.repeatIndex, key.backend, runID, key.backend])
            try removeVerdict.execute(arguments: [runID, key.casePosition, key.repeatIndex, key.backend])
        }
    }
}
