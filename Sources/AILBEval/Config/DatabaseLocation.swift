import Foundation

/// Where the commands that read stored runs (`runs`, `report`, `export`, `gate`, `compare`) find the database.
///
/// They need nothing else from a config: what a report or gate uses is stored with the run. So the config is
/// read for its `storage.path` only — no other key is parsed or `${VAR}`-expanded — and a `./config.yaml` that
/// is broken, or needs a variable that is not set, does not stop them.
public enum DatabaseLocation {
    /// The database path and, when `./config.yaml` could not be read for it, a note saying so.
    ///
    /// `--db` wins; else `storage.path` of the `--config` file (which must then be readable: the user named
    /// it); else `storage.path` of `./config.yaml` when it can be read; else `ailb-eval.sqlite`.
    public static func forReading(
        db: String?, config: String?, environment: [String: String]
    ) throws(InputError)
        -> (path: String, note: String?)
    {
        if let db { return (db, nil) }
        let fallback = EvalConfig(backends: []).storagePath
        if let config { return (try storagePath(in: config, environment: environment) ?? fallback, nil) }
        guard FileManager.default.fileExists(atPath: "config.yaml") else { return (fallback, nil) }
        do {
            return (try storagePath(in: "config.yaml", environment: environment) ?? fallback, nil)
        } catch {
            return (fallback, "\(error) (only storage.path is read from it here); reading \(fallback) (--db names another)")
        }
    }

    /// `storage.path` of the config file at `file`, nil when it sets none. Only that key is read and expanded.
    static func storagePath(in file: String, environment: [String: String]) throws(InputError) -> String? {
        let text = try InputFile.readText(path: file, what: "config file")
        let reader = YAMLReader(file: file, environment: environment)
        return try reader.decode(StorageOnly.self, from: reader.root(of: text)).storage?.path?.nonEmpty()
    }
}

/// The one key of a config these commands read. Its keys are open (not `CaseIterable`): every other key is
/// left unread, so neither checked nor expanded.
private struct StorageOnly: YAMLMapping {
    struct Storage: YAMLMapping {
        var path: Located<String>?

        static func yamlName(key: String) -> String { "storage" }
    }

    var storage: Storage?

    static func yamlName(key: String) -> String { "the config" }
}
