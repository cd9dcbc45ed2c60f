import Foundation
import PostgresNIO
import Testing

@testable import AILBEval

/// The kinds of store every store test runs against. PostgreSQL needs a server: `AILB_EVAL_POSTGRES_URL`
/// (`eval "$(scripts/postgres-test-server start)"` starts one). Without it its cases are left out, with the
/// reason printed, unless `CI` is set: there they run, and fail.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// The kinds to test here.
    static let available: [StoreKind] = PostgresTestServer.isAvailable ? allCases : [.sqlite]
}

/// A new, empty database of one kind for one test, removed by `remove()`.
struct ScratchStore: Sendable {
    let kind: StoreKind
    /// The `--db` value.
    let value: String
    let location: StoreLocation

    init(_ kind: StoreKind) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            value = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        case .postgres:
            value = try PostgresTestServer.createDatabase()
        }
        location = try StoreLocation(value, environment: [:])
    }

    func open() throws -> any RunStore { try location.open() }

    func remove() {
        switch kind {
        case .sqlite:
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: value + suffix) }
        case .postgres:
            PostgresTestServer.dropDatabase(value)
        }
    }
}

/// The PostgreSQL server of the tests (see `scripts/postgres-test-server`).
enum PostgresTestServer {
    static let environment = ProcessInfo.processInfo.environment
    /// A role trusted from 127.0.0.1 that may create databases.
    static let url = environment["AILB_EVAL_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// A role that must give a password, and the password.
    static let passwordURL = environment["AILB_EVAL_POSTGRES_PASSWORD_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let password = environment["AILB_EVAL_POSTGRES_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
    /// The server's self-signed certificate (it offers TLS beside plain connections).
    static let certificate = environment["AILB_EVAL_POSTGRES_CA"].flatMap { $0.isEmpty ? nil : $0 }
    /// In CI a PostgreSQL test must run: a missing server fails it.
    static let isRequired = !(environment["CI"] ?? "").isEmpty

    /// Printed once when the PostgreSQL tests are left out.
    static let skipNote: Void = {
        if url == nil && !isRequired {
            print(
                "skipped: the PostgreSQL cases of the store and CLI tests: AILB_EVAL_POSTGRES_URL is not set "
                    + "(eval \"$(scripts/postgres-test-server start)\" starts a server)")
        }
    }()

    /// The server's URL; throws (failing the test) when there is none, which only a required test asks for.
    static func requireURL() throws -> String {
        try #require(url, "CI is set but AILB_EVAL_POSTGRES_URL is not: start scripts/postgres-test-server")
    }

    /// Whether the PostgreSQL case of a test runs here; prints why not once.
    static var isAvailable: Bool {
        _ = skipNote
        return url != nil || isRequired
    }

    /// A new database on the server, owned by the URL's role; its URL.
    static func createDatabase(from base: String? = nil) throws -> String {
        let base = try base ?? requireURL()
        let name = "ailb_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try execute(["CREATE DATABASE \(name)"], on: base)
        return replacingDatabase(of: base, with: name)
    }

    /// `url` naming database `name` instead.
    static func replacingDatabase(of url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }

    /// Drops the database `url` names, whoever is still connected to it.
    static func dropDatabase(_ url: String) {
        guard let base = self.url, let name = URLComponents(string: url)?.path.dropFirst() else { return }
        _ = try? execute(["DROP DATABASE IF EXISTS \(name) WITH (FORCE)"], on: base)
    }

    /// Runs `statements` one by one on the database `url` names; the rows of the last.
    @discardableResult
    static func execute(_ statements: [String], on url: String, password: String? = nil) throws -> [PostgresRow] {
        var environment: [String: String] = [:]
        if let password { environment["PGPASSWORD"] = password }
        guard case .postgres(let address) = try StoreLocation(url, environment: environment) else { return [] }
        let pool = try PostgresConnectionPool(address: address, readOnly: false)
        var rows: [PostgresRow] = []
        for statement in statements {
            rows = try pool.wait(pool.rows(PostgresQuery(unsafeSQL: statement)), doing: "test setup")
        }
        return rows
    }

    /// The values of every column of every row of the ailb-eval tables, as text: what a database holds.
    static func everyStoredValue(_ url: String, password: String? = nil) throws -> String {
        let tables = [
            "runs", "backends", "cases", "responses", "verdicts", "lb_verdicts", "response_attempts", "races",
            "response_headers", "ailb_eval_migrations",
        ]
        var text = ""
        for table in tables {
            for row in try execute(["SELECT t::text FROM \(table) t"], on: url, password: password) {
                text += (try row.decode(String.self)) + "\n"
            }
        }
        return text
    }
}
