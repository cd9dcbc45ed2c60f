/// A fault the mock server injects instead of (or into) its normal answer, so that every error class
/// of the client can be produced over real HTTP. Chosen per request with the `X-Mock-Fault` header
/// (raw value) or per backend with `MockServer(faults:)`.
public enum MockFault: String, Sendable, CaseIterable {
    /// Answer normally.
    case none
    /// HTTP 500 with an OpenAI-style error body.
    case status500
    /// HTTP 429 with `Retry-After: 1`.
    case status429
    /// Never answer (until the server stops).
    case timeout
    /// HTTP 200 whose body (or stream chunk) is cut-off JSON.
    case invalidJSON
    /// HTTP 200, well-formed, but `choices` is empty.
    case noChoices
    /// An event stream that ends cleanly but without a `finish_reason` or `[DONE]`.
    case truncatedSSE
    /// A well-formed body of 9 MiB, beyond the client's default cap.
    case hugeBody
    /// The normal answer, sent in small pieces over about 2.4 seconds.
    case dripBody
    /// Announces the full length, sends half, then closes the connection.
    case resetMidBody
}
