import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The `http://` transport: a small HTTP/1.1 client on SwiftNIO (NIOCore, NIOPosix, NIOHTTP1 only: no TLS,
/// which would bring BoringSSL into every build), with a keep-alive `HTTPConnectionPool` per `host:port`.
///
/// Why not URLSession here: on Linux it bounces every request across the awaiting task, URLSession's
/// queue, libcurl's dispatch sources and the delegate queue, and libcurl closes about a fifth of its
/// connections; against fast local servers the client, not the backends, was the limit. Here a request
/// costs two thread hops (the task hands it to the event loop, the loop resumes the task), the response
/// is parsed and accumulated on the loop, and the JSON is parsed back in the task.
final class NIOChatTransport: Sendable {
    /// The event-loop thread of every client in the process. One: at 3,000 responses/s it is busy a fifth
    /// of the time, and a second one measured no faster on 2 cores (it competes with the tasks that parse,
    /// judge and store).
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private let maxConnectionsPerHost: Int
    private let maxResponseBytes: Int
    private let table = BackendLockedState(PoolTable())

    /// The pools by `host:port`, and whether the transport was shut down (one lock for both).
    private struct PoolTable: Sendable {
        var pools: [PoolKey: HTTPConnectionPool] = [:]
        var isShutDown = false
    }

    struct PoolKey: Hashable, Sendable {
        var host: String
        var port: Int
    }

    /// A request ready for the wire: where to connect, the head and the body.
    struct Request: Sendable {
        var key: PoolKey
        var head: HTTPRequestHead
        var body: ByteBuffer

        /// Builds the request, or says why it cannot be sent (no host, a header that is not valid HTTP).
        static func make(_ request: PreparedChatRequest) -> Result<Request, TransportFailure> {
            let url = request.url
            guard let host = url.host, !host.isEmpty,
                let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            else { return .failure(TransportFailure(description: "the URL has no host")) }
            let port = url.port ?? 80
            var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            if let query = components.percentEncodedQuery { target += "?" + query }
            let hostHeader = (host.contains(":") ? "[\(host)]" : host) + (url.port.map { ":\($0)" } ?? "")
            let body = ByteBuffer(string: request.body)
            var headers = HTTPHeaders()
            headers.reserveCapacity(request.headers.count + 4)
            headers.add(name: "Host", value: hostHeader)
            for (name, value) in request.headers {
                guard isToken(name), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                    return .failure(TransportFailure(description: "header '\(name)' is not valid in HTTP"))
                }
                headers.replaceOrAdd(name: name, value: value)
            }
            if let user = components.user, !headers.contains(name: "Authorization") {
                let credentials = (components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? user) + ":"
                    + (components.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? "")
                headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
            }
            if !headers.contains(name: "User-Agent") { headers.add(name: "User-Agent", value: "ailb-eval") }
            headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target, headers: headers)
            return .success(Request(key: PoolKey(host: host, port: port), head: head, body: body))
        }

        static func isToken(_ name: String) -> Bool {
            !name.isEmpty
                && name.utf8.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"):
                        return true
                    default:
                        return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
                    }
                }
        }
    }

    init(maxConnectionsPerHost: Int, maxResponseBytes: Int) {
        self.maxConnectionsPerHost = max(1, maxConnectionsPerHost)
        self.maxResponseBytes = maxResponseBytes
    }

    deinit {
        shutdown()
    }

    /// Closes every connection; requests in flight end as `cancelled`, later ones are refused.
    func shutdown() {
        let pools = table.write { table -> [HTTPConnectionPool] in
            table.isShutDown = true
            defer { table.pools.removeAll() }
            return Array(table.pools.values)
        }
        for pool in pools { pool.shutdown() }
    }

    /// The pool for `key`, made on first use; nil once shut down.
    func pool(for key: PoolKey) -> HTTPConnectionPool? {
        table.write { table in
            if let pool = table.pools[key] { return pool }
            if table.isShutDown { return nil }
            let pool = HTTPConnectionPool(
                host: key.host, port: key.port, group: Self.eventLoopGroup, maxConnections: maxConnectionsPerHost)
            table.pools[key] = pool
            return pool
        }
    }

    /// One attempt: resumed once, when the response ended, failed, timed out or the task was cancelled.
    func perform(_ request: Request, stream: Bool, timeout: Double) async -> TransferAttempt {
        let exchange = HTTPExchange(request: request, stream: stream, timeout: timeout, cap: maxResponseBytes)
        guard let pool = pool(for: request.key) else {
            return TransferAttempt(transfer: exchange.transfer, timedOut: false, cancelled: true, latencyMs: 0)
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                exchange.begin(continuation, in: pool)
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    /// A transport error as recorded: what happened, in words.
    static func failure(_ error: any Error) -> TransportFailure {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return failure(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return TransportFailure(description: "cannot resolve \(error.host): \(dns)")
            }
            return TransportFailure(description: "cannot connect to \(error.host):\(error.port)")
        case let error as IOError:
            return TransportFailure(description: "\(String(cString: strerror(error.errnoCode))) (errno \(error.errnoCode))")
        case ChannelError.connectTimeout(let after):
            return TransportFailure(description: "connect timed out after \(after.nanoseconds / 1_000_000) ms", isTimeout: true)
        case let error as HTTPParserError:
            if error == .invalidEOFState { return connectionClosed }
            return TransportFailure(description: "malformed HTTP response (\(error))")
        default:
            return TransportFailure(description: String(describing: error))
        }
    }

    /// The server closed the connection before the response was complete.
    static let connectionClosed = TransportFailure(description: "the server closed the connection")
}
