import Foundation

/// Lifecycle of a run in the store.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running, completed, interrupted, failed
}

/// One row of `runs`.
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var status: RunStatus
    public var toolVersion: String
    public var mode: RunMode
    public var profile: EquivalenceProfile
    public var threshold: Double
    public var configPath: String?
    public var configJSON: String
    public var configHash: String
    public var suitesJSON: String
    /// The requests this run sends: for a shard (`--shard`), those of its share of the cases.
    public var plannedRequests: Int
    /// `--run-key`: the name the runs of one split job share; nil when none was given.
    public var runKey: String? = nil
    /// With `--shard i/n`: i.
    public var shardIndex: Int? = nil
    /// With `--shard i/n`: n.
    public var shardCount: Int? = nil
}

extension RunRecord {
    /// The share of the cases this run sends (`--shard`), or nil for a run of every case.
    package var shard: Shard? {
        guard let shardIndex, let shardCount else { return nil }
        return try? Shard(index: shardIndex, count: shardCount)
    }
}

/// One row of `backends`: a backend as it was configured for a run.
public struct BackendRecord: Sendable, Hashable {
    public var position: Int
    public var name: String
    public var kind: BackendKind
    public var urls: [String]
    public var model: String
    public var family: String
    public var quant: String
    /// For a backend found behind an ai-lb load balancer (kind `ailb-member`): the load balancer's name.
    public var via: String?

    /// A backend row; `via` only for members of a load balancer.
    public init(
        position: Int, name: String, kind: BackendKind, urls: [String], model: String, family: String, quant: String,
        via: String? = nil
    ) {
        self.via = via
        self.position = position
        self.name = name
        self.kind = kind
        self.urls = urls
        self.model = model
        self.family = family
        self.quant = quant
    }
}

/// One row of `cases`: a prompt as it was sent in a run.
public struct CaseRecord: Sendable, Hashable {
    public var position: Int
    public var suite: String
    public var caseID: String
    public var prompt: String
    public var requestJSON: String
    public var expectJSON: String?
    public var tags: [String]
    public var repeats: Int

    public init(
        position: Int, suite: String, caseID: String, prompt: String, requestJSON: String, expectJSON: String?,
        tags: [String], repeats: Int
    ) {
        self.position = position
        self.suite = suite
        self.caseID = caseID
        self.prompt = prompt
        self.requestJSON = requestJSON
        self.expectJSON = expectJSON
        self.tags = tags
        self.repeats = repeats
    }
}

/// One row of `responses`: what one backend answered to one repeat of one case.
public struct ResponseRecord: Sendable, Hashable {
    public var casePosition: Int
    public var repeatIndex: Int
    public var backend: String
    public var success: Bool
    public var errorClass: ErrorClass?
    public var errorMessage: String?
    public var httpStatus: Int?
    public var latencyMs: Double
    public var ttftMs: Double?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// `usage.total_tokens` as reported (prompt + completion when the backend left it out).
    public var totalTokens: Int?
    public var attempts: Int
    public var url: String
    public var rawBody: String
    /// The answer's text content, as the backend sent it.
    public var text: String?
    /// The tool calls normalised as `[{name, arguments}]`, canonical JSON; nil when there are none.
    public var toolCalls: String?
    public var finishReason: String?
    /// Whether the answer meets the case's `expect`; nil without `expect` or on failure.
    public var correct: Bool?
    public var receivedAt: String

    public init(
        casePosition: Int, repeatIndex: Int, backend: String, success: Bool, errorClass: ErrorClass? = nil,
        errorMessage: String? = nil, httpStatus: Int? = nil, latencyMs: Double, ttftMs: Double? = nil,
        promptTokens: Int? = nil, completionTokens: Int? = nil, attempts: Int = 1, url: String = "",
        rawBody: String = "", text: String? = nil, toolCalls: String? = nil, finishReason: String? = nil,
        correct: Bool? = nil, receivedAt: String = "", totalTokens: Int? = nil
    ) {
        self.totalTokens = totalTokens
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.backend = backend
        self.success = success
        self.errorClass = errorClass
        self.errorMessage = errorMessage
        self.httpStatus = httpStatus
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.attempts = attempts
        self.url = url
        self.rawBody = rawBody
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.correct = correct
        self.receivedAt = receivedAt
    }
}

/// Which request a stored response answers: a repeat of a case, sent to a backend.
public struct ResponseKey: Sendable, Hashable {
    public var casePosition: Int
    public var repeatIndex: Int
    public var backend: String

    public init(casePosition: Int, repeatIndex: Int, backend: String) {
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.backend = backend
    }
}

/// One row of `verdicts`: the judgement of one repeat of one case under one profile.
public struct VerdictRecord: Sendable, Hashable {
    public var casePosition: Int
    public var repeatIndex: Int
    /// The profile's verdict and what it says against `expect` (see `ProfileJudgement` for each field).
    public var judgement: ProfileJudgement

    public var profile: EquivalenceProfile {
        get { judgement.profile }
        set { judgement.profile = newValue }
    }
    public var verdict: Verdict {
        get { judgement.verdict }
        set { judgement.verdict = newValue }
    }
    public var consensusCorrect: Bool? {
        get { judgement.consensusCorrect }
        set { judgement.consensusCorrect = newValue }
    }
    public var consensusUndecided: Bool {
        get { judgement.consensusUndecided }
        set { judgement.consensusUndecided = newValue }
    }
    public var spuriousCauses: [String] {
        get { judgement.spuriousCauses }
        set { judgement.spuriousCauses = newValue }
    }

    /// The judgement of one repeat of a case, as stored.
    public init(casePosition: Int, repeatIndex: Int, judgement: ProfileJudgement) {
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.judgement = judgement
    }

    public init(
        casePosition: Int, repeatIndex: Int, profile: EquivalenceProfile, verdict: Verdict, consensusCorrect: Bool?,
        consensusUndecided: Bool = false, spuriousCauses: [String] = []
    ) {
        self.init(
            casePosition: casePosition, repeatIndex: repeatIndex,
            judgement: ProfileJudgement(
                profile: profile, verdict: verdict, consensusCorrect: consensusCorrect,
                consensusUndecided: consensusUndecided, spuriousCauses: spuriousCauses))
    }

    /// `consensusCorrect` as reports spell it: correct, wrong, tie (undecided), or nil without `expect`.
    public var consensusLabel: String? {
        if consensusUndecided { return verdict.outcome == .tie ? "tie" : "no majority" }
        return consensusCorrect.map { $0 ? "correct" : "wrong" }
    }
}
