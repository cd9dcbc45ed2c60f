import Foundation

/// Where the commands that read stored runs (`runs`, `report`, `export`, `gate`, `compare`) find the database.
///
/// They need nothing else from a config: what a report or gate uses is stored with the run. So the config is
/// read for its `storage` keys only — no other key is parsed or `${VAR}`-expanded — and a `./config.yaml` that
/// is broken, or needs a variable that is not set, does not stop them.
public enum DatabaseLocation {
    /// The database (a SQLite path or a PostgreSQL URL) and, when `./config.yaml` could not be read for it, a
    /// note saying so.
    ///
    /// `--db` wins; else `storage.path` or `storage.url` of the `--config` file (which must then be readable:
    /// the user named it); else those of `./config.yaml` when it can be read; else `ailb-eval.sqlite`.
    public static func forReading(
        db: String?, config: String?, environment: [String: String]
    ) throws(InputError)
        -> (path: String, note: String?)
    {
        let found = try storageForReading(db: db, config: config, environment: environment)
        return (found.value, found.note)
    }

    /// The same, with the variable `storage.password_env` names for a PostgreSQL password. With `--db` naming a
    /// PostgreSQL URL the config is still read for that variable (a `./config.yaml` that cannot be read is
    /// then passed over: `PGPASSWORD` is used).
    package static func storageForReading(
        db: String?, config: String?, environment: [String: String]
    ) throws(InputError) -> (value: String, passwordVariable: String?, note: String?) {
        if let db {
            guard PostgresAddress.isURL(db) else { return (db, nil, nil) }
            if let config { return (db, try storage(in: config, environment: environment).passwordEnv, nil) }
            guard FileManager.default.fileExists(atPath: "config.yaml") else { return (db, nil, nil) }
            return (db, (try? storage(in: "config.yaml", environment: environment))?.passwordEnv, nil)
        }
        let fallback = EvalConfig(backends: []).storagePath
        if let config {
            let found = try storage(in: config, environment: environment)
            return (found.value ?? fallback, found.passwordEnv, nil)
        }
        guard FileManager.default.fileExists(atPath: "config.yaml") else { return (fallback, nil, nil) }
        do {
            let found = try storage(in: "config.yaml", environment: environment)
            return (found.value ?? fallback, found.passwordEnv, nil)
        } catch {
            return (
                fallback, nil,
                "\(error) (only the storage keys are read from it here); reading \(fallback) (--db names another)"
            )
        }
    }

    /// `storage.path` or `storage.url`, and `storage.password_env`, of the config file at `file`; nil where it
    /// sets none. Only these keys are read and expanded.
    static func storage(in file: String, environment: [String: String]) throws(InputError) -> (value: String?, passwordEnv: String?) {
        let text = try InputFile.readText(path: file, what: "config file")
        let reader = YAMLReader(file: file, environment: environment)
        guard let storage = try reader.decode(StorageOnly.self, from: reader.root(of: text)).storage else { return (nil, nil) }
        if let path = storage.path, storage.url != nil {
            throw path.keyError("storage: set 'path' (a SQLite file) or 'url' (a PostgreSQL database), not both")
        }
        return (try (storage.url ?? storage.path)?.nonEmpty(), try storage.passwordEnv?.nonEmpty())
    }
}

/// The keys of a config these commands read. Its keys are open (not `CaseIterable`): every other key is left
/// unread, so neither checked nor expanded.
private struct StorageOnly: YAMLMapping {
    struct Storage: YAMLMapping {
        var path: Located<String>?
        var url: Located<String>?
        var passwordEnv: Located<String>?

        enum CodingKeys: String, CodingKey {
            case path, url
            case passwordEnv = "password_env"
        }

        static func yamlName(key: String) -> String { "storage" }
    }

    var storage: Storage?

    static func yamlName(key: String) -> String { "the config" }
}
