/// A stored answer to one case repeat, as the replay needs it.
public struct ReplayedAnswer: Sendable, Hashable {
    public var backend: String
    public var success: Bool
    /// Time to the answer or to the failure (a timeout at its recorded latency).
    public var latencyMs: Double
    /// Whether the answer meets `expect`; nil without `expect` or on failure.
    public var correct: Bool?

    public init(backend: String, success: Bool, latencyMs: Double, correct: Bool? = nil) {
        self.backend = backend
        self.success = success
        self.latencyMs = latencyMs
        self.correct = correct
    }
}

/// What one way of answering returned for one case repeat: whose answer, or none, and after how long.
public struct ReplayedPick: Sendable, Hashable {
    /// The backend whose answer is returned; nil when the way of answering failed.
    public var backend: String?
    /// Time until the answer, or until the failure.
    public var latencyMs: Double

    public init(backend: String?, latencyMs: Double) {
        self.backend = backend
        self.latencyMs = latencyMs
    }
}

/// Replays each way of answering over one case repeat's stored answers (in config order). Pure.
///
/// Each function returns nil when the repeat says nothing about it (no answers stored, no verdict stored,
/// the backend has no stored answer).
public enum ModeReplay {
    /// The fastest success, the first in config order on a tie; a failure never wins. Without a success it
    /// fails once the last request has failed.
    public static func race(_ answers: [ReplayedAnswer]) -> ReplayedPick? {
        guard let slowest = answers.map(\.latencyMs).max() else { return nil }
        var winner: ReplayedAnswer?
        for answer in answers where answer.success {
            if let best = winner, best.latencyMs <= answer.latencyMs { continue }
            winner = answer
        }
        guard let winner else { return ReplayedPick(backend: nil, latencyMs: slowest) }
        return ReplayedPick(backend: winner.backend, latencyMs: winner.latencyMs)
    }

    /// The first success in config order, after every failed attempt before it (their time added); without
    /// a success it fails after all of them.
    public static func failover(_ answers: [ReplayedAnswer]) -> ReplayedPick? {
        guard !answers.isEmpty else { return nil }
        var elapsed = 0.0
        for answer in answers {
            elapsed += answer.latencyMs
            if answer.success { return ReplayedPick(backend: answer.backend, latencyMs: elapsed) }
        }
        return ReplayedPick(backend: nil, latencyMs: elapsed)
    }

    /// The winner of `verdict`, once every answer is in: ai-lb gathers all of them before it votes, so the
    /// slowest one (a failure or a timeout too) sets the time. No successful answer: it fails.
    public static func consensus(_ answers: [ReplayedAnswer], verdict: Verdict?) -> ReplayedPick? {
        guard let verdict, let slowest = answers.map(\.latencyMs).max() else { return nil }
        let winner = verdict.successes > 0 && answers.contains { $0.backend == verdict.winner && $0.success }
        return ReplayedPick(backend: winner ? verdict.winner : nil, latencyMs: slowest)
    }

    /// `backend`'s own answer.
    public static func alone(_ answers: [ReplayedAnswer], backend: String) -> ReplayedPick? {
        guard let answer = answers.first(where: { $0.backend == backend }) else { return nil }
        return ReplayedPick(backend: answer.success ? backend : nil, latencyMs: answer.latencyMs)
    }
}
