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

/// The SQLite file is one kind of store.
extension ResultStore: RunStore {
    /// The file's path.
    package var name: String { path }

    /// The process that owns the run, while it lives (see `isRunningElsewhere`).
    package func ownerElsewhere(ofRun runID: Int64) throws -> String? {
        try isRunningElsewhere(runID).map { "process \($0)" }
    }

    /// SQLite's failure (a full disk, a file removed or locked) with its message and code.
    package func storingFailure(_ error: any Error) -> StoreError? {
        guard let error = error as? DatabaseError else { return nil }
        let reason = error.message ?? "\(error)"
        return StoreError(message: "\(path): storing the run failed: \(reason) (SQLite error \(error.resultCode.rawValue))")
    }
}
