/// One backend's answer to one case, as the judge sees it.
public struct CandidateResponse: Sendable, Hashable {
    public var backend: String
    /// True when the request succeeded; a success also needs a non-empty JSON object body.
    public var success: Bool
    public var latencyMs: Double
    /// The chat-completion body, exactly as received (every digit and code point kept).
    public var body: ExactJSON?
    /// The same body already read as a `JSONValue`, when the caller has it: the semantic reading takes it
    /// rather than converting `body` again.
    public var json: JSONValue?

    public init(backend: String, success: Bool, latencyMs: Double, body: ExactJSON?, json: JSONValue? = nil) {
        self.backend = backend
        self.success = success
        self.latencyMs = latencyMs
        self.body = body
        self.json = json
    }

    /// A response whose body was read as a `JSONValue` (what it could not hold is already lost).
    public init(backend: String, success: Bool, latencyMs: Double, json: JSONValue?) {
        self.init(backend: backend, success: success, latencyMs: latencyMs, body: json.map(ExactJSON.init), json: json)
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
    /// The same successful backends grouped by equivalent answers without regard to their order: equal under
    /// the tool-call or hash rule, or linked by similarity under the text rule. Largest group first, then by
    /// name; members by name. Evaluation figures come from these; `groups` and `winner` stay ai-lb's.
    public var answerGroups: [[String]] = []
    /// How the answer groups stand: see `CaseOutcome`.
    public var outcome: CaseOutcome { CaseOutcome(groupSizes: answerGroups.map(\.count), successes: successes) }
    /// The group holding a strict majority (larger than every other group and more than half of the
    /// successes), or nil on a tie, without a majority, or with fewer than two successes.
    public var majorityGroup: [String]? {
        switch outcome {
        case .unanimous, .majority: return answerGroups.first
        case .tie, .noMajority, .notJudged: return nil
        }
    }

    /// The group strictly larger than every other (a plurality, majority or not), or nil on a tie at the top
    /// or with fewer than two successes.
    public var pluralityGroup: [String]? {
        switch outcome {
        case .unanimous, .majority, .noMajority: return answerGroups.first
        case .tie, .notJudged: return nil
        }
    }

    /// Groups in an order that does not depend on the order of the backends.
    static func canonicalOrder(_ groups: [[String]]) -> [[String]] {
        groups.map { $0.sorted(by: codePointLess) }.sorted { lhs, rhs in
            lhs.count != rhs.count ? lhs.count > rhs.count : codePointLess(lhs[0], rhs[0])
        }
    }

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
        self.answerGroups = Self.canonicalOrder(groups)
    }
}

/// How the answers to one repeat of a case stand, judged without regard to the order of the backends.
public enum CaseOutcome: String, Sendable, Codable, CaseIterable {
    /// Every successful backend gave the same answer (at least two successes).
    case unanimous
    /// One answer group is larger than every other and holds more than half of the successes.
    case majority
    /// Two or more answer groups share the largest size: no answer won.
    case tie
    /// One group is the largest but holds half of the successes or fewer (2 of 4 against 1 and 1).
    case noMajority = "no_majority"
    /// Fewer than two successful answers: nothing to compare.
    case notJudged = "not_judged"

    /// The outcome of groups of these sizes (any order) over `successes` answers.
    public init(groupSizes: [Int], successes: Int) {
        let sizes = groupSizes.sorted(by: >)
        guard successes >= 2, let top = sizes.first else {
            self = .notJudged
            return
        }
        if top == successes {
            self = .unanimous
        } else if sizes.count > 1, sizes[1] == top {
            self = .tie
        } else if 2 * top > successes {
            self = .majority
        } else {
            self = .noMajority
        }
    }

    /// True when a strict majority exists (unanimous or majority).
    public var hasMajority: Bool { self == .unanimous || self == .majority }
}
