import AILBEval
import ArgumentParser
import Foundation

/// Options shared by the commands that read config or database.
struct CommonOptions: ParsableArguments {
    @Option(help: "Config file (default: ./config.yaml, else the embedded default).", completion: .file(extensions: ["yaml"]))
    var config: String?

    @Option(
        help:
            "SQLite file, or postgres://USER@HOST:PORT/DATABASE with the password in PGPASSWORD (default: storage.path or storage.url of the config).",
        completion: .file())
    var db: String?

    /// The database of stored runs: --db, else the config's storage.path or storage.url.
    var storedRuns: StoredRunsLocation {
        StoredRunsLocation(databasePath: db, configPath: config)
    }
}
