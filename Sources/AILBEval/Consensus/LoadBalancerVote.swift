/// What ai-lb's consensus votes with for one backend's response. ai-lb fails a backend only on a transport
/// error, a timeout, HTTP 404, 429 or 5xx; any other reply is a success to it, with the reply's JSON as the
/// body, or `{"raw": text}` when the reply is not JSON. So an HTTP 400 error body is a vote, and two of them
/// agree with each other (both have empty text). The `ailb` profile judges with these bodies, as ai-lb does;
/// `semantic` judges only chat completions. No I/O.
public enum LoadBalancerVote {
    /// The start of the message of a 2xx reply whose connection was lost before its body ended: ai-lb's
    /// client raises on it, so to ai-lb it is a transport error, not a body.
    public static let connectionLost = "connection lost after"

    /// Whether ai-lb counts a request that failed here as answered: an HTTP 4xx other than 404 (429 is its
    /// own class), and a whole 2xx body that is no chat completion. A member's answer ai-lb itself reported
    /// as such a success carries no status.
    public static func passesOn(errorClass: ErrorClass?, httpStatus: Int?, errorMessage: String?) -> Bool {
        switch errorClass {
        case .http4xx: return httpStatus != 404
        case .badJSON:
            return (httpStatus.map { (200..<300).contains($0) } ?? true)
                && !(errorMessage?.hasPrefix(connectionLost) ?? false)
        default: return false
        }
    }

    /// The body ai-lb votes with for `response`, nil when ai-lb fails the backend: a success's exact body; for
    /// a failure ai-lb passes on, the body as JSON (which the judge still refuses unless it is a non-empty
    /// object, as ai-lb's does), else `{"raw": body}`.
    public static func body(of response: BackendResponse) -> ExactJSON? {
        if response.isSuccess { return response.exactBody }
        guard passesOn(errorClass: response.errorClass, httpStatus: response.httpStatus, errorMessage: response.errorMessage)
        else { return nil }
        if let parsed = try? ExactJSON(parsing: response.rawBody) { return parsed }
        return .object([ExactJSON.Member(key: ExactString("raw"), value: .string(ExactString(response.rawBody)))])
    }
}
