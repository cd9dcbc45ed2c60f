import Foundation
import NIOHTTP1

/// A request as `LoopbackHTTPServer` hands it to its handler: the head and the whole body.
struct LoopbackHTTPRequest: Sendable {
    /// Method, target, version and headers as received.
    var head: HTTPRequestHead
    /// The body, read in full.
    var body: Data

    var method: HTTPMethod { head.method }

    /// The target without its query.
    var path: String { String(head.uri.prefix { $0 != "?" }) }

    /// The query's parameters, percent-decoded (the last wins when a name repeats).
    var query: [String: String] {
        guard let components = URLComponents(string: head.uri) else { return [:] }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        return parameters
    }

    /// The first value of a header (names compare case-insensitively).
    func header(_ name: String) -> String? { head.headers.first(name: name) }
}

/// What a `LoopbackHTTPServer` handler answers: a whole body, or a script played out over time, which is
/// how the mock's faults stall, drip, stream 50 MiB under backpressure or hang up mid-body.
struct LoopbackHTTPResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: Body

    /// How the body goes out.
    enum Body: Sendable {
        /// Sent at once with its `Content-Length`.
        case whole([UInt8])
        /// Played step by step; `declaredLength` is the `Content-Length` announced (nil: chunked), which a
        /// script that hangs up early does not honour.
        case script([Step], declaredLength: Int?)
    }

    /// One step of a scripted body.
    enum Step: Sendable {
        /// These bytes.
        case bytes([UInt8])
        /// These bytes `times` times, each copy written only once the connection can take more.
        case repeated([UInt8], times: Int)
        /// Nothing for this many seconds.
        case pause(seconds: Double)
        /// Closes the connection, whatever the head promised.
        case hangUp
    }

    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A whole body.
    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .whole(bytes))
    }
}
