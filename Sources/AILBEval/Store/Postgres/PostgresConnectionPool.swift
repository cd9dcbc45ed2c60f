import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A few connections to one database, each lent to one caller at a time: a connection is opened when none is
/// idle and kept idle afterwards (up to `keptIdle`), so a report's nested reads and a run's writer never
/// wait for one another. A connection that saw an error is closed rather than lent again.
///
/// Bridging: the store's API is synchronous (as GRDB's is), its callers on any thread but a NIO event loop's.
/// Every database operation here is an `EventLoopFuture` chain that runs on NIO's event loops; the
/// synchronous API blocks its calling thread in `wait()`, the asynchronous one (the run's writer) awaits
/// `get()`. Neither needs a thread of Swift's concurrency pool to make progress, so a caller that blocks one
/// of the pool's threads cannot starve the work it is waiting for (as a semaphore around an async call
/// could, with every pool thread blocked).
final class PostgresConnectionPool: Sendable {
    let address: PostgresAddress
    let configuration: PostgresConnection.Configuration
    private let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    private let idle = BackendLockedState<[PostgresConnection]>([])
    private let lastID = BackendLockedState(0)
    /// postgres-nio's own log stays silent: with `--verbose` it would print queries and their values.
    let logger = Logger(label: "ailb-eval.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    static let keptIdle = 4

    init(address: PostgresAddress, readOnly: Bool) throws(InputError) {
        self.address = address
        configuration = try address.configuration(readOnly: readOnly)
    }

    deinit {
        let connections = idle.write { connections in
            defer { connections = [] }
            return connections
        }
        for connection in connections { PostgresConnectionPool.close(connection) }
    }

    /// Closes `connection` in the background, keeping it alive until it is closed (postgres-nio requires that).
    static func close(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// A new connection of its own, not from the idle ones (a run's owner holds one for the run's lifetime).
    func connect() -> EventLoopFuture<PostgresConnection> {
        let id = lastID.write { value in
            value += 1
            return value
        }
        return PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger)
    }

    /// An idle connection, else a new one.
    func lease() -> EventLoopFuture<PostgresConnection> {
        let reused = idle.write { $0.popLast() }
        if let reused, !reused.isClosed { return reused.eventLoop.makeSucceededFuture(reused) }
        if let reused { Self.close(reused) }
        return connect()
    }

    /// Gives back a leased connection: kept for the next caller when healthy, else closed.
    func release(_ connection: PostgresConnection, healthy: Bool) {
        let kept =
            healthy && !connection.isClosed
            && idle.write { connections in
                guard connections.count < Self.keptIdle else { return false }
                connections.append(connection)
                return true
            }
        if !kept { PostgresConnectionPool.close(connection) }
    }

    /// Runs `body` on a leased connection and gives it back, healthy if `body` succeeded.
    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        lease().flatMap { connection in
            body(connection).always { result in
                if case .failure = result {
                    self.release(connection, healthy: false)
                } else {
                    self.release(connection, healthy: true)
                }
            }
        }
    }

    /// The rows of one statement.
    func rows(_ query: PostgresQuery) -> EventLoopFuture<[PostgresRow]> {
        withConnection { connection in connection.query(query, logger: self.logger).map(\.rows) }
    }

    /// The rows of `query`, run in one transaction after `statements` (settings for it alone: `SET LOCAL`).
    func rows(_ query: PostgresQuery, after statements: [PostgresQuery]) -> EventLoopFuture<[PostgresRow]> {
        withConnection { connection in
            self.run(["BEGIN"] + statements, on: connection)
                .flatMap { connection.query(query, logger: self.logger).map(\.rows) }
                .flatMap { rows in connection.query("COMMIT", logger: self.logger).map { _ in rows } }
        }
    }

    /// Runs `statements` in one transaction: all of them or none.
    func transaction(_ statements: [PostgresQuery]) -> EventLoopFuture<Void> {
        withConnection { connection in self.transaction(statements, on: connection) }
    }

    /// Runs `statements` in one transaction on `connection`. When one fails the rest are not sent, and the
    /// connection is closed (by `withConnection`, or the caller that holds it), which rolls the transaction back.
    func transaction(_ statements: [PostgresQuery], on connection: PostgresConnection) -> EventLoopFuture<Void> {
        run(["BEGIN"] + statements + ["COMMIT"], on: connection)
    }

    /// Runs `statements` one after another on `connection`, stopping at the first that fails.
    func run(_ statements: [PostgresQuery], on connection: PostgresConnection) -> EventLoopFuture<Void> {
        var chain = connection.eventLoop.makeSucceededVoidFuture()
        for statement in statements {
            chain = chain.flatMap { connection.query(statement, logger: self.logger).map { _ in } }
        }
        return chain
    }

    // MARK: Waiting

    /// Waits on the calling thread (never a NIO event loop's) for `future`; a failure becomes a
    /// `StoreError` saying what was being done (`doing`) and why, naming the database but never the password.
    @discardableResult
    func wait<T: Sendable>(_ future: EventLoopFuture<T>, doing: String) throws -> T {
        do {
            return try future.wait()
        } catch {
            throw storeError(error, doing: doing)
        }
    }

    /// The same, awaited.
    @discardableResult
    func get<T: Sendable>(_ future: EventLoopFuture<T>, doing: String) async throws -> T {
        do {
            return try await future.get()
        } catch {
            throw storeError(error, doing: doing)
        }
    }

    /// One line for the user: the database (URL without password), what failed, and PostgreSQL's reason.
    func storeError(_ error: any Error, doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        let reason: String
        if let error = error as? PSQLError {
            switch error.code {
            case .server:
                let message = error.serverInfo?[.message] ?? "the server refused"
                let state = error.serverInfo?[.sqlState]
                reason = state.map { "\(message) (SQLSTATE \($0))" } ?? message
            case .connectionError:
                reason = "cannot connect to \(address.host):\(address.port): " + Self.connectionReason(error.underlying)
            case .authMechanismRequiresPassword:
                reason = "the server asks for a password; set PGPASSWORD (or the variable storage.password_env names)"
            case .sslUnsupported:
                reason = "the server does not offer TLS (sslmode=\(address.tls.rawValue)); use sslmode=disable or prefer"
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                reason = "the connection to \(address.host):\(address.port) was closed"
            case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
                reason = "TLS could not be set up with \(address.host):\(address.port)"
            default:
                reason = "\(error.code)" + (error.underlying.map { ": \(Self.connectionReason($0))" } ?? "")
            }
        } else if let error = error as? PostgresDecodingError {
            reason = "unexpected data in column \(error.columnName) (not an ailb-eval database?)"
        } else {
            reason = Self.connectionReason(error)
        }
        return StoreError(message: "\(address.name): \(doing) failed: \(reason)")
    }

    /// The gist of a network or TLS error (its own descriptions hold nothing secret).
    static func connectionReason(_ error: (any Error)?) -> String {
        guard let error else { return "no reason given" }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return connectionReason(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name does not resolve" }
            return "no address to connect to"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? NIOSSLError {
            if "\(error)".contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS: the server's certificate could not be verified (sslrootcert names the authority to trust)"
            }
            if case .handshakeFailed = error { return "TLS: the handshake failed" }
            return "TLS: \(error)"
        }
        if let error = error as? NIOSSLExtraError { return "TLS: \(error)" }
        if let error = error as? ChannelError, case .connectTimeout(_) = error { return "timed out" }
        return "\(error)"
    }
}
