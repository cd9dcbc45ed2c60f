/// A stored answer to one case repeat, as the replay needs it.
package struct ReplayedAnswer: Sendable, Hashable {
    package var backend: String
    package var success: Bool
    /// Time to the answer or to the failure (a timeout at its recorded latency).
    package var latencyMs: Double
    /// Whether the answer meets `expect`; nil without `expect` or on failure.
    package var correct: Bool?
    /// Whether ai-lb counts it as a success: every success, and a failure that ai-lb passes on as the answer
    /// (see `LoadBalancerVote.passesOn`).
    package var loadBalancerSuccess: Bool

    /// `loadBalancerSuccess` defaults to `success`.
    package init(backend: String, success: Bool, latencyMs: Double, correct: Bool? = nil, loadBalancerSuccess: Bool? = nil) {
        self.backend = backend
        self.success = success
        self.latencyMs = latencyMs
        self.correct = correct
        self.loadBalancerSuccess = loadBalancerSuccess ?? success
    }
}

/// What one way of answering returned for one case repeat: whose answer, or none, and after how long.
package struct ReplayedPick: Sendable, Hashable {
    /// The backend whose answer is returned; nil when the way of answering failed.
    package var backend: String?
    /// Time until the answer, or until the failure.
    package var latencyMs: Double

    package init(backend: String?, latencyMs: Double) {
        self.backend = backend
        self.latencyMs = latencyMs
    }
}

/// Replays each way of answering over one case repeat's stored answers (in config order). Pure.
///
/// Each function returns nil when the repeat says nothing about it (no answers stored, no verdict stored,
/// the backend has no stored answer).
package enum ModeReplay {
    /// The fastest of the answers ai-lb counts as successes, the first in config order on a tie; any other
    /// failure never wins. A winner that is no success (an error body ai-lb passes on) ends the race without
    /// an answer. Without any such answer it fails once the last request has failed.
    package static func race(_ answers: [ReplayedAnswer]) -> ReplayedPick? {
        guard let slowest = answers.map(\.latencyMs).max() else { return nil }
        var winner: ReplayedAnswer?
        for answer in answers where answer.loadBalancerSuccess {
            if let best = winner, best.latencyMs <= answer.latencyMs { continue }
            winner = answer
        }
        guard let winner else { return ReplayedPick(backend: nil, latencyMs: slowest) }
        return ReplayedPick(backend: winner.success ? winner.backend : nil, latencyMs: winner.latencyMs)
    }

    /// The first success in config order, after every failed attempt before it (their time added); without
    /// a success it fails after all of them.
    package static func failover(_ answers: [ReplayedAnswer]) -> ReplayedPick? {
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
    package static func consensus(_ answers: [ReplayedAnswer], verdict: Verdict?) -> ReplayedPick? {
        guard let verdict, let slowest = answers.map(\.latencyMs).max() else { return nil }
        let winner = verdict.successes > 0 && answers.contains { $0.backend == verdict.winner && $0.success }
        return ReplayedPick(backend: winner ? verdict.winner : nil, latencyMs: slowest)
    }

    /// `backend`'s own answer.
    package static func alone(_ answers: [ReplayedAnswer], backend: String) -> ReplayedPick? {
        guard let answer = answers.first(where: { $0.backend == backend }) else { return nil }
        return ReplayedPick(backend: answer.success ? backend : nil, latencyMs: answer.latencyMs)
    }
}
