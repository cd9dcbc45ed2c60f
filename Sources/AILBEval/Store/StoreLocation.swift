import Foundation

/// Where runs are stored, as `--db` (or the config's `storage.path` / `storage.url`) gives it: a file path names
/// a SQLite file, a `postgres://` or `postgresql://` URL a PostgreSQL database. The one way to open a store.
package enum StoreLocation: Sendable {
    case sqlite(path: String)
    case postgres(PostgresAddress)

    /// Reads `value`. For a PostgreSQL URL the password comes from the variable `passwordVariable` names
    /// (`storage.password_env`), else `PGPASSWORD`; a URL that holds one is refused (exit 2). `source` names
    /// where `value` was given, for messages.
    package init(
        _ value: String, passwordVariable: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        source: String = "--db"
    ) throws(InputError) {
        if PostgresAddress.isURL(value) {
            self = .postgres(
                try PostgresAddress(url: value, passwordVariable: passwordVariable, environment: environment, source: source))
        } else {
            self = .sqlite(path: value)
        }
    }

    /// Whether `value` names a database server, which may need a password.
    package static func takesPassword(_ value: String) -> Bool {
        PostgresAddress.isURL(value)
    }

    /// How messages name it: the path, or the URL without a password.
    package var name: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let address): address.name
        }
    }

    /// Opens the store for a run: created if needed, its schema brought up to date.
    package func open() throws -> any RunStore {
        switch self {
        case .sqlite(let path): try ResultStore(path: path)
        case .postgres(let address): try PostgresStore(address: address)
        }
    }

    /// Opens the store of a run to resume; throws `InputError` when there is no SQLite file to resume from
    /// (a database server is always there: an empty one says it has no runs).
    package func openForResuming() throws -> any RunStore {
        if case .sqlite(let path) = self, !FileManager.default.fileExists(atPath: path) {
            throw InputError(file: path, "no database to resume from")
        }
        return try open()
    }

    /// Opens the store for the commands that only read: nothing is created, upgraded or written.
    package func openForReading() throws -> any RunStore {
        switch self {
        case .sqlite(let path):
            return try ResultStore(readingFrom: path)
        case .postgres(let address):
            guard let store = try PostgresStore.forReading(address) else { throw PostgresStore.nothingStored(address) }
            return store
        }
    }

    /// The same, or nil when nothing was stored there yet: no file (or an empty one), or a database without
    /// ailb-eval's tables.
    package func openForReadingIfStored() throws -> (any RunStore)? {
        switch self {
        case .sqlite(let path):
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            guard let size, size > 0 else { return nil }
            return try ResultStore(readingFrom: path)
        case .postgres(let address):
            return try PostgresStore.forReading(address)
        }
    }
}
