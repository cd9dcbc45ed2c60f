import GRDB

/// The database is the reader reports normally use.
extension ResultStore: RunReader {
    /// The raw bodies of the successful responses to one repeat of one case, by backend.
    package func successfulRawBodies(runID: Int64, casePosition: Int, repeatIndex: Int) throws -> [String: String] {
        try queue.read { db in
            var bodies: [String: String] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT backend, raw_body FROM responses WHERE run_id = ? AND case_position = ? AND repeat = ? AND success = 1",
                arguments: [runID, casePosition, repeatIndex])
            for row in rows {
                bodies[row["backend"]] = row["raw_body"]
            }
            return bodies
        }
    }
}
