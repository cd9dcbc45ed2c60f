import GRDB

/// Which columns of `responses` a streaming read fills in.
package enum ResponseColumns: Sendable {
    /// Every column.
    case all
    /// Every column but the raw body (read as an empty string).
    case withoutRawBody
    /// What statistics need (case, repeat, backend, success, error class, HTTP status, latencies, tokens,
    /// attempts, answer text and tool calls, finish reason, correctness): no raw body, error message, URL
    /// or time.
    case outline

    /// The select list: always the same columns in the same order (`ResultStore.streamedResponse` reads them
    /// by position), those left out read as empty or NULL.
    var sql: String {
        switch self {
        case .all:
            return """
                run_id, case_position, repeat, backend, success, error_class, error_message, http_status, latency_ms, \
                ttft_ms, prompt_tokens, completion_tokens, attempts, url, raw_body, text, tool_calls, \
                finish_reason, correct, received_at, total_tokens
                """
        case .withoutRawBody:
            return """
                run_id, case_position, repeat, backend, success, error_class, error_message, http_status, latency_ms, \
                ttft_ms, prompt_tokens, completion_tokens, attempts, url, '' AS raw_body, text, tool_calls, \
                finish_reason, correct, received_at, total_tokens
                """
        case .outline:
            return """
                run_id, case_position, repeat, backend, success, error_class, NULL AS error_message, http_status, \
                latency_ms, ttft_ms, prompt_tokens, completion_tokens, attempts, '' AS url, '' AS raw_body, \
                text, tool_calls, finish_reason, correct, '' AS received_at, total_tokens
                """
        }
    }
}

/// The stored rows of one repeat of a case: its responses in (backend name) order and its verdicts.
package struct StoredCaseRepeat: Sendable {
    package var casePosition: Int
    package var repeatIndex: Int
    package var responses: [ResponseRecord]
    package var ailb: VerdictRecord?
    package var semantic: VerdictRecord?

    package init(
        casePosition: Int, repeatIndex: Int, responses: [ResponseRecord], ailb: VerdictRecord? = nil,
        semantic: VerdictRecord? = nil
    ) {
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.responses = responses
        self.ailb = ailb
        self.semantic = semantic
    }
}

extension StoredCaseRepeat {
    /// Groups two streams in (case, repeat) order, responses and verdicts, into case repeats for `body`, in
    /// that order: how every store reads `forEachCaseRepeat`.
    static func merge(
        responses nextResponse: () throws -> ResponseRecord?, verdicts nextVerdict: () throws -> VerdictRecord?,
        _ body: (StoredCaseRepeat) throws -> Void
    ) throws {
        var response = try nextResponse()
        var verdict = try nextVerdict()
        while response != nil || verdict != nil {
            let key: (Int, Int)
            switch (response, verdict) {
            case let (r?, v?):
                let (rk, vk) = ((r.casePosition, r.repeatIndex), (v.casePosition, v.repeatIndex))
                key = rk < vk ? rk : vk
            case let (r?, nil): key = (r.casePosition, r.repeatIndex)
            case let (nil, v?): key = (v.casePosition, v.repeatIndex)
            case (nil, nil): return
            }
            var stored = StoredCaseRepeat(casePosition: key.0, repeatIndex: key.1, responses: [])
            while let r = response, (r.casePosition, r.repeatIndex) == key {
                stored.responses.append(r)
                response = try nextResponse()
            }
            while let v = verdict, (v.casePosition, v.repeatIndex) == key {
                stored.add(v)
                verdict = try nextVerdict()
            }
            try body(stored)
        }
    }

    /// Keeps `verdict` under its profile.
    mutating func add(_ verdict: VerdictRecord) {
        switch verdict.profile {
        case .ailb: ailb = verdict
        case .semantic: semantic = verdict
        }
    }
}

extension ResultStore {
    /// A response read with a `ResponseColumns` select list, its columns taken by position: a large run's
    /// reports read hundreds of thousands, and looking each column up by name was a tenth of their time.
    static func streamedResponse(_ row: Row) -> ResponseRecord {
        ResponseRecord(
            casePosition: row[1], repeatIndex: row[2], backend: row[3], success: row[4],
            errorClass: (row[5] as String?).flatMap(ErrorClass.init(rawValue:)), errorMessage: row[6], httpStatus: row[7],
            latencyMs: row[8], ttftMs: row[9], promptTokens: row[10], completionTokens: row[11], attempts: row[12],
            url: row[13], rawBody: row[14], text: row[15], toolCalls: row[16], finishReason: row[17], correct: row[18],
            receivedAt: row[19], totalTokens: row[20])
    }

    /// Calls `body` for each verdict of a run in (case, repeat, profile) order, without loading them all.
    package func forEachVerdict(runID: Int64, _ body: (VerdictRecord) throws -> Void) throws {
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT \(Self.verdictColumns) FROM verdicts WHERE run_id = ? ORDER BY case_position, repeat, profile",
                arguments: [runID])
            while let row = try cursor.next() {
                try body(Self.verdictRecord(row))
            }
        }
    }

    /// Calls `body` for each response of a run in (case, repeat, backend) order with `columns` filled in.
    package func forEachResponse(runID: Int64, columns: ResponseColumns, _ body: (ResponseRecord) throws -> Void) throws {
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT \(columns.sql) FROM responses WHERE run_id = ? ORDER BY case_position, repeat, backend",
                arguments: [runID])
            while let row = try cursor.next() {
                try body(Self.streamedResponse(row))
            }
        }
    }

    /// Calls `body` for each stored repeat of a case of a run, in (case, repeat) order, with its responses
    /// (`columns` filled in) and verdicts: one repeat in memory at a time. A repeat with responses but no
    /// verdicts (an interrupted run), or verdicts but no responses, is passed too.
    package func forEachCaseRepeat(runID: Int64, columns: ResponseColumns, _ body: (StoredCaseRepeat) throws -> Void) throws {
        try queue.read { db in
            let responses = try Row.fetchCursor(
                db, sql: "SELECT \(columns.sql) FROM responses WHERE run_id = ? ORDER BY case_position, repeat, backend",
                arguments: [runID])
            let verdicts = try Row.fetchCursor(
                db, sql: "SELECT \(Self.verdictColumns) FROM verdicts WHERE run_id = ? ORDER BY case_position, repeat, profile",
                arguments: [runID])
            try StoredCaseRepeat.merge(
                responses: { try responses.next().map(Self.streamedResponse) },
                verdicts: { try verdicts.next().map(Self.verdictRecord) }, body)
        }
    }

    /// The stored rows of the given repeats of cases (responses without their raw bodies), in the order
    /// asked, each read by its key.
    package func caseRepeats(runID: Int64, keys: [(casePosition: Int, repeatIndex: Int)]) throws -> [StoredCaseRepeat] {
        try queue.read { db in
            let responses = try db.cachedStatement(
                sql: """
                    SELECT \(ResponseColumns.withoutRawBody.sql) FROM responses
                    WHERE run_id = ? AND case_position = ? AND repeat = ? ORDER BY backend
                    """)
            let verdicts = try db.cachedStatement(
                sql: "SELECT \(Self.verdictColumns) FROM verdicts WHERE run_id = ? AND case_position = ? AND repeat = ? ORDER BY profile")
            return try keys.map { key in
                let arguments: StatementArguments = [runID, key.casePosition, key.repeatIndex]
                var stored = StoredCaseRepeat(
                    casePosition: key.casePosition, repeatIndex: key.repeatIndex,
                    responses: try Row.fetchAll(responses, arguments: arguments).map(Self.streamedResponse))
                for v in try Row.fetchAll(verdicts, arguments: arguments).map(Self.verdictRecord) { stored.add(v) }
                return stored
            }
        }
    }
}
