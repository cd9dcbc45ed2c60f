import Foundation
import PostgresNIO

/// The statements that write rows: multi-row INSERTs with bind parameters (a few hundred rows each, well
/// under PostgreSQL's 65,535 parameters a statement), made without touching the database so that a batch's
/// whole transaction can be sent as one chain.
///
/// Every insert can be repeated: a response whose key is stored already is kept (unless it was cancelled),
/// a verdict, race or header row replaces the stored one, a backend already listed is left as it is.
enum PostgresStatements {
    /// Rows per INSERT.
    static let rowsPerInsert = 500

    /// A batch's statements, in `ResultStore`'s order: new backends, retried rows moved to
    /// `response_attempts`, superseded rows deleted, then responses, verdicts, ai-lb verdicts, races, headers.
    static func batch(_ batch: StoreBatch, runID: Int64) -> [PostgresQuery] {
        var statements = backends(batch.newBackends, runID: runID, ignoringExisting: true)
        statements += keepAsAttempts(batch.retried, runID: runID)
        statements += delete(batch.superseded, runID: runID)
        statements += attempts(batch.attempts, runID: runID)
        statements += responses(batch.distinctResponses, runID: runID)
        let keep = batch.keepsStoredVerdicts
        statements += verdicts(
            lastPerKey(batch.verdicts) { [$0.casePosition, $0.repeatIndex, $0.profile.rawValue] }, runID: runID, keepingStored: keep)
        statements += loadBalancerVerdicts(
            lastPerKey(batch.loadBalancerVerdicts) { [$0.casePosition, $0.repeatIndex, $0.backend] }, runID: runID,
            keepingStored: keep)
        statements += races(lastPerKey(batch.races) { [$0.casePosition, $0.repeatIndex] }, runID: runID)
        statements += responseHeaders(
            lastPerKey(batch.responseHeaders) { [$0.casePosition, $0.repeatIndex, $0.backend] }, runID: runID,
            keepingStored: keep)
        statements += finishedWork(batch.finishedWork, runID: runID)
        return statements
    }

    /// `records` with one per key, the last given: one INSERT … ON CONFLICT DO UPDATE may not touch a row twice.
    static func lastPerKey<Record>(_ records: [Record], key: (Record) -> [AnyHashable]) -> [Record] {
        var index: [[AnyHashable]: Int] = [:]
        var kept: [Record] = []
        for record in records {
            let k = key(record)
            if let at = index[k] {
                kept[at] = record
            } else {
                index[k] = kept.count
                kept.append(record)
            }
        }
        return kept
    }

    /// INSERTs of `records` in chunks: `head` (the table and its columns), one `VALUES` tuple of `columns`
    /// parameters per record as `bind` appends them, then `tail` (the conflict clause).
    static func inserts<Record>(
        _ records: some Collection<Record>, head: String, columns: Int, tail: String,
        bind: (Record, inout PostgresBindings) -> Void
    ) -> [PostgresQuery] {
        var queries: [PostgresQuery] = []
        var start = records.startIndex
        while start != records.endIndex {
            let end = records.index(start, offsetBy: rowsPerInsert, limitedBy: records.endIndex) ?? records.endIndex
            var binds = PostgresBindings(capacity: columns * records.distance(from: start, to: end))
            var sql = head + " VALUES "
            var first = true
            for record in records[start..<end] {
                let base = binds.count
                bind(record, &binds)
                sql += (first ? "(" : ",(") + (1...columns).map { "$\(base + $0)" }.joined(separator: ",") + ")"
                first = false
            }
            queries.append(PostgresQuery(unsafeSQL: sql + " " + tail, binds: binds))
            start = end
        }
        return queries
    }

    static func backends(_ backends: [BackendRecord], runID: Int64, ignoringExisting: Bool) -> [PostgresQuery] {
        inserts(
            backends, head: "INSERT INTO backends (run_id, position, name, kind, urls, model, family, quant, via)", columns: 9,
            tail: ignoringExisting ? "ON CONFLICT (run_id, name) DO NOTHING" : ""
        ) { b, binds in
            binds.append(runID)
            binds.append(b.position)
            binds.append(b.name)
            binds.append(b.kind.rawValue)
            binds.append(JSONValue.array(b.urls.map { .string($0) }).compactText)
            binds.append(b.model)
            binds.append(b.family)
            binds.append(b.quant)
            binds.append(b.via)
        }
    }

    static func cases(_ cases: [CaseRecord], runID: Int64) -> [PostgresQuery] {
        inserts(
            cases,
            head: "INSERT INTO cases (run_id, position, suite, case_id, prompt, request_json, expect_json, tags, repeats, shard_hash)",
            columns: 10, tail: ""
        ) { c, binds in
            binds.append(runID)
            binds.append(c.position)
            binds.append(c.suite)
            binds.append(c.caseID)
            binds.append(storable(c.prompt))
            binds.append(storable(c.requestJSON))
            binds.append(c.expectJSON.map(storable))
            binds.append(JSONValue.array(c.tags.map { .string($0) }).compactText)
            binds.append(c.repeats)
            binds.append(Int64(bitPattern: Shard.stableHash(c.suite + "\u{0}" + c.caseID)))
        }
    }

    /// Deletes the work rows of requests whose final answers the batch stores (a run of several workers).
    static func finishedWork(_ keys: [ResponseKey], runID: Int64) -> [PostgresQuery] {
        guard !keys.isEmpty else { return [] }
        return [
            """
            DELETE FROM work WHERE run_id = \(runID) AND (case_position, repeat, backend) IN (
                SELECT * FROM unnest(\(keys.map(\.casePosition))::bigint[], \(keys.map(\.repeatIndex))::bigint[],
                    \(keys.map(\.backend))::text[]))
            """
        ]
    }

    static func responses(_ responses: [ResponseRecord], runID: Int64) -> [PostgresQuery] {
        inserts(
            responses,
            head: """
                INSERT INTO responses (run_id, case_position, repeat, backend, \(answerColumns))
                """,
            columns: 21,
            tail: """
                ON CONFLICT (run_id, case_position, repeat, backend) DO UPDATE SET \(StoreSchema.responseUpdate)
                WHERE responses.error_class = 'cancelled'
                """
        ) { r, binds in
            binds.append(runID)
            binds.append(r.casePosition)
            binds.append(r.repeatIndex)
            binds.append(r.backend)
            appendAnswer(r, to: &binds)
        }
    }

    /// The columns of an answer after its key, as `answerColumns` lists them.
    static func appendAnswer(_ r: ResponseRecord, to binds: inout PostgresBindings) {
        binds.append(flag(r.success))
        binds.append(r.errorClass?.rawValue)
        binds.append(r.errorMessage.map(storable))
        binds.append(r.httpStatus)
        binds.append(r.latencyMs)
        binds.append(r.ttftMs)
        binds.append(r.promptTokens)
        binds.append(r.completionTokens)
        binds.append(r.attempts)
        binds.append(storable(r.url))
        binds.append(storable(r.rawBody))
        binds.append(r.text.map(storable))
        binds.append(r.toolCalls.map(storable))
        binds.append(r.finishReason.map(storable))
        binds.append(r.correct.map(flag))
        binds.append(r.receivedAt)
        binds.append(r.totalTokens)
    }

    /// The 17 columns of an answer after its key, in `appendAnswer`'s order.
    static let answerColumns = """
        success, error_class, error_message, http_status, latency_ms, ttft_ms, prompt_tokens, completion_tokens,
            attempts, url, raw_body, text, tool_calls, finish_reason, correct, received_at, total_tokens
        """

    /// Answers retries replaced, as another store kept them (`merge`), replacing rows with the same key.
    static func attempts(_ attempts: [ResponseAttemptRecord], runID: Int64) -> [PostgresQuery] {
        let kept = lastPerKey(attempts) { [$0.response.casePosition, $0.response.repeatIndex, $0.response.backend, $0.attempt] }
        return inserts(
            kept,
            head: """
                INSERT INTO response_attempts (run_id, case_position, repeat, backend, attempt, replaced_at,
                    \(answerColumns))
                """,
            columns: 23,
            tail: """
                ON CONFLICT (run_id, case_position, repeat, backend, attempt) DO UPDATE SET
                    replaced_at = excluded.replaced_at, success = excluded.success, error_class = excluded.error_class,
                    error_message = excluded.error_message, http_status = excluded.http_status,
                    latency_ms = excluded.latency_ms, ttft_ms = excluded.ttft_ms, prompt_tokens = excluded.prompt_tokens,
                    completion_tokens = excluded.completion_tokens, total_tokens = excluded.total_tokens,
                    attempts = excluded.attempts, url = excluded.url, raw_body = excluded.raw_body, text = excluded.text,
                    tool_calls = excluded.tool_calls, finish_reason = excluded.finish_reason, correct = excluded.correct,
                    received_at = excluded.received_at
                """
        ) { attempt, binds in
            let r = attempt.response
            binds.append(runID)
            binds.append(r.casePosition)
            binds.append(r.repeatIndex)
            binds.append(r.backend)
            binds.append(attempt.attempt)
            binds.append(attempt.replacedAt)
            appendAnswer(r, to: &binds)
        }
    }

    static func verdicts(_ verdicts: [VerdictRecord], runID: Int64, keepingStored: Bool = false) -> [PostgresQuery] {
        inserts(
            verdicts,
            head: """
                INSERT INTO verdicts (run_id, case_position, repeat, profile, comparison_type, winner, agreement_count,
                    successes, disagreement, groups_json, consensus_correct, spurious_causes, answer_groups_json,
                    consensus_undecided, reference_failure)
                """,
            columns: 15,
            tail: keepingStored
                ? "ON CONFLICT DO NOTHING"
                : """
                ON CONFLICT (run_id, case_position, repeat, profile) DO UPDATE SET comparison_type = excluded.comparison_type,
                    winner = excluded.winner, agreement_count = excluded.agreement_count, successes = excluded.successes,
                    disagreement = excluded.disagreement, groups_json = excluded.groups_json,
                    consensus_correct = excluded.consensus_correct, spurious_causes = excluded.spurious_causes,
                    answer_groups_json = excluded.answer_groups_json, consensus_undecided = excluded.consensus_undecided,
                    reference_failure = excluded.reference_failure
                """
        ) { v, binds in
            binds.append(runID)
            binds.append(v.casePosition)
            binds.append(v.repeatIndex)
            binds.append(v.profile.rawValue)
            binds.append(v.verdict.comparisonType.rawValue)
            binds.append(v.verdict.winner)
            binds.append(v.verdict.agreementCount)
            binds.append(v.verdict.successes)
            binds.append(flag(v.verdict.disagreement))
            binds.append(groupsJSON(v.verdict.groups))
            binds.append(v.consensusCorrect.map(flag))
            binds.append(v.spuriousCauses.isEmpty ? nil : v.spuriousCauses.joined(separator: ","))
            binds.append(groupsJSON(v.verdict.answerGroups))
            binds.append(flag(v.consensusUndecided))
            binds.append(v.verdict.referenceFailure)
        }
    }

    static func loadBalancerVerdicts(_ verdicts: [LoadBalancerVerdictRecord], runID: Int64, keepingStored: Bool = false) -> [PostgresQuery]
    {
        inserts(
            verdicts,
            head: """
                INSERT INTO lb_verdicts (run_id, case_position, repeat, backend, winner, agreement_count, disagreement,
                    comparison_type, x_disagreement, our_winner, our_agreement_count, our_disagreement,
                    our_comparison_type, matches_ours, our_groups_json, our_successes, oracle, oracle_agreed)
                """,
            columns: 18,
            tail: keepingStored
                ? "ON CONFLICT DO NOTHING"
                : """
                ON CONFLICT (run_id, case_position, repeat, backend) DO UPDATE SET winner = excluded.winner,
                    agreement_count = excluded.agreement_count, disagreement = excluded.disagreement,
                    comparison_type = excluded.comparison_type, x_disagreement = excluded.x_disagreement,
                    our_winner = excluded.our_winner, our_agreement_count = excluded.our_agreement_count,
                    our_disagreement = excluded.our_disagreement, our_comparison_type = excluded.our_comparison_type,
                    matches_ours = excluded.matches_ours, our_groups_json = excluded.our_groups_json,
                    our_successes = excluded.our_successes, oracle = excluded.oracle, oracle_agreed = excluded.oracle_agreed
                """
        ) { v, binds in
            binds.append(runID)
            binds.append(v.casePosition)
            binds.append(v.repeatIndex)
            binds.append(v.backend)
            binds.append(v.winner)
            binds.append(v.agreementCount)
            binds.append(flag(v.disagreement))
            binds.append(v.comparisonType)
            binds.append(flag(v.xDisagreement))
            binds.append(v.ours.winner)
            binds.append(v.ours.agreementCount)
            binds.append(flag(v.ours.disagreement))
            binds.append(v.ours.comparisonType.rawValue)
            binds.append(flag(v.matchesOurs))
            binds.append(groupsJSON(v.ours.groups))
            binds.append(v.ours.successes)
            binds.append(v.oracle)
            binds.append(v.oracleAgreed.map(flag))
        }
    }

    static func races(_ races: [RaceRecord], runID: Int64) -> [PostgresQuery] {
        inserts(
            races,
            head: """
                INSERT INTO races (run_id, case_position, repeat, winner, winner_latency_ms, still_running, member,
                    member_identified_by)
                """,
            columns: 8,
            tail: """
                ON CONFLICT (run_id, case_position, repeat) DO UPDATE SET winner = excluded.winner,
                    winner_latency_ms = excluded.winner_latency_ms, still_running = excluded.still_running,
                    member = excluded.member, member_identified_by = excluded.member_identified_by
                """
        ) { race, binds in
            binds.append(runID)
            binds.append(race.casePosition)
            binds.append(race.repeatIndex)
            binds.append(race.winner)
            binds.append(race.winnerLatencyMs)
            binds.append(JSONValue.array(race.stillRunning.map { .string($0) }).compactText)
            binds.append(race.member)
            binds.append(race.memberIdentifiedBy)
        }
    }

    static func responseHeaders(_ records: [ResponseHeadersRecord], runID: Int64, keepingStored: Bool = false) -> [PostgresQuery] {
        inserts(
            records, head: "INSERT INTO response_headers (run_id, case_position, repeat, backend, headers_json)", columns: 5,
            tail: keepingStored
                ? "ON CONFLICT DO NOTHING"
                : "ON CONFLICT (run_id, case_position, repeat, backend) DO UPDATE SET headers_json = excluded.headers_json"
        ) { record, binds in
            binds.append(runID)
            binds.append(record.casePosition)
            binds.append(record.repeatIndex)
            binds.append(record.backend)
            binds.append(JSONValue.object(record.headers.mapValues { .string($0) }).compactText)
        }
    }

    /// Deletes the rows of `keys` (a load balancer's own row once its members have answered).
    static func delete(_ keys: [ResponseKey], runID: Int64) -> [PostgresQuery] {
        inserts(keys, head: "DELETE FROM responses WHERE (run_id, case_position, repeat, backend) IN (", columns: 4, tail: ")") {
            key, binds in
            binds.append(runID)
            binds.append(key.casePosition)
            binds.append(key.repeatIndex)
            binds.append(key.backend)
        }
    }

    /// Moves the stored rows of each retried request to `response_attempts` (see `ResultStore.keepAsAttempts`).
    static func keepAsAttempts(_ requests: [ResponseKey], runID: Int64) -> [PostgresQuery] {
        let replacedAt = ResultStore.timestamp()
        return requests.flatMap { key -> [PostgresQuery] in
            let copy: PostgresQuery = """
                INSERT INTO response_attempts (run_id, case_position, repeat, backend, attempt, replaced_at, success,
                    error_class, error_message, http_status, latency_ms, ttft_ms, prompt_tokens, completion_tokens,
                    total_tokens, attempts, url, raw_body, text, tool_calls, finish_reason, correct, received_at)
                SELECT r.run_id, r.case_position, r.repeat, r.backend,
                    (SELECT COALESCE(MAX(a.attempt), 0) + 1 FROM response_attempts a
                        WHERE a.run_id = r.run_id AND a.case_position = r.case_position AND a.repeat = r.repeat
                            AND a.backend = r.backend),
                    \(replacedAt), r.success, r.error_class, r.error_message, r.http_status, r.latency_ms, r.ttft_ms,
                    r.prompt_tokens, r.completion_tokens, r.total_tokens, r.attempts, r.url, r.raw_body, r.text,
                    r.tool_calls, r.finish_reason, r.correct, r.received_at
                FROM responses r
                WHERE r.run_id = \(runID) AND r.case_position = \(key.casePosition) AND r.repeat = \(key.repeatIndex)
                    AND (r.backend = \(key.backend)
                        OR r.backend IN (SELECT name FROM backends WHERE run_id = \(runID) AND via = \(key.backend)))
                """
            let remove: PostgresQuery = """
                DELETE FROM responses
                WHERE run_id = \(runID) AND case_position = \(key.casePosition) AND repeat = \(key.repeatIndex)
                    AND (backend = \(key.backend)
                        OR backend IN (SELECT name FROM backends WHERE run_id = \(runID) AND via = \(key.backend)))
                """
            let removeVerdict: PostgresQuery = """
                DELETE FROM lb_verdicts
                WHERE run_id = \(runID) AND case_position = \(key.casePosition) AND repeat = \(key.repeatIndex)
                    AND backend = \(key.backend)
                """
            return [copy, remove, removeVerdict]
        }
    }

    /// `text` as a PostgreSQL text value can hold it: a NUL character (which a hostile backend can send, and
    /// SQLite keeps) becomes U+FFFD.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    /// A flag as SQLite stores it.
    static func flag(_ value: Bool) -> Int { value ? 1 : 0 }

    static func groupsJSON(_ groups: [[String]]) -> String {
        JSONValue.array(groups.map { .array($0.map { .string($0) }) }).compactText
    }
}
