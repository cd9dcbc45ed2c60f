/// A fault the mock server injects instead of (or into) its normal answer, so that every error class
/// of the client can be produced over real HTTP. Chosen per request with the `X-Mock-Fault` header
/// (raw value), per backend with `fault:` in a mock backend's `mock:` block, or with `MockServer(faults:)`.
public enum MockFault: String, Sendable, CaseIterable, Codable {
    /// Answer normally.
    case none
    /// HTTP 500 with an OpenAI-style error body.
    case status500
    /// HTTP 502 (a proxy in front of a server that went away).
    case status502
    /// HTTP 503 (a server loading or reloading its model).
    case status503
    /// HTTP 429 with `Retry-After: 1` (delta-seconds).
    case status429
    /// HTTP 429 with `Retry-After` as an HTTP date about two seconds ahead.
    case status429Date
    /// Never answer (until the server stops).
    case timeout
    /// HTTP 200 whose body (or stream chunk) is cut-off JSON.
    case invalidJSON
    /// HTTP 200 whose body (or stream chunk) is JSON with bytes that are not UTF-8 inside a string.
    case invalidUTF8
    /// HTTP 200, well-formed, but `choices` is empty.
    case noChoices
    /// The normal answer, but every tool call's `arguments` string is cut in half (not valid JSON).
    case badArguments
    /// An event stream that ends cleanly but without a `finish_reason` or `[DONE]`.
    case truncatedSSE
    /// An event stream (or JSON body) that stops in the middle of an event, then ends cleanly.
    case cutMidEvent
    /// A complete event stream, `finish_reason` included, that never sends `data: [DONE]`.
    case noDone
    /// The normal event stream with comment lines, blank keep-alives, `id:` and `retry:` fields
    /// between the events, and CRLF line ends.
    case keepAlive
    /// A well-formed body of 50 MiB, beyond any sensible `limits.max_response_bytes`.
    case hugeBody
    /// The normal answer, sent in small pieces over about 2.4 seconds.
    case dripBody
    /// The normal answer, one byte per second: only the request timeout ends it.
    case dripByte
    /// Announces the full length, sends half, then closes the connection.
    case resetMidBody
}
