import Foundation
import PostgresNIO

/// A PostgreSQL database as `--db postgres://USER@HOST:PORT/DATABASE?sslmode=…` names it, with the password
/// taken from the environment. The URL itself never holds a password: one there would end up in shell
/// history, config files and process listings, so it is refused.
package struct PostgresAddress: Sendable {
    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var tls: TLSMode
    /// `sslrootcert`: the certificates to verify the server's against (else the system's).
    package var rootCertificateFile: String?
    /// `connect_timeout`, in seconds.
    package var connectTimeout: Int
    /// From `PGPASSWORD` or the variable `storage.password_env` names; never printed (see `Password`).
    var password: Password?

    /// `sslmode`, as libpq spells it. `disable` (the default here) and `allow` connect in plain text;
    /// `prefer` uses TLS when the server offers it; `require` insists on TLS without checking the
    /// certificate; `verify-ca` checks it against the trusted roots; `verify-full` also checks the host name.
    package enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A password that says nothing about itself when printed, dumped or interpolated.
    struct Password: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        let value: String
        var description: String { "<password>" }
        var debugDescription: String { "<password>" }
        var customMirror: Mirror { Mirror(self, children: []) }
    }

    /// Whether `value` (`--db`, `storage.path` or `storage.url`) names a PostgreSQL database.
    package static func isURL(_ value: String) -> Bool {
        let lowered = value.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses `url`. The password comes from `passwordVariable` (`storage.password_env`) when given, which must
    /// then be set, else from `PGPASSWORD`; the user defaults to `PGUSER` or `USER`, the database to the user.
    /// Errors never repeat the URL (it may carry the password the user should not have put there).
    /// `source` names where the URL was given (`--db`, `storage.url`) in messages.
    package init(url: String, passwordVariable: String?, environment: [String: String], source: String = "--db") throws(InputError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw InputError("\(source): not a PostgreSQL URL (expected postgres://USER@HOST:PORT/DATABASE)")
        }
        guard components.percentEncodedPassword == nil else {
            throw InputError(
                "\(source): the PostgreSQL URL holds a password; leave it out and set it in PGPASSWORD "
                    + "(or the variable storage.password_env names)")
        }
        var hostName = components.host ?? ""
        if hostName.hasPrefix("["), hostName.hasSuffix("]") { hostName = String(hostName.dropFirst().dropLast()) }
        guard !hostName.isEmpty else {
            throw InputError("\(source): the PostgreSQL URL names no host (expected postgres://USER@HOST:PORT/DATABASE)")
        }
        host = hostName
        port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw InputError("\(source): port \(port) is out of range") }
        guard let user = components.user.flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["PGUSER"] ?? environment["USER"]
        else {
            throw InputError("\(source): the PostgreSQL URL names no user (postgres://USER@HOST/DATABASE), and PGUSER is not set")
        }
        self.user = user
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw InputError("\(source): '\(path)' is not a database name") }
        database = path.isEmpty ? user : path
        tls = .disable
        connectTimeout = 10
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw InputError(
                        "\(source): sslmode '\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "sslrootcert":
                rootCertificateFile = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw InputError("\(source): connect_timeout must be a whole number of seconds, got '\(value)'")
                }
                connectTimeout = seconds
            case "password":
                throw InputError(
                    "\(source): the PostgreSQL URL holds a password; leave it out and set it in PGPASSWORD "
                        + "(or the variable storage.password_env names)")
            default:
                throw InputError(
                    "\(source): unknown PostgreSQL URL parameter '\(item.name)' (known: sslmode, sslrootcert, connect_timeout)")
            }
        }
        if let variable = passwordVariable {
            guard let value = environment[variable] else {
                throw InputError("storage.password_env names \(variable), which is not set (it holds the PostgreSQL password)")
            }
            password = Password(value: value)
        } else if let value = environment["PGPASSWORD"] {
            password = Password(value: value)
        }
    }

    /// Checks the form of `url` (no password in it, known parameters) without reading the environment.
    package static func checkForm(of url: String, source: String = "storage.url") throws(InputError) {
        _ = try PostgresAddress(url: url, passwordVariable: nil, environment: ["USER": "-"], source: source)
    }

    /// The URL without a password, for messages: `postgres://USER@HOST:PORT/DATABASE`.
    package var name: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The connection settings: TLS as `sslmode` asks, the password if one was given, and a name the server
    /// shows for the session (`ailb-eval pid 4242 on HOST`), which tells who owns a running run.
    func configuration(readOnly: Bool) throws(InputError) -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password?.value, database: database, tls: try tlsSetting())
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        var parameters = [("application_name", Self.applicationName)]
        // A reading command cannot change the database, whatever it asks.
        if readOnly { parameters.append(("default_transaction_read_only", "on")) }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }

    /// How this process introduces itself to the server (at most 63 bytes are kept).
    package static let applicationName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let named = gethostname(&buffer, buffer.count - 1) == 0
        let host = named ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        let short = host.split(separator: ".").first.map(String.init) ?? host
        return String("ailb-eval pid \(getpid()) on \(short)".utf8.prefix(63)) ?? "ailb-eval"
    }()

    func tlsSetting() throws(InputError) -> PostgresConnection.Configuration.TLS {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable, .allow: return .disable
        case .prefer, .require: tlsConfiguration.certificateVerification = .none
        case .verifyCA: tlsConfiguration.certificateVerification = .noHostnameVerification
        case .verifyFull: tlsConfiguration.certificateVerification = .fullVerification
        }
        if let file = rootCertificateFile {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw InputError(file: file, "sslrootcert: cannot read the certificate file")
            }
            tlsConfiguration.trustRoots = .file(file)
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw InputError("\(name): cannot set up TLS (sslmode=\(tls.rawValue)): \(error)")
        }
        return tls == .prefer ? .prefer(context) : .require(context)
    }
}
