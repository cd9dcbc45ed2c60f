import Foundation
import PostgresNIO

/// The reads, each in the order `RunReader` promises (explicit ORDER BY on every list).
extension PostgresStore {
    func session<T>(doing: String, _ body: (PostgresReadSession) throws -> T) throws -> T {
        try PostgresReadSession.with(pool, doing: doing, body)
    }

    func rows(_ query: PostgresQuery, doing: String) throws -> [PostgresRow] {
        try pool.wait(pool.rows(query), doing: doing)
    }

    // MARK: Runs

    /// The columns `runRecord` reads, with whether the run's owner is alive.
    static let runColumns = """
        id, started_at, finished_at, status, tool_version, mode, profile, threshold, config_path, config_json,
        config_hash, suites_json, planned_requests, run_key, shard_index, shard_count,
        \(lockHeld(runID: "runs.id")) AS live
        """

    /// A `runs` row as a record, a run still marked running that nobody owns shown as interrupted.
    static func runRecord(_ row: PostgresRow) throws -> RunRecord {
        var cells = PostgresCells(row)
        var record = RunRecord(
            id: try cells.next(), startedAt: try cells.next(), finishedAt: try cells.next(),
            status: RunStatus(rawValue: try cells.next()) ?? .failed, toolVersion: try cells.next(),
            mode: RunMode(rawValue: try cells.next()) ?? .consensus,
            profile: EquivalenceProfile(rawValue: try cells.next()) ?? .ailb, threshold: try cells.next(),
            configPath: try cells.next(), configJSON: try cells.next(), configHash: try cells.next(),
            suitesJSON: try cells.next(), plannedRequests: try cells.next())
        record.runKey = try cells.next()
        record.shardIndex = try cells.next()
        record.shardCount = try cells.next()
        let live: Bool = try cells.next()
        if record.status == .running, !live { record.status = .interrupted }
        return record
    }

    package func latestRun(withKey key: String) throws -> RunRecord {
        try markOrphanedRunsInterrupted()
        let query: PostgresQuery = "SELECT \(unescaped: Self.runColumns) FROM runs WHERE run_key = \(key) ORDER BY id DESC LIMIT 1"
        guard let row = try rows(query, doing: "reading the runs").first else {
            throw StoreError(message: "\(name): no run with the run key '\(key)' (see `ailb-eval runs`)")
        }
        return try Self.runRecord(row)
    }

    package func runs() throws -> [RunRecord] {
        try markOrphanedRunsInterrupted()
        return try rows("SELECT \(unescaped: Self.runColumns) FROM runs ORDER BY id DESC", doing: "reading the runs")
            .map(Self.runRecord)
    }

    package func run(_ reference: String) throws -> RunRecord {
        try markOrphanedRunsInterrupted()
        let query: PostgresQuery
        if reference == "latest" {
            query = "SELECT \(unescaped: Self.runColumns) FROM runs ORDER BY id DESC LIMIT 1"
        } else if let id = Int64(reference) {
            query = "SELECT \(unescaped: Self.runColumns) FROM runs WHERE id = \(id)"
        } else {
            query = "SELECT \(unescaped: Self.runColumns) FROM runs WHERE false"
        }
        guard let row = try rows(query, doing: "reading the runs").first else {
            if reference == "latest" { throw StoreError(message: "\(name): no runs yet") }
            throw StoreError(message: "\(name): no run '\(reference)' (see `ailb-eval runs`)")
        }
        return try Self.runRecord(row)
    }

    // MARK: Backends and cases

    package func backends(runID: Int64) throws -> [BackendRecord] {
        let query: PostgresQuery = """
            SELECT position, name, kind, urls, model, family, quant, via FROM backends WHERE run_id = \(runID) ORDER BY position
            """
        return try rows(query, doing: "reading run \(runID)").map { row in
            var cells = PostgresCells(row)
            let position: Int = try cells.next()
            let name: String = try cells.next()
            let kind = BackendKind(rawValue: try cells.next()) ?? .openai
            let urls = (try? JSONValue(parsing: try cells.next(String.self)))?.arrayValue?.compactMap(\.stringValue) ?? []
            return BackendRecord(
                position: position, name: name, kind: kind, urls: urls, model: try cells.next(), family: try cells.next(),
                quant: try cells.next(), via: try cells.next())
        }
    }

    package func cases(runID: Int64) throws -> [CaseRecord] {
        var cases: [CaseRecord] = []
        try forEachCase(runID: runID, detail: .all) { cases.append($0) }
        return cases
    }

    package func forEachCase(runID: Int64, detail: StoredCases.Detail, _ body: (CaseRecord) throws -> Void) throws {
        let columns =
            switch detail {
            case .outline: "'' AS prompt, '' AS request_json, CASE WHEN expect_json IS NULL THEN NULL ELSE '' END AS expect_json"
            case .withoutRequests: "prompt, '' AS request_json, expect_json"
            case .all: "prompt, request_json, expect_json"
            }
        let query: PostgresQuery = """
            SELECT position, suite, case_id, \(unescaped: columns), tags, repeats FROM cases
            WHERE run_id = \(runID) ORDER BY position
            """
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            try session.forEachRow(query, doing: doing) { try body(Self.caseRecord($0)) }
        }
    }

    package func cases(runID: Int64, positions: [Int]) throws -> [CaseRecord] {
        guard !positions.isEmpty else { return [] }
        let query: PostgresQuery = """
            SELECT position, suite, case_id, prompt, '' AS request_json, expect_json, tags, repeats FROM cases
            WHERE run_id = \(runID) AND position = ANY(\(positions))
            """
        var found: [Int: CaseRecord] = [:]
        for record in try rows(query, doing: "reading run \(runID)").map(Self.caseRecord) { found[record.position] = record }
        return positions.compactMap { found[$0] }
    }

    static func caseRecord(_ row: PostgresRow) throws -> CaseRecord {
        var cells = PostgresCells(row)
        let position: Int = try cells.next()
        let suite: String = try cells.next()
        let caseID: String = try cells.next()
        let prompt: String = try cells.next()
        let request: String = try cells.next()
        let expect: String? = try cells.next()
        let tags = (try? JSONValue(parsing: try cells.next(String.self)))?.arrayValue?.compactMap(\.stringValue) ?? []
        return CaseRecord(
            position: position, suite: suite, caseID: caseID, prompt: prompt, requestJSON: request, expectJSON: expect,
            tags: tags, repeats: try cells.next())
    }

    // MARK: Responses and verdicts

    /// A response read with a `ResponseColumns` select list (`run_id` first).
    static func response(_ cells: inout PostgresCells) throws -> ResponseRecord {
        _ = try cells.next(Int64.self)
        return ResponseRecord(
            casePosition: try cells.next(), repeatIndex: try cells.next(), backend: try cells.next(), success: try cells.flag(),
            errorClass: try cells.next(String?.self).flatMap(ErrorClass.init(rawValue:)), errorMessage: try cells.next(),
            httpStatus: try cells.next(), latencyMs: try cells.next(), ttftMs: try cells.next(), promptTokens: try cells.next(),
            completionTokens: try cells.next(), attempts: try cells.next(), url: try cells.next(), rawBody: try cells.next(),
            text: try cells.next(), toolCalls: try cells.next(), finishReason: try cells.next(), correct: try cells.optionalFlag(),
            receivedAt: try cells.next(), totalTokens: try cells.next())
    }

    static func response(_ row: PostgresRow) throws -> ResponseRecord {
        var cells = PostgresCells(row)
        return try response(&cells)
    }

    /// A verdict read with `ResultStore.verdictColumns`.
    static func verdict(_ row: PostgresRow) throws -> VerdictRecord {
        var cells = PostgresCells(row)
        let casePosition: Int = try cells.next()
        let repeatIndex: Int = try cells.next()
        let profile = EquivalenceProfile(rawValue: try cells.next()) ?? .ailb
        let comparisonType = ComparisonType(rawValue: try cells.next()) ?? .none
        let winner: String = try cells.next()
        let agreementCount: Int = try cells.next()
        let successes: Int = try cells.next()
        let disagreement = try cells.flag()
        let groups = StringGroups.parse(try cells.next(String.self)) ?? []
        let consensusCorrect = try cells.optionalFlag()
        let causes = try cells.next(String?.self)?.split(separator: ",").map(String.init) ?? []
        let answerGroups = try cells.next(String?.self).flatMap(StringGroups.parse)
        let undecided = try cells.flag()
        var verdict = Verdict(
            comparisonType: comparisonType, winner: winner, agreementCount: agreementCount, disagreement: disagreement,
            groups: groups, successes: successes)
        // Runs stored before answer groups were kept fall back to ai-lb's groups.
        verdict.answerGroups = answerGroups ?? Verdict.canonicalOrder(verdict.groups)
        verdict.referenceFailure = try cells.next()
        return VerdictRecord(
            casePosition: casePosition, repeatIndex: repeatIndex, profile: profile, verdict: verdict,
            consensusCorrect: consensusCorrect, consensusUndecided: undecided, spuriousCauses: causes)
    }

    static func responsesQuery(runID: Int64, columns: ResponseColumns) -> PostgresQuery {
        "SELECT \(unescaped: columns.sql) FROM responses WHERE run_id = \(runID) ORDER BY case_position, repeat, backend"
    }

    static func verdictsQuery(runID: Int64) -> PostgresQuery {
        "SELECT \(unescaped: ResultStore.verdictColumns) FROM verdicts WHERE run_id = \(runID) ORDER BY case_position, repeat, profile"
    }

    package func forEachResponse(runID: Int64, columns: ResponseColumns, _ body: (ResponseRecord) throws -> Void) throws {
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            try session.forEachRow(Self.responsesQuery(runID: runID, columns: columns), doing: doing) { try body(Self.response($0)) }
        }
    }

    package func responses(runID: Int64, casePositions: Range<Int>) throws -> [ResponseRecord] {
        let query: PostgresQuery = """
            SELECT \(unescaped: ResponseColumns.all.sql) FROM responses
            WHERE run_id = \(runID) AND case_position >= \(casePositions.lowerBound) AND case_position < \(casePositions.upperBound)
            ORDER BY case_position, repeat, backend
            """
        return try rows(query, doing: "reading run \(runID)").map(Self.response)
    }

    package func forEachVerdict(runID: Int64, _ body: (VerdictRecord) throws -> Void) throws {
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            try session.forEachRow(Self.verdictsQuery(runID: runID), doing: doing) { try body(Self.verdict($0)) }
        }
    }

    package func forEachCaseRepeat(runID: Int64, columns: ResponseColumns, _ body: (StoredCaseRepeat) throws -> Void) throws {
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            let responses = try session.cursor(Self.responsesQuery(runID: runID, columns: columns), doing: doing)
            let verdicts = try session.cursor(Self.verdictsQuery(runID: runID), doing: doing)
            try StoredCaseRepeat.merge(
                responses: { try responses.next().map(Self.response) }, verdicts: { try verdicts.next().map(Self.verdict) },
                body)
        }
    }

    /// Two queries for all the keys (a report asks for hundreds), each key looked up through the primary key:
    /// `OFFSET 0` keeps the planner from joining the keys to every row of the run instead, which it does when
    /// its statistics do not know a run stored a moment ago. Returned in the order asked.
    package func caseRepeats(runID: Int64, keys: [(casePosition: Int, repeatIndex: Int)]) throws -> [StoredCaseRepeat] {
        struct Key: Hashable {
            var casePosition: Int
            var repeatIndex: Int
        }
        var unique: [Key] = []
        var seen: Set<Key> = []
        for key in keys where seen.insert(Key(casePosition: key.casePosition, repeatIndex: key.repeatIndex)).inserted {
            unique.append(Key(casePosition: key.casePosition, repeatIndex: key.repeatIndex))
        }
        guard !unique.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(runID)
        binds.append(unique.map(\.casePosition))
        binds.append(unique.map(\.repeatIndex))
        func perKey(_ columns: String, from table: String, orderedBy order: String) -> PostgresQuery {
            PostgresQuery(
                unsafeSQL: """
                    SELECT x.* FROM unnest($2::BIGINT[], $3::BIGINT[]) AS k(case_position, repeat)
                    CROSS JOIN LATERAL (
                        SELECT \(columns) FROM \(table)
                        WHERE run_id = $1 AND case_position = k.case_position AND repeat = k.repeat OFFSET 0) x
                    ORDER BY x.case_position, x.repeat, x.\(order)
                    """, binds: binds)
        }
        let doing = "reading run \(runID)"
        var found: [Key: StoredCaseRepeat] = [:]
        func stored(_ key: Key) -> StoredCaseRepeat {
            found[key] ?? StoredCaseRepeat(casePosition: key.casePosition, repeatIndex: key.repeatIndex, responses: [])
        }
        try session(doing: doing) { session in
            let responses = perKey(ResponseColumns.withoutRawBody.sql, from: "responses", orderedBy: "backend")
            try session.forEachRow(responses, doing: doing) { row in
                let response = try Self.response(row)
                let key = Key(casePosition: response.casePosition, repeatIndex: response.repeatIndex)
                var entry = stored(key)
                entry.responses.append(response)
                found[key] = entry
            }
            try session.forEachRow(perKey(ResultStore.verdictColumns, from: "verdicts", orderedBy: "profile"), doing: doing) { row in
                let verdict = try Self.verdict(row)
                let key = Key(casePosition: verdict.casePosition, repeatIndex: verdict.repeatIndex)
                var entry = stored(key)
                entry.add(verdict)
                found[key] = entry
            }
        }
        return keys.map { stored(Key(casePosition: $0.casePosition, repeatIndex: $0.repeatIndex)) }
    }

    package func successfulRawBodies(runID: Int64, casePosition: Int, repeatIndex: Int) throws -> [String: String] {
        let query: PostgresQuery = """
            SELECT backend, raw_body FROM responses
            WHERE run_id = \(runID) AND case_position = \(casePosition) AND repeat = \(repeatIndex) AND success = 1
            """
        var bodies: [String: String] = [:]
        for row in try rows(query, doing: "reading run \(runID)") {
            let (backend, body) = try row.values((String, String).self)
            bodies[backend] = body
        }
        return bodies
    }

    package func responseCounts(runID: Int64) throws -> (total: Int, successes: Int) {
        let query: PostgresQuery = "SELECT COUNT(*), COALESCE(SUM(success), 0)::BIGINT FROM responses WHERE run_id = \(runID)"
        guard let row = try rows(query, doing: "reading run \(runID)").first else { return (0, 0) }
        return try row.values((Int, Int).self)
    }

    package func responseAttempts(runID: Int64) throws -> [ResponseAttemptRecord] {
        let query: PostgresQuery = """
            SELECT attempt, replaced_at, run_id, case_position, repeat, backend, success, error_class, error_message,
                http_status, latency_ms, ttft_ms, prompt_tokens, completion_tokens, attempts, url, raw_body, text,
                tool_calls, finish_reason, correct, received_at, total_tokens
            FROM response_attempts WHERE run_id = \(runID) ORDER BY case_position, repeat, backend, attempt
            """
        return try rows(query, doing: "reading run \(runID)").map { row in
            var cells = PostgresCells(row)
            let attempt: Int = try cells.next()
            let replacedAt: String = try cells.next()
            return ResponseAttemptRecord(attempt: attempt, replacedAt: replacedAt, response: try Self.response(&cells))
        }
    }

    // MARK: Keys for resuming

    /// Member name → the load balancer it answered through.
    func loadBalancerOfMember(runID: Int64) throws -> [String: String] {
        let query: PostgresQuery = "SELECT name, via FROM backends WHERE run_id = \(runID) AND via IS NOT NULL"
        var result: [String: String] = [:]
        for row in try rows(query, doing: "reading run \(runID)") {
            let (name, via) = try row.values((String, String).self)
            result[name] = via
        }
        return result
    }

    package func forEachAnsweredKey(runID: Int64, _ body: (ResponseKey) throws -> Void) throws {
        let via = try loadBalancerOfMember(runID: runID)
        let query: PostgresQuery = """
            SELECT case_position, repeat, backend FROM responses
            WHERE run_id = \(runID) AND (error_class IS NULL OR error_class != 'cancelled')
            """
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            try session.forEachRow(query, doing: doing) { row in
                let (casePosition, repeatIndex, backend) = try row.values((Int, Int, String).self)
                try body(ResponseKey(casePosition: casePosition, repeatIndex: repeatIndex, backend: backend))
                if let parent = via[backend] {
                    try body(ResponseKey(casePosition: casePosition, repeatIndex: repeatIndex, backend: parent))
                }
            }
        }
    }

    package func failedRequestKeys(runID: Int64) throws -> Set<ResponseKey> {
        let via = try loadBalancerOfMember(runID: runID)
        let query: PostgresQuery = """
            SELECT case_position, repeat, backend FROM responses
            WHERE run_id = \(runID) AND success = 0
                AND (error_class IS NULL OR error_class NOT IN ('cancelled', 'cancelled_by_race'))
            """
        var keys = Set<ResponseKey>()
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            try session.forEachRow(query, doing: doing) { row in
                let (casePosition, repeatIndex, backend) = try row.values((Int, Int, String).self)
                keys.insert(ResponseKey(casePosition: casePosition, repeatIndex: repeatIndex, backend: via[backend] ?? backend))
            }
        }
        return keys
    }

    // MARK: Races, headers, ai-lb's verdicts

    package func races(runID: Int64) throws -> [RaceRecord] {
        let query: PostgresQuery = """
            SELECT case_position, repeat, winner, winner_latency_ms, still_running, member, member_identified_by
            FROM races WHERE run_id = \(runID) ORDER BY case_position, repeat
            """
        return try rows(query, doing: "reading run \(runID)").map { row in
            var cells = PostgresCells(row)
            let casePosition: Int = try cells.next()
            let repeatIndex: Int = try cells.next()
            let winner: String? = try cells.next()
            let latency: Double? = try cells.next()
            let running = (try? JSONValue(parsing: try cells.next(String.self)))?.arrayValue ?? []
            return RaceRecord(
                casePosition: casePosition, repeatIndex: repeatIndex, winner: winner, winnerLatencyMs: latency,
                stillRunning: running.compactMap(\.stringValue), member: try cells.next(), memberIdentifiedBy: try cells.next())
        }
    }

    package func responseHeaders(runID: Int64) throws -> [ResponseHeadersRecord] {
        let query: PostgresQuery = """
            SELECT case_position, repeat, backend, headers_json FROM response_headers
            WHERE run_id = \(runID) ORDER BY case_position, repeat, backend
            """
        return try rows(query, doing: "reading run \(runID)").map { row in
            let (casePosition, repeatIndex, backend, json) = try row.values((Int, Int, String, String).self)
            let object = (try? JSONValue(parsing: json))?.objectValue ?? [:]
            return ResponseHeadersRecord(
                casePosition: casePosition, repeatIndex: repeatIndex, backend: backend, headers: object.compactMapValues(\.stringValue))
        }
    }

    package func loadBalancerVerdictCounts(runID: Int64) throws -> (compared: Int, mismatches: Int) {
        let query: PostgresQuery = """
            SELECT COUNT(*), COALESCE(SUM(CASE WHEN matches_ours = 0 THEN 1 ELSE 0 END), 0)::BIGINT
            FROM lb_verdicts WHERE run_id = \(runID)
            """
        guard let row = try rows(query, doing: "reading run \(runID)").first else { return (0, 0) }
        return try row.values((Int, Int).self)
    }

    package func forEachLoadBalancerVerdict(
        runID: Int64, onlyMismatches: Bool, _ body: (LoadBalancerDisagreement) throws -> Void
    ) throws {
        let query: PostgresQuery = """
            SELECT l.case_position, l.repeat, l.backend, l.winner, l.agreement_count, l.disagreement, l.comparison_type,
                l.x_disagreement, l.oracle, l.oracle_agreed, l.our_comparison_type, l.our_winner, l.our_agreement_count,
                l.our_disagreement, l.our_groups_json, l.our_successes, l.matches_ours, c.suite, c.case_id
            FROM lb_verdicts l JOIN cases c ON c.run_id = l.run_id AND c.position = l.case_position
            WHERE l.run_id = \(runID)\(unescaped: onlyMismatches ? " AND l.matches_ours = 0" : "")
            ORDER BY l.case_position, l.repeat, l.backend
            """
        let doing = "reading run \(runID)"
        try session(doing: doing) { session in
            try session.forEachRow(query, doing: doing) { row in
                var cells = PostgresCells(row)
                let casePosition: Int = try cells.next()
                let repeatIndex: Int = try cells.next()
                let backend: String = try cells.next()
                let winner: String = try cells.next()
                let agreementCount: Int = try cells.next()
                let disagreement = try cells.flag()
                let comparisonType: String = try cells.next()
                let xDisagreement = try cells.flag()
                let oracle: String? = try cells.next()
                let oracleAgreed = try cells.optionalFlag()
                let ourType = ComparisonType(rawValue: try cells.next()) ?? .none
                let ourWinner: String = try cells.next()
                let ourCount: Int = try cells.next()
                let ourDisagreement = try cells.flag()
                let groups =
                    (try? JSONValue(parsing: try cells.next(String.self)))?.arrayValue?.map {
                        $0.arrayValue?.compactMap(\.stringValue) ?? []
                    } ?? []
                let ours = Verdict(
                    comparisonType: ourType, winner: ourWinner, agreementCount: ourCount, disagreement: ourDisagreement,
                    groups: groups, successes: try cells.next())
                var record = LoadBalancerVerdictRecord(
                    casePosition: casePosition, repeatIndex: repeatIndex, backend: backend, winner: winner,
                    agreementCount: agreementCount, disagreement: disagreement, comparisonType: comparisonType,
                    xDisagreement: xDisagreement, oracle: oracle, oracleAgreed: oracleAgreed, ours: ours)
                // As stored, not recomputed: the stored flag is what the run decided.
                record.matchesOurs = try cells.flag()
                try body(LoadBalancerDisagreement(suite: try cells.next(), caseID: try cells.next(), verdicts: record))
            }
        }
    }
}
