import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP connection to 127.0.0.1, for tests that need exact bytes on the wire (pipelined
/// requests, a client that hangs up mid-request, a server that closes without saying so). Its calls block
/// a thread: use it from `offThePool`.
final class RawTCPConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: Int32

    /// Connects to `port`; a read that gets nothing for `readTimeout` seconds ends as if closed.
    init(port: UInt16, readTimeout: Double = 5) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed: \(errno)") }
        self.socket = socket
        var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: Int((readTimeout - Double(Int(readTimeout))) * 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(socket)
            throw Failure(description: "connect() failed: \(errno)")
        }
    }

    deinit { Glibc.close(socket) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(socket, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "write() failed: \(errno)") }
            sent += n
        }
    }

    /// What was read until `isComplete` held for the text so far, or the peer closed, or the read timed out.
    func read(until isComplete: (String) -> Bool) -> (text: String, closed: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !isComplete(String(decoding: bytes, as: UTF8.self)) {
            let count = Glibc.read(socket, &chunk, chunk.count)
            if count == 0 { return (String(decoding: bytes, as: UTF8.self), true) }
            if count < 0 { break }
            bytes += chunk[..<count]
        }
        return (String(decoding: bytes, as: UTF8.self), false)
    }

    /// What a read to the end brought, and when the end came.
    struct End: Sendable {
        var text: String
        var closed: Bool
        var at: ContinuousClock.Instant
    }

    /// Starts reading to the end on a thread of its own, at once: for timing the server's close
    /// independently of how busy the test process's task pool is. The stream yields one `End`.
    func startReadingToEnd() -> AsyncStream<End> {
        let (stream, continuation) = AsyncStream.makeStream(of: End.self)
        Thread {
            let (text, closed) = self.read { _ in false }
            continuation.yield(End(text: text, closed: closed, at: .now))
            continuation.finish()
        }.start()
        return stream
    }

    /// Closes the connection now (the peer sees the end of the stream).
    func shutdown() {
        _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
    }
}
