import GRDB

/// What `merge` reads and writes: the parts of a run split over machines, found by their run key, read a few
/// cases at a time, and a merged run taken back whole when it cannot be finished.
extension ResultStore {
    /// The newest run stored with `--run-key key`.
    package func latestRun(withKey key: String) throws -> RunRecord {
        try markOrphanedRunsInterrupted()
        let row: Row? = try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE run_key = ? ORDER BY id DESC LIMIT 1", arguments: [key])
        }
        guard let row else { throw StoreError(message: "\(path): no run with the run key '\(key)' (see `ailb-eval runs`)") }
        return runRecordAsSeenNow(row)
    }

    /// The responses of a run to the cases at `casePositions`, every column, in (case, repeat, backend) order.
    package func responses(runID: Int64, casePositions: Range<Int>) throws -> [ResponseRecord] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(ResponseColumns.all.sql) FROM responses
                    WHERE run_id = ? AND case_position >= ? AND case_position < ?
                    ORDER BY case_position, repeat, backend
                    """,
                arguments: [runID, casePositions.lowerBound, casePositions.upperBound]
            ).map(Self.streamedResponse)
        }
    }

    /// Removes a run and every row it owns (a merge that could not be finished leaves nothing behind).
    package func deleteRun(_ runID: Int64) throws {
        try queue.write { db in
            // Every table names the run with ON DELETE CASCADE; foreign keys are on for every connection.
            try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [runID])
        }
    }
}
