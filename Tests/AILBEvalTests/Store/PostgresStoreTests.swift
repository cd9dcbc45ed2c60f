import Foundation
import Testing

@testable import AILBEval

/// The PostgreSQL store's own matters: reading its URL (never a password in it), naming the database in
/// errors without the password, and upgrading a database once when several processes open it together.
@Suite struct PostgresStoreTests {
    static let secret = "s3cr3t-Pa55"

    @Test func aURLNamesHostPortDatabaseAndTLS() throws {
        let environment = ["PGPASSWORD": Self.secret, "USER": "me"]
        let full = try PostgresAddress(
            url: "postgresql://eval%40team@db.example:6543/runs?sslmode=verify-full&connect_timeout=3", passwordVariable: nil,
            environment: environment)
        #expect(full.user == "eval@team" && full.host == "db.example" && full.port == 6543 && full.database == "runs")
        #expect(full.tls == .verifyFull && full.connectTimeout == 3)
        #expect(full.password?.value == Self.secret)
        #expect(full.name == "postgres://eval@team@db.example:6543/runs")
        // Defaults: the user from the environment, the database named as the user, port 5432, no TLS.
        let bare = try PostgresAddress(url: "postgres://127.0.0.1", passwordVariable: nil, environment: ["USER": "me"])
        #expect(bare.user == "me" && bare.database == "me" && bare.port == 5432 && bare.tls == .disable && bare.password == nil)
        let ipv6 = try PostgresAddress(url: "postgres://u@[::1]:5433/d", passwordVariable: nil, environment: [:])
        #expect(ipv6.host == "::1" && ipv6.name == "postgres://u@[::1]:5433/d")
        #expect(try StoreLocation("runs.sqlite").name == "runs.sqlite")
        #expect(try StoreLocation("POSTGRES://u@h/d", environment: [:]).name == "postgres://u@h:5432/d")
    }

    @Test func thePasswordComesFromTheEnvironmentOnlyAndIsNeverShown() throws {
        let named = try PostgresAddress(
            url: "postgres://u@h/d", passwordVariable: "TEAM_DB_PASSWORD",
            environment: ["TEAM_DB_PASSWORD": Self.secret, "PGPASSWORD": "other"])
        #expect(named.password?.value == Self.secret)
        for shown in ["\(named)", String(reflecting: named), named.name, "\(named.password as Any)"] {
            #expect(!shown.contains(Self.secret), "\(shown)")
        }
        var dumped = ""
        dump(named, to: &dumped)
        #expect(!dumped.contains(Self.secret))
        #expect(throws: InputError.self) {
            try PostgresAddress(url: "postgres://u@h/d", passwordVariable: "TEAM_DB_PASSWORD", environment: [:])
        }
        for url in ["postgres://u:\(Self.secret)@h/d", "postgres://u:@h/d", "postgres://u@h/d?password=\(Self.secret)"] {
            do {
                _ = try StoreLocation(url, environment: [:])
                Issue.record("a URL with a password was accepted")
            } catch {
                #expect(error.message.contains("PGPASSWORD"))
                #expect(!error.description.contains(Self.secret))
            }
        }
    }

    @Test func badURLsAreBadInput() {
        for url in [
            "postgres://u@h/d?sslmode=sometimes", "postgres://u@h/d?application_name=x", "postgres:///d", "postgres://u@h/a/b",
            "postgres://u@h/d?connect_timeout=soon",
        ] {
            #expect(throws: InputError.self, "\(url)") { try StoreLocation(url, environment: ["USER": "me"]) }
        }
    }

    @Test func aServerThatIsNotThereIsAStoreErrorNamingIt() throws {
        let location = try StoreLocation("postgres://ailb@127.0.0.1:1/nowhere?connect_timeout=5", environment: [:])
        do {
            _ = try location.open()
            Issue.record("opened a database on port 1")
        } catch let error as StoreError {
            #expect(error.message.hasPrefix("postgres://ailb@127.0.0.1:1/nowhere: opening the database failed: cannot connect"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test(.enabled(if: PostgresTestServer.isAvailable, "no PostgreSQL server (AILB_EVAL_POSTGRES_URL)"))
    func aMissingDatabaseAndAWrongPasswordAreStoreErrorsWithoutThePassword() throws {
        let base = try PostgresTestServer.requireURL()
        let missing = PostgresTestServer.replacingDatabase(of: base, with: "no_such_database")
        #expect {
            try StoreLocation(missing, environment: [:]).open()
        } throws: { error in
            "\(error)".contains("no_such_database") && "\(error)".contains("does not exist") && "\(error)".contains("127.0.0.1:")
        }
        let passwordURL = try #require(PostgresTestServer.passwordURL, "AILB_EVAL_POSTGRES_PASSWORD_URL")
        let wrong = "wrong-\(Self.secret)"
        #expect {
            try StoreLocation(passwordURL, environment: ["PGPASSWORD": wrong]).open()
        } throws: { error in
            "\(error)".contains("password authentication failed") && !"\(error)".contains(wrong)
        }
        #expect {
            try StoreLocation(passwordURL, environment: [:]).open()
        } throws: { error in
            "\(error)".contains("asks for a password") || "\(error)".contains("password authentication failed")
        }
    }

    @Test(.enabled(if: PostgresTestServer.isAvailable, "no PostgreSQL server (AILB_EVAL_POSTGRES_URL)"))
    func tlsIsUsedAsTheURLAsksAndItsCertificateCheckedWhenAsked() throws {
        let base = try PostgresTestServer.requireURL()
        let certificate = try #require(PostgresTestServer.certificate, "AILB_EVAL_POSTGRES_CA")
        func encrypted(_ url: String) throws -> Bool {
            let rows = try PostgresTestServer.execute(["SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"], on: url)
            return try #require(rows.first).decode(Bool.self)
        }
        let byName = base.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
        #expect(try !encrypted(base))
        #expect(try !encrypted(base + "?sslmode=disable"))
        #expect(try encrypted(base + "?sslmode=prefer"))
        #expect(try encrypted(base + "?sslmode=require"))
        #expect(try encrypted(base + "?sslmode=verify-ca&sslrootcert=\(certificate)"))
        #expect(try encrypted(byName + "?sslmode=verify-full&sslrootcert=\(certificate)"))
        // A self-signed certificate is no certificate the system trusts.
        #expect {
            try StoreLocation(byName + "?sslmode=verify-full", environment: [:]).open()
        } throws: { error in
            error is StoreError && "\(error)".contains("TLS") && "\(error)".contains("localhost:")
        }
        #expect(throws: InputError.self) {
            try StoreLocation(base + "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", environment: [:]).open()
        }
    }

    @Test(.enabled(if: PostgresTestServer.isAvailable, "no PostgreSQL server (AILB_EVAL_POSTGRES_URL)"))
    func storesOpenedTogetherUpgradeTheDatabaseOnce() async throws {
        let url = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(url) }
        let location = try StoreLocation(url, environment: [:])
        let opened = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try await offThePool { try location.open().runs().count } }
            }
            return try await group.reduce(0) { $0 + 1 + $1 }
        }
        #expect(opened == 4)
        let rows = try PostgresTestServer.execute(["SELECT COUNT(*) FROM ailb_eval_migrations"], on: url)
        #expect(try rows.first?.decode(Int.self) == PostgresSchema.migrations.count)
    }
}
