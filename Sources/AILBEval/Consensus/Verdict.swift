/// One backend's answer to one case, as the judge sees it.
public struct CandidateResponse: Sendable, Hashable {
    public var backend: String
    /// True when the request succeeded; a success also needs a non-empty JSON object body.
    public var success: Bool
    public var latencyMs: Double
    /// The chat-completion body, exactly as received (every digit and code point kept).
    public var body: ExactJSON?

    public init(backend: String, success: Bool, latencyMs: Double, body: ExactJSON?) {
        self.backend = backend
        self.success = success
        self.latencyMs = latencyMs
        self.body = body
    }

    /// A response whose body was read as a `JSONValue` (what it could not hold is already lost).
    public init(backend: String, success: Bool, latencyMs: Double, json: JSONValue?) {
        self.init(backend: backend, success: success, latencyMs: latencyMs, body: json.map(ExactJSON.init))
    }
}

/// Which rule of CONSENSUS.md decided the verdict.
public enum ComparisonType: String, Sendable, Codable, CaseIterable {
    case none
    case single
    case toolCalls = "tool_calls"
    case hash
    case text
}

/// The majority decision over one case's responses.
public struct Verdict: Sendable, Hashable {
    public var comparisonType: ComparisonType
    /// The backend whose answer wins (lowest latency in the winning group).
    public var winner: String
    /// Size of the winning group.
    public var agreementCount: Int
    /// True when not every successful backend is in the winning group.
    public var disagreement: Bool
    /// Backends grouped by equivalent answers, winning group first, then in order of formation.
    /// Successful backends that joined no group appear as singletons; failed backends do not appear.
    public var groups: [[String]]
    /// Number of successful responses.
    public var successes: Int
    /// Set when ai-lb's own `compute_consensus` raises on these responses instead of returning a verdict
    /// (say, a `tool_calls` that is not a list): why. The verdict then leaves the offending responses out.
    public var referenceFailure: String?

    public init(
        comparisonType: ComparisonType, winner: String, agreementCount: Int, disagreement: Bool, groups: [[String]],
        successes: Int
    ) {
        self.comparisonType = comparisonType
        self.winner = winner
        self.agreementCount = agreementCount
        self.disagreement = disagreement
        self.groups = groups
        self.successes = successes
    }
}
