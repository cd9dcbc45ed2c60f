import Foundation

/// Where the workflows that read stored runs (`runs`, `report`, `export`, `gate`, `compare`) find the
/// database: `--db`, else the config's `storage.path` or `storage.url` (those keys only: see `DatabaseLocation`).
package struct StoredRunsLocation: Sendable {
    /// `--db`: the database file or PostgreSQL URL.
    package var databasePath: String?
    /// `--config`: the config file whose `storage.path` names the database.
    package var configPath: String?
    /// The environment for `${VAR}` in the storage keys, and the PostgreSQL password.
    package var environment: [String: String]

    package init(
        databasePath: String? = nil, configPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.databasePath = databasePath
        self.configPath = configPath
        self.environment = environment
    }

    /// The database; a note about a config that could not be read goes to the messages.
    func resolve(output: some WorkflowOutput) throws(InputError) -> StoreLocation {
        let found = try DatabaseLocation.storageForReading(db: databasePath, config: configPath, environment: environment)
        if let note = found.note { output.messageLine("note: \(note)") }
        return try StoreLocation(
            found.value, passwordVariable: found.passwordVariable, environment: environment,
            source: databasePath != nil ? "--db" : "storage.url")
    }

    /// The database of stored runs, opened read-only.
    func open(output: some WorkflowOutput) throws -> any RunStore {
        try resolve(output: output).openForReading()
    }
}
