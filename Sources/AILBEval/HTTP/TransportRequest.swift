import Foundation

/// One HTTP request for `HTTPTransport`: every request the tool makes (chat, `/models`, `/health`, probes,
/// ai-lb) is one of these.
package struct TransportRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    package var method: Method
    package var url: URL
    /// Sent in this order; a name given twice is sent twice.
    package var headers: [(String, String)]
    /// The request body (POST only).
    package var body: [UInt8]
    /// Seconds allowed for the whole exchange: connecting, sending, waiting and reading the body.
    package var timeout: Double
    /// How the server's certificate is checked (`https://` only).
    package var tls: TLSOptions

    package init(
        method: Method, url: URL, headers: [(String, String)] = [], body: [UInt8] = [], timeout: Double,
        tls: TLSOptions = TLSOptions()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.tls = tls
    }

    /// Why the request cannot be sent as it is (a URL without a host, a header that is not valid HTTP), or nil.
    var problem: String? {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return "the URL's scheme is not http or https"
        }
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        for (name, value) in headers
        where !Self.isToken(name) || value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            return "header '\(name)' is not valid in HTTP"
        }
        return nil
    }

    /// RFC 9110's `token`, the grammar of a header name.
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

/// How a backend's TLS certificate is checked.
package struct TLSOptions: Sendable, Hashable {
    /// A PEM file of certificate authorities to trust instead of the system's (a private CA, a self-signed server).
    package var caFile: String?
    /// Accept any certificate (only allowed for loopback URLs or with `--allow-insecure-tls`).
    package var insecureSkipVerify: Bool

    package init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// Receives a response as it arrives. Called on the transport's thread, one call at a time.
package protocol ResponseSink: Sendable {
    /// The final response's status and headers (names in lower case; repeated headers joined with ", ").
    mutating func head(status: Int, headers: [String: String])
    /// A piece of the (decoded) body; false stops the transfer (too large, or a stream that broke).
    mutating func body(_ bytes: UnsafeRawBufferPointer, elapsedMs: () -> Double) -> Bool
}

/// Why a transfer ended early at the transport level (connection refused, reset, lost, a bad certificate).
package struct TransportFailure: Sendable, Error, CustomStringConvertible {
    /// A one-line description, without credentials.
    package var description: String
    /// The deadline ran out (while connecting or waiting), as opposed to a failure before it.
    package var isTimeout = false

    package init(description: String, isTimeout: Bool = false) {
        self.description = description
        self.isTimeout = isTimeout
    }

    /// The server closed the connection before the response was complete.
    static let connectionClosed = TransportFailure(description: "the server closed the connection")

    /// The deadline of `timeout` seconds ran out, before the response's head arrived or during its body:
    /// worded once, so a chat request and a small GET say it alike.
    static func timedOut(after timeout: Double, receivedHead: Bool) -> TransportFailure {
        let stage = receivedHead ? "the body was incomplete" : "no response headers"
        return TransportFailure(description: "timed out after \(PythonFloat.repr(timeout)) s (\(stage))", isTimeout: true)
    }
}

/// How one exchange ended, beside what the sink received.
package struct TransportOutcome: Sendable {
    /// Set when the transport failed; nil when the exchange completed or the sink stopped it.
    package var failure: TransportFailure?
    /// The deadline ran out.
    package var timedOut = false
    /// The caller's task was cancelled (or the transport shut down) before the exchange ended.
    package var cancelled = false
    /// Wall time from handing the request to the transport to the end of the exchange.
    package var latencyMs: Double = 0
    /// Redirects followed.
    package var redirects = 0
    /// Whether the exchange used a connection kept open from an earlier one.
    package var reusedConnection = false
}

/// A sink that keeps the body (up to a cap), for small answers such as `/models` and `/health`.
package struct BufferedResponse: ResponseSink {
    package let cap: Int
    package var status: Int?
    package var headers: [String: String] = [:]
    package var body: [UInt8] = []
    package var tooLarge = false
    /// Filled in by `HTTPTransport.get`.
    package var latencyMs: Double = 0

    package init(cap: Int) { self.cap = cap }

    package mutating func head(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }

    package mutating func body(_ bytes: UnsafeRawBufferPointer, elapsedMs: () -> Double) -> Bool {
        guard body.count + bytes.count <= cap else {
            tooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}
