import Foundation

/// Where the workflows that read stored runs (`runs`, `report`, `export`, `gate`, `compare`) find the
/// database: `--db`, else the config's `storage.path` (that key only: see `DatabaseLocation`).
package struct StoredRunsLocation: Sendable {
    /// `--db`: the database file.
    package var databasePath: String?
    /// `--config`: the config file whose `storage.path` names the database.
    package var configPath: String?
    /// The environment for `${VAR}` in `storage.path`.
    package var environment: [String: String]

    package init(
        databasePath: String? = nil, configPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.databasePath = databasePath
        self.configPath = configPath
        self.environment = environment
    }

    /// The database path; a note about a config that could not be read goes to the messages.
    func resolve(output: some WorkflowOutput) throws(InputError) -> String {
        let (path, note) = try DatabaseLocation.forReading(db: databasePath, config: configPath, environment: environment)
        if let note { output.messageLine("note: \(note)") }
        return path
    }

    /// The database of stored runs, opened read-only.
    func open(output: some WorkflowOutput) throws -> ResultStore {
        try ResultStore(readingFrom: resolve(output: output))
    }
}
