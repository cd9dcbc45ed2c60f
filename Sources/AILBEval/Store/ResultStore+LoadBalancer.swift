import Foundation
import GRDB

/// ai-lb's own consensus verdict on one repeat of a case, beside ailb-eval's `ailb`-profile verdict over the
/// same inner responses in the same order (one row of `lb_verdicts`). The two should never differ: a
/// difference is a bug either in ailb-eval's reading of the load balancer or in the load balancer.
///
/// ai-lb reports its groups only in part: the winner (a member of its winning group), `agreement_count`
/// (that group's size), `disagreement` (whether any success is outside it) and, with an oracle, whether the
/// oracle is in it (`oracle_agreed`). Each is compared with our groups.
package struct LoadBalancerVerdictRecord: Sendable, Hashable {
    /// The case's position in the run.
    package var casePosition: Int
    /// The repeat, from 0.
    package var repeatIndex: Int
    /// The `kind: ailb` backend that answered.
    package var backend: String
    /// ai-lb's winner, named as ailb-eval names that member (alias, else host:port).
    package var winner: String
    /// ai-lb's `agreement_count`.
    package var agreementCount: Int
    /// ai-lb's `disagreement`.
    package var disagreement: Bool
    /// ai-lb's `comparison_type` as sent (normally one of `ComparisonType`'s values).
    package var comparisonType: String
    /// Whether the response carried `x-disagreement: true`.
    package var xDisagreement: Bool
    /// The oracle member ai-lb reported (`oracle_backend`, named as the run names members), when it was
    /// present and ai-lb said whether it agreed; else nil.
    package var oracle: String?
    /// ai-lb's `oracle_agreed`, when it reported one.
    package var oracleAgreed: Bool?
    /// ailb-eval's verdict (profile `ailb`) over the same responses, with its groups (empty when read back
    /// from a database written before they were kept).
    package var ours: Verdict
    /// True when winner, agreement count, disagreement, comparison type, oracle and the header all match ours.
    package var matchesOurs: Bool

    /// A row; `matchesOurs` is computed from the two verdicts.
    package init(
        casePosition: Int, repeatIndex: Int, backend: String, winner: String, agreementCount: Int, disagreement: Bool,
        comparisonType: String, xDisagreement: Bool, oracle: String? = nil, oracleAgreed: Bool? = nil, ours: Verdict
    ) {
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.backend = backend
        self.winner = winner
        self.agreementCount = agreementCount
        self.disagreement = disagreement
        self.comparisonType = comparisonType
        self.xDisagreement = xDisagreement
        self.oracle = oracle
        self.oracleAgreed = oracleAgreed
        self.ours = ours
        self.matchesOurs = false
        self.matchesOurs = differences.isEmpty
    }

    /// Our winning group (the members that agree with our winner); empty without groups.
    package var ourWinningGroup: [String] { ours.groups.first ?? [] }

    /// What differs between ai-lb's verdict and ours, one phrase each (`winner: m2 (ai-lb) vs gentoo (ours)`);
    /// empty when they match.
    package var differences: [String] {
        var result: [String] = []
        let group = ourWinningGroup
        if winner != ours.winner { result.append("winner: \(winner) (ai-lb) vs \(ours.winner) (ours)") }
        // Where our groups are known: ai-lb's winner must be one of the members we found agreeing.
        if !group.isEmpty && !group.contains(winner) {
            result.append("ai-lb's winner \(winner) is not in our winning group (\(group.joined(separator: "+")))")
        }
        if agreementCount != ours.agreementCount {
            result.append("agreement_count: \(agreementCount) (ai-lb) vs \(ours.agreementCount) (ours)")
        }
        if disagreement != ours.disagreement {
            result.append("disagreement: \(disagreement) (ai-lb) vs \(ours.disagreement) (ours)")
        }
        if comparisonType != ours.comparisonType.rawValue {
            result.append("comparison_type: \(comparisonType) (ai-lb) vs \(ours.comparisonType.rawValue) (ours)")
        }
        if let oracle, let oracleAgreed, !ours.groups.isEmpty {
            let inGroup = group.contains(oracle)
            if inGroup != oracleAgreed {
                result.append(
                    "oracle_agreed: \(oracleAgreed) (ai-lb) vs \(inGroup) (ours: oracle \(oracle) is \(inGroup ? "" : "not ")in our winning group)"
                )
            }
        }
        if xDisagreement != disagreement {
            result.append("x-disagreement header: \(xDisagreement ? "true" : "absent") but body disagreement: \(disagreement)")
        }
        return result
    }
}

/// ai-lb's verdict on a case repeat beside ours, with the case named for a report (every compared repeat, or
/// only those that differ).
package struct LoadBalancerDisagreement: Sendable, Hashable {
    /// The suite of the case.
    package var suite: String
    /// The case's `id` in its suite.
    package var caseID: String
    /// ai-lb's verdict and ours; `differences` says what differs.
    package var verdicts: LoadBalancerVerdictRecord
}

/// Rows written together in one transaction: one flush of a run's results.
package struct StoreBatch: Sendable {
    /// Response rows (a row with the same key is replaced).
    package var responses: [ResponseRecord] = []
    /// Verdict rows (a row with the same key is replaced).
    package var verdicts: [VerdictRecord] = []
    /// Backends first seen behind a load balancer (kind `ailb-member`), added to the run's backends.
    package var newBackends: [BackendRecord] = []
    /// ai-lb's verdicts beside ours.
    package var loadBalancerVerdicts: [LoadBalancerVerdictRecord] = []
    /// Responses to delete: a load balancer's own failed or cancelled row, once its members have answered.
    package var superseded: [ResponseKey] = []
    /// Requests sent again after an error (`--retry-errors`), by the backend of the plan they went to: their
    /// stored rows (a load balancer's own row and its members') move to `response_attempts` before the
    /// batch's new rows are written.
    package var retried: [ResponseKey] = []
    /// How each race of the batch ended (`--mode race`).
    package var races: [RaceRecord] = []
    /// A load balancer's response headers, per request.
    package var responseHeaders: [ResponseHeadersRecord] = []
    /// Answers retries replaced, as another store kept them (`merge`): written to `response_attempts` as they are.
    package var attempts: [ResponseAttemptRecord] = []
    /// Requests of a run finished by several workers whose final answers this batch stores, by the backend of
    /// the plan they went to: their rows leave the run's work queue in the same transaction.
    package var finishedWork: [ResponseKey] = []
    /// Whether verdicts, ai-lb's verdicts and response headers already stored stay as they are (PostgreSQL).
    /// A worker of a shared run writes its live verdicts so: a late worker whose lease ran out must not replace
    /// what the finalizer judged from the answers that count.
    package var keepsStoredVerdicts = false

    /// A batch of rows.
    package init(
        responses: [ResponseRecord] = [], verdicts: [VerdictRecord] = [], newBackends: [BackendRecord] = [],
        loadBalancerVerdicts: [LoadBalancerVerdictRecord] = [], superseded: [ResponseKey] = []
    ) {
        self.responses = responses
        self.verdicts = verdicts
        self.newBackends = newBackends
        self.loadBalancerVerdicts = loadBalancerVerdicts
        self.superseded = superseded
    }

    /// True when there is nothing to write.
    package var isEmpty: Bool {
        responses.isEmpty && verdicts.isEmpty && newBackends.isEmpty && loadBalancerVerdicts.isEmpty
            && superseded.isEmpty && retried.isEmpty && races.isEmpty && responseHeaders.isEmpty && attempts.isEmpty
            && finishedWork.isEmpty
    }
}

extension ResultStore {
    /// Writes a batch in one transaction: new backends first (responses name them), the rows of retried
    /// requests moved to `response_attempts`, then responses, verdicts and ai-lb verdicts (replacing rows
    /// with the same key).
    package func write(runID: Int64, batch: StoreBatch) throws {
        guard !batch.isEmpty else { return }
        try queue.write { db in try Self.write(batch, runID: runID, into: db) }
    }

    /// The same, awaited: the transaction runs on the database's own writer queue, so no thread of the
    /// concurrency pool blocks on SQLite while the requests go on.
    package func write(runID: Int64, batch: StoreBatch) async throws {
        guard !batch.isEmpty else { return }
        try await queue.write { db in try Self.write(batch, runID: runID, into: db) }
    }

    static func write(_ batch: StoreBatch, runID: Int64, into db: Database) throws {
        try Self.insert(batch.newBackends, runID: runID, into: db, ignoringExisting: true)
        try Self.keepAsAttempts(batch.retried, runID: runID, in: db)
        let delete = try db.cachedStatement(
            sql: "DELETE FROM responses WHERE run_id = ? AND case_position = ? AND repeat = ? AND backend = ?")
        for key in batch.superseded {
            try delete.execute(arguments: [runID, key.casePosition, key.repeatIndex, key.backend])
        }
        try Self.insert(responses: batch.responses, verdicts: batch.verdicts, runID: runID, into: db)
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO lb_verdicts (run_id, case_position, repeat, backend, winner, agreement_count,
                    disagreement, comparison_type, x_disagreement, our_winner, our_agreement_count, our_disagreement,
                    our_comparison_type, matches_ours, our_groups_json, our_successes, oracle, oracle_agreed)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
        for v in batch.loadBalancerVerdicts {
            let groups = JSONValue.array(v.ours.groups.map { .array($0.map { .string($0) }) }).compactText
            try insert.execute(arguments: [
                runID, v.casePosition, v.repeatIndex, v.backend, v.winner, v.agreementCount, v.disagreement,
                v.comparisonType, v.xDisagreement, v.ours.winner, v.ours.agreementCount, v.ours.disagreement,
                v.ours.comparisonType.rawValue, v.matchesOurs, groups, v.ours.successes, v.oracle, v.oracleAgreed,
            ])
        }
        try Self.insert(races: batch.races, runID: runID, into: db)
        try Self.insert(responseHeaders: batch.responseHeaders, runID: runID, into: db)
        try Self.insert(attempts: batch.attempts, runID: runID, into: db)
    }

    /// Inserts backend rows inside a write transaction; `ignoringExisting` skips names the run already has.
    static func insert(
        _ backends: [BackendRecord], runID: Int64, into db: Database, ignoringExisting: Bool = false
    )
        throws
    {
        let verb = ignoringExisting ? "INSERT OR IGNORE" : "INSERT"
        let statement = try db.cachedStatement(
            sql: "\(verb) INTO backends (run_id, position, name, kind, urls, model, family, quant, via) VALUES (?,?,?,?,?,?,?,?,?)")
        for b in backends {
            try statement.execute(arguments: [
                runID, b.position, b.name, b.kind.rawValue, JSONValue.array(b.urls.map { .string($0) }).compactText,
                b.model, b.family, b.quant, b.via,
            ])
        }
    }

    /// Member name → the load balancer it answered through, for a run's `ailb-member` backends.
    static func loadBalancerOfMember(runID: Int64, db: Database) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT name, via FROM backends WHERE run_id = ? AND via IS NOT NULL", arguments: [runID])
        {
            result[row["name"]] = row["via"]
        }
        return result
    }

    /// How many of ai-lb's verdicts a run compared with ours, and how many of them differ.
    package func loadBalancerVerdictCounts(runID: Int64) throws -> (compared: Int, mismatches: Int) {
        try queue.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN matches_ours = 0 THEN 1 ELSE 0 END), 0) AS differ
                    FROM lb_verdicts WHERE run_id = ?
                    """,
                arguments: [runID])!
            return (row["n"], row["differ"])
        }
    }

    /// Calls `body` with each of ai-lb's verdicts of a run beside ours, its case named, in (case, repeat,
    /// backend) order; only those that differ from ours when `onlyMismatches`.
    package func forEachLoadBalancerVerdict(
        runID: Int64, onlyMismatches: Bool = false, _ body: (LoadBalancerDisagreement) throws -> Void
    ) throws {
        try queue.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT l.*, c.suite, c.case_id FROM lb_verdicts l
                    JOIN cases c ON c.run_id = l.run_id AND c.position = l.case_position
                    WHERE l.run_id = ?\(onlyMismatches ? " AND l.matches_ours = 0" : "")
                    ORDER BY l.case_position, l.repeat, l.backend
                    """,
                arguments: [runID])
            while let row = try rows.next() {
                try body(
                    LoadBalancerDisagreement(suite: row["suite"], caseID: row["case_id"], verdicts: Self.loadBalancerVerdict(row)))
            }
        }
    }

    static func loadBalancerVerdict(_ row: Row) -> LoadBalancerVerdictRecord {
        let groups =
            (try? JSONValue(parsing: row["our_groups_json"] as String))?.arrayValue?.map {
                $0.arrayValue?.compactMap(\.stringValue) ?? []
            } ?? []
        let ours = Verdict(
            comparisonType: ComparisonType(rawValue: row["our_comparison_type"]) ?? .none, winner: row["our_winner"],
            agreementCount: row["our_agreement_count"], disagreement: row["our_disagreement"], groups: groups,
            successes: row["our_successes"])
        var record = LoadBalancerVerdictRecord(
            casePosition: row["case_position"], repeatIndex: row["repeat"], backend: row["backend"],
            winner: row["winner"], agreementCount: row["agreement_count"], disagreement: row["disagreement"],
            comparisonType: row["comparison_type"], xDisagreement: row["x_disagreement"], oracle: row["oracle"],
            oracleAgreed: row["oracle_agreed"], ours: ours)
        // As stored, not recomputed: the stored flag is what the run decided.
        record.matchesOurs = row["matches_ours"]
        return record
    }
}
