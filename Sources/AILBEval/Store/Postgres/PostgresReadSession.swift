import Foundation
import NIOCore
import PostgresNIO

/// One read-only transaction on a leased connection: every query and cursor in it sees the same snapshot.
/// Large results are read through cursors a page at a time, so a report streams a run of any size in
/// bounded memory, and each row reaches the caller's closure on the caller's own thread.
final class PostgresReadSession {
    let pool: PostgresConnectionPool
    let connection: PostgresConnection
    private var cursors = 0
    /// Rows a cursor fetches at a time (a page of responses with their raw bodies stays a few megabytes).
    static let pageSize = 256

    private init(pool: PostgresConnectionPool, connection: PostgresConnection) {
        self.pool = pool
        self.connection = connection
    }

    /// Runs `body` in a session; `doing` names the work in an error message.
    static func with<T>(_ pool: PostgresConnectionPool, doing: String, _ body: (PostgresReadSession) throws -> T) throws -> T {
        let connection = try pool.wait(pool.lease(), doing: doing)
        let session = PostgresReadSession(pool: pool, connection: connection)
        let result: T
        do {
            try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", doing: doing)
            result = try body(session)
            try session.execute("COMMIT", doing: doing)
        } catch {
            // The body's own error (a report that could not be written) leaves the connection usable.
            let rolledBack = (try? connection.query("ROLLBACK", logger: pool.logger).wait()) != nil
            pool.release(connection, healthy: rolledBack)
            throw error
        }
        pool.release(connection, healthy: true)
        return result
    }

    func execute(_ query: PostgresQuery, doing: String) throws {
        _ = try pool.wait(connection.query(query, logger: pool.logger), doing: doing)
    }

    /// Every row of `query` (for results known to be small).
    func rows(_ query: PostgresQuery, doing: String) throws -> [PostgresRow] {
        try pool.wait(connection.query(query, logger: pool.logger), doing: doing).rows
    }

    /// A cursor over `query`'s rows, in its order.
    func cursor(_ query: PostgresQuery, doing: String) throws -> Cursor {
        cursors += 1
        let name = "ailb_cursor_\(cursors)"
        try execute(PostgresQuery(unsafeSQL: "DECLARE \(name) NO SCROLL CURSOR FOR " + query.sql, binds: query.binds), doing: doing)
        return Cursor(session: self, name: name, doing: doing)
    }

    /// Calls `body` with each row of `query`, a page at a time.
    func forEachRow(_ query: PostgresQuery, doing: String, _ body: (PostgresRow) throws -> Void) throws {
        let cursor = try cursor(query, doing: doing)
        while let row = try cursor.next() { try body(row) }
    }

    /// The rows of a declared cursor, fetched a page at a time as they are asked for.
    final class Cursor {
        let session: PostgresReadSession
        let fetch: PostgresQuery
        let doing: String
        private var page: [PostgresRow] = []
        private var index = 0
        private var exhausted = false

        init(session: PostgresReadSession, name: String, doing: String) {
            self.session = session
            self.doing = doing
            fetch = PostgresQuery(unsafeSQL: "FETCH FORWARD \(PostgresReadSession.pageSize) FROM \(name)")
        }

        func next() throws -> PostgresRow? {
            if index == page.count {
                guard !exhausted else { return nil }
                page = try session.rows(fetch, doing: doing)
                index = 0
                exhausted = page.count < PostgresReadSession.pageSize
                if page.isEmpty { return nil }
            }
            defer { index += 1 }
            return page[index]
        }
    }
}

/// A row's cells read one after another, in the order the query selected them.
struct PostgresCells {
    private var iterator: PostgresRow.Iterator

    init(_ row: PostgresRow) { iterator = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        guard let cell = iterator.next() else { throw StoreError(message: "a stored row has fewer columns than expected") }
        do {
            return try cell.decode(T.self)
        } catch let error as PostgresDecodingError {
            throw Self.unexpected(error)
        }
    }

    /// A value that is not what ailb-eval stores: a table of the same name made by something else.
    static func unexpected(_ error: PostgresDecodingError) -> StoreError {
        StoreError(message: "column \(error.columnName) holds something ailb-eval did not store there (is this an ailb-eval database?)")
    }

    /// A 0/1 flag.
    mutating func flag() throws -> Bool { try next(Int.self) != 0 }

    /// A 0/1 flag that may be NULL.
    mutating func optionalFlag() throws -> Bool? { try next(Int?.self).map { $0 != 0 } }
}

extension PostgresRow {
    /// The row's values as `type`; a value of another type is a `StoreError`, as in `PostgresCells`.
    func values<each Column: PostgresDecodable>(_ type: (repeat each Column).Type) throws -> (repeat each Column) {
        do {
            return try decode(type)
        } catch let error as PostgresDecodingError {
            throw PostgresCells.unexpected(error)
        }
    }
}
