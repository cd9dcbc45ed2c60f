import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server on 127.0.0.1 on SwiftNIO: keep-alive, pipelined requests answered in order,
/// Nagle off on every connection (a keep-alive answer must not wait for the client's delayed ACK), and
/// counts of the connections it accepts and the requests it receives, for tests of what a client does with
/// its connections and for tests that must know a request arrived before they go on.
///
/// Each request goes to `handler`, whose answer may be a whole body or a script played out over time.
/// `stop()` closes the listener and every connection, which cancels the handler calls still running.
final class LoopbackHTTPServer: Sendable {
    /// Answers one request; cancelled when the client goes away or the server stops.
    typealias Handler = @Sendable (LoopbackHTTPRequest) async -> LoopbackHTTPResponse

    /// Why the server did not start.
    enum StartError: Error, CustomStringConvertible {
        /// The listener was not up within the time allowed.
        case listenTimedOut(seconds: Double)
        /// The socket has no port (it is not an IP socket).
        case noPort

        var description: String {
            switch self {
            case .listenTimedOut(let seconds): "the server did not start listening within \(seconds) s"
            case .noPort: "the listening socket has no port"
            }
        }
    }

    private struct State: Sendable {
        var listener: (any Channel)?
        var port: UInt16?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var accepted = 0
        var requests = 0
        /// Set from `stop()` until the next start: connections accepted meanwhile are closed at once.
        var isStopping = false
    }

    private let handler: Handler
    private let closeAfterResponses: Int
    private let state = BackendLockedState(State())

    /// A server answering with `handler`; with `closeAfterResponses`, each connection is closed after that
    /// many answers without `Connection: close`, as servers with a short keep-alive timeout do.
    init(closeAfterResponses: Int? = nil, handler: @escaping Handler) {
        self.handler = handler
        self.closeAfterResponses = max(1, closeAfterResponses ?? .max)
    }

    /// The port while running.
    var port: UInt16? { state.read { $0.port } }

    /// Connections accepted since the server was made.
    var connectionsAccepted: Int { state.read { $0.accepted } }

    /// Requests received since the server was made, counted as each is handed to the handler.
    var requestsReceived: Int { state.read { $0.requests } }

    /// Connections open now (a connection the client closed leaves this count shortly after).
    var connectionsOpen: Int { state.read { $0.connections.count } }

    /// Starts listening on 127.0.0.1 (port 0: any free port) and returns the port; when already running,
    /// returns the port it has. Fails when the listener is not up within `listenTimeout` seconds.
    func start(port: UInt16 = 0, listenTimeout: Double = 10) async throws -> UInt16 {
        if let running = self.port { return running }
        state.write { $0.isStopping = false }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in self.accept(channel) }
        let listener = try await Self.bind(bootstrap, port: port, timeout: listenTimeout)
        guard let bound = listener.localAddress?.port else {
            try? await listener.close().get()
            throw StartError.noPort
        }
        state.write {
            $0.listener = listener
            $0.port = UInt16(bound)
        }
        return UInt16(bound)
    }

    /// Closes the listener and every connection at once, and returns when they are all closed. A connection
    /// accepted meanwhile is closed as it comes in.
    func stop() async {
        let (listener, connections) = state.write { state -> ((any Channel)?, [any Channel]) in
            state.isStopping = true
            defer {
                state.listener = nil
                state.port = nil
            }
            return (state.listener, Array(state.connections.values))
        }
        listener?.close(promise: nil)
        for connection in connections { connection.close(promise: nil) }
        try? await listener?.closeFuture.get()
        for connection in connections { try? await connection.closeFuture.get() }
    }

    private func accept(_ channel: any Channel) -> EventLoopFuture<Void> {
        let id = ObjectIdentifier(channel)
        let admitted = state.write { state -> Bool in
            state.accepted += 1
            guard !state.isStopping else { return false }
            state.connections[id] = channel
            return true
        }
        guard admitted else { return channel.close() }
        channel.closeFuture.whenComplete { [state] _ in state.write { _ = $0.connections.removeValue(forKey: id) } }
        let handler: Handler = { [state, handler] request in
            state.write { $0.requests += 1 }
            return await handler(request)
        }
        let closeAfterResponses = self.closeAfterResponses
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
            try pipeline.addHandler(LoopbackHTTPConnection(respond: handler, closeAfterResponses: closeAfterResponses))
        }
    }

    /// Binds, or fails after `timeout` seconds; a listener that comes up after that is closed.
    private static func bind(_ bootstrap: ServerBootstrap, port: UInt16, timeout: Double) async throws -> any Channel {
        let bound = bootstrap.bind(host: "127.0.0.1", port: Int(port))
        let loop = bound.eventLoop
        let outcome = loop.makePromise(of: (any Channel).self)
        let timer = loop.scheduleTask(in: .nanoseconds(Int64(max(0, timeout) * 1_000_000_000))) {
            outcome.fail(StartError.listenTimedOut(seconds: timeout))
            bound.whenSuccess { $0.close(promise: nil) }
        }
        bound.whenComplete { result in
            timer.cancel()
            outcome.completeWith(result)
        }
        return try await outcome.futureResult.get()
    }
}
