import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately small HTTP/1.1 server on blocking sockets, for what the mock does not do on purpose:
/// redirects, and answers that drip a byte a second on routes other than chat. Each connection gets a
/// thread; `respond` maps the request path to the bytes to write, as pieces with a pause before each.
final class ScriptedHTTPServer: @unchecked Sendable {
    struct Piece {
        var bytes: [UInt8]
        var pauseBefore: Double = 0
    }

    let port: UInt16
    private let listener: Int32
    private let respond: @Sendable (_ method: String, _ path: String) -> [Piece]
    private let lock = NSLock()
    private var stopped = false
    private var connections: [Int32] = []
    private(set) var requestsSeen: [String] = []

    init(respond: @escaping @Sendable (_ method: String, _ path: String) -> [Piece]) throws {
        self.respond = respond
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 64) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    func stop() {
        let open = lock.withLock { () -> [Int32] in
            stopped = true
            return connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let keep = lock.withLock { () -> Bool in
                if stopped { return false }
                connections.append(connection)
                return true
            }
            guard keep else {
                close(connection)
                return
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            lock.withLock { connections.removeAll { $0 == connection } }
            close(connection)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // One request: the head, then Content-Length bytes of body.
            var headEnd: Int?
            while headEnd == nil {
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { return }
                buffer += chunk[..<count]
                headEnd = Self.find([13, 10, 13, 10], in: buffer)
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            let parts = requestLine.split(separator: " ")
            let length =
                head.split(separator: "\r\n").dropFirst()
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            while buffer.count < headEnd! + 4 + length {
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { return }
                buffer += chunk[..<count]
            }
            buffer.removeFirst(headEnd! + 4 + length)
            let method = parts.first.map(String.init) ?? ""
            let path = parts.count > 1 ? String(parts[1]) : "/"
            lock.withLock { requestsSeen.append("\(method) \(path)") }
            for piece in respond(method, path) {
                if piece.pauseBefore > 0 { Thread.sleep(forTimeInterval: piece.pauseBefore) }
                if lock.withLock({ stopped }) { return }
                let written = piece.bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written < 0 { return }
            }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return start
        }
        return nil
    }

    /// A whole response with a body.
    static func response(status: Int, reason: String, headers: [String: String] = [:], body: String = "") -> [Piece] {
        var text = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return [Piece(bytes: Array((text + "\r\n" + body).utf8))]
    }

    /// A 200 that announces `body` and then sends it one byte per `interval` seconds.
    static func drip(_ body: String, interval: Double = 1) -> [Piece] {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        return [Piece(bytes: Array(head.utf8))] + body.utf8.map { Piece(bytes: [$0], pauseBefore: interval) }
    }
}
