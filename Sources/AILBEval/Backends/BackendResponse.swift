import Foundation

/// Why a request to a backend did not yield a usable chat completion.
public enum ErrorClass: String, Sendable, CaseIterable, Codable {
    case timeout
    case connect
    case http4xx = "http_4xx"
    case http429 = "http_429"
    case http5xx = "http_5xx"
    case badJSON = "bad_json"
    case badSSE = "bad_sse"
    case tooLarge = "too_large"
    case cancelled
    /// A race was won by another backend while this request ran; it was cancelled then (not an error of
    /// the backend's, and not sent again by `--resume`).
    case cancelledByRace = "cancelled_by_race"
    /// A backend behind a load balancer failed and the load balancer gave no reason (ai-lb's empty error
    /// string before any timeout was reached).
    case upstream
    /// A redirect that was not followed: more than five in a row, or a 3xx without a `Location`.
    case redirect
}

/// What one backend answered to one request, after retries.
public struct BackendResponse: Sendable {
    /// nil on success.
    public var errorClass: ErrorClass?
    /// A one-line description of the failure, for people (never contains credentials).
    public var errorMessage: String?
    /// The final HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// Wall time of the final attempt, in milliseconds.
    public var latencyMs: Double
    /// Time to the first content or tool-call token (streaming) or to the first body byte, in milliseconds.
    public var ttftMs: Double?
    /// The chat completion (assembled from the stream when streaming); nil on failure.
    public var body: JSONValue?
    /// The raw response body as received (possibly truncated at the size cap), UTF-8 decoded lossily.
    public var rawBody: String
    /// Attempts made, the first included.
    public var attempts: Int
    /// The replica URL used.
    public var url: String
    /// The response headers of the final attempt, names in lower case (ai-lb reports its verdict in some).
    public var headers: [String: String] = [:]

    public init(
        errorClass: ErrorClass? = nil, errorMessage: String? = nil, httpStatus: Int? = nil, latencyMs: Double,
        ttftMs: Double? = nil, body: JSONValue? = nil, rawBody: String = "", attempts: Int = 1, url: String = ""
    ) {
        self.errorClass = errorClass
        self.errorMessage = errorMessage
        self.httpStatus = httpStatus
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.body = body
        self.rawBody = rawBody
        self.attempts = attempts
        self.url = url
    }

    /// True when the request succeeded with a chat-completion body.
    public var isSuccess: Bool { errorClass == nil && body != nil }

    /// The body as the `ailb` judge must read it, every digit and code point kept: the raw body parsed
    /// again losslessly when it is the JSON `body` came from, else `body` itself (an assembled stream).
    public var exactBody: ExactJSON? {
        guard let body else { return nil }
        if let exact = try? ExactJSON(parsing: rawBody), case .object = exact { return exact }
        return ExactJSON(body)
    }
}
