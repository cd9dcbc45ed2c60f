import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections to one `host:port`, at most `maxConnections` of them.
///
/// An exchange gets the most recently used idle connection (LIFO: warm, and the others may time out on
/// the server's side unused), else a new connection while under the limit, else waits in FIFO order
/// for the next connection to be released. A connection that closes, or answers with
/// `Connection: close`, is dropped, and a waiter then gets a new one. The pool's lock guards only its
/// lists; everything about a connection happens on the connection's event loop.
final class HTTPConnectionPool: @unchecked Sendable {
    let host: String
    let port: Int
    private let group: any EventLoopGroup
    private let maxConnections: Int

    private let lock = NSLock()
    private var idle: [HTTPConnection] = []
    private var open: [ObjectIdentifier: HTTPConnection] = [:]
    private var connecting = 0
    private var waiters = CircularBuffer<HTTPExchange>()
    private var isShutDown = false

    init(host: String, port: Int, group: any EventLoopGroup, maxConnections: Int) {
        self.host = host
        self.port = port
        self.group = group
        self.maxConnections = max(1, maxConnections)
    }

    /// Runs `exchange` on a connection as soon as there is one.
    func execute(_ exchange: HTTPExchange) {
        lock.lock()
        if isShutDown {
            lock.unlock()
            exchange.cancel()
            return
        }
        if let connection = idle.popLast() {
            lock.unlock()
            connection.execute(exchange)
            return
        }
        if open.count + connecting < maxConnections {
            connecting += 1
            lock.unlock()
            connect(for: exchange)
            return
        }
        waiters.append(exchange)
        lock.unlock()
        exchange.armTimer(on: group.any())
    }

    /// A connection finished a response and can serve again.
    func release(_ connection: HTTPConnection) {
        lock.lock()
        if isShutDown || open[ObjectIdentifier(connection)] == nil {
            lock.unlock()
            connection.close()
            return
        }
        if let waiter = waiters.popFirst() {
            lock.unlock()
            connection.execute(waiter)
            return
        }
        idle.append(connection)
        lock.unlock()
    }

    /// A connection's channel closed; a waiter, if any, gets a new connection in its place.
    func closed(_ connection: HTTPConnection) {
        lock.lock()
        guard open.removeValue(forKey: ObjectIdentifier(connection)) != nil else {
            lock.unlock()
            return
        }
        if let index = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: index) }
        let next = isShutDown ? nil : takeWaiterForNewConnection()
        lock.unlock()
        if let next { connect(for: next) }
    }

    /// Stops serving: waiting exchanges are cancelled, and so are those in flight (their connections close).
    func shutdown() {
        lock.lock()
        isShutDown = true
        let connections = Array(open.values)
        var waiting: [HTTPExchange] = []
        while let waiter = waiters.popFirst() { waiting.append(waiter) }
        idle.removeAll()
        lock.unlock()
        for exchange in waiting { exchange.cancel() }
        for connection in connections { connection.abort() }
    }

    /// Expects the lock held.
    private func takeWaiterForNewConnection() -> HTTPExchange? {
        guard !waiters.isEmpty, open.count + connecting < maxConnections else { return nil }
        connecting += 1
        return waiters.removeFirst()
    }

    /// Opens a connection on the next event loop and runs `exchange` on it.
    private func connect(for exchange: HTTPExchange) {
        let loop = group.next()
        exchange.armTimer(on: loop)
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { [self] channel in
                do {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPConnection(pool: self, channel: channel))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: host, port: port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    lock.lock()
                    connecting -= 1
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: HTTPConnection.self) else {
                        lock.unlock()
                        channel.close(promise: nil)
                        connectFailed(exchange, TransportFailure(description: "the connection could not be set up"))
                        return
                    }
                    if isShutDown {
                        lock.unlock()
                        channel.close(promise: nil)
                        exchange.cancel()
                        return
                    }
                    open[ObjectIdentifier(connection)] = connection
                    lock.unlock()
                    connection.execute(exchange)
                case .failure(let error):
                    lock.lock()
                    connecting -= 1
                    lock.unlock()
                    connectFailed(exchange, NIOChatTransport.failure(error))
                }
            }
    }

    /// Fails the exchange a connection was opened for; the next waiter tries a connection of its own
    /// (each request reports its own `connect` error, as with URLSession).
    private func connectFailed(_ exchange: HTTPExchange, _ failure: TransportFailure) {
        exchange.fail(failure)
        lock.lock()
        let next = isShutDown ? nil : takeWaiterForNewConnection()
        lock.unlock()
        if let next { connect(for: next) }
    }
}
