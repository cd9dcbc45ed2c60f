import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 that counts the connections it accepts, for checking
/// what a client does with its connections (which the mock, on FlyingFox, does not expose). It answers
/// every request with the same chat completion and can close each connection after `closeAfter`
/// responses without saying so, as servers with a short keep-alive timeout do.
final class CountingHTTPServer: @unchecked Sendable {
    static let completion = #"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}"#

    let port: UInt16
    private let listener: Int32
    private let closeAfter: Int
    private let lock = NSLock()
    private var accepted = 0
    private var served = 0
    private var stopped = false

    /// Connections accepted so far.
    var acceptedConnections: Int { lock.withLock { accepted } }
    /// Requests read in full so far (each is counted just before it is answered).
    var requestsServed: Int { lock.withLock { served } }

    init(closeAfter: Int = .max) throws {
        self.closeAfter = closeAfter
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            let keep = lock.withLock { () -> Bool in
                accepted += 1
                return !stopped
            }
            guard keep else {
                close(connection)
                return
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        var answered = 0
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while answered < closeAfter {
            // One request: the head up to the blank line, then Content-Length bytes of body.
            var headEnd: Int?
            var needed = 0
            while true {
                if headEnd == nil, let end = Self.find([13, 10, 13, 10], in: buffer) {
                    headEnd = end + 4
                    let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                    let line = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    needed = line.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                }
                if let headEnd, buffer.count >= headEnd + needed {
                    buffer.removeFirst(headEnd + needed)
                    break
                }
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { return }
                buffer += chunk[..<count]
            }
            // Counted before the answer goes out: a client that has its answer must find it counted.
            lock.withLock { served += 1 }
            let body = Array(Self.completion.utf8)
            let response = Array(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            var sent = 0
            while sent < response.count {
                let n = response[sent...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                sent += n
            }
            answered += 1
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
