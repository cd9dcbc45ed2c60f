import Testing

@testable import AILBEval

/// Each way of answering replayed over one case repeat's answers.
@Suite struct ModeReplayTests {
    func ok(_ backend: String, _ latency: Double, correct: Bool? = nil) -> ReplayedAnswer {
        ReplayedAnswer(backend: backend, success: true, latencyMs: latency, correct: correct)
    }

    func failed(_ backend: String, _ latency: Double) -> ReplayedAnswer {
        ReplayedAnswer(backend: backend, success: false, latencyMs: latency)
    }

    @Test func raceTieGoesToTheFirstInConfigOrder() {
        #expect(ModeReplay.race([ok("a", 10), ok("b", 10)]) == ReplayedPick(backend: "a", latencyMs: 10))
        #expect(ModeReplay.race([ok("b", 10), ok("a", 10)]) == ReplayedPick(backend: "b", latencyMs: 10))
        #expect(ModeReplay.race([ok("a", 12), ok("b", 10), ok("c", 10)]) == ReplayedPick(backend: "b", latencyMs: 10))
    }

    @Test func aFailureNeverWinsTheRace() {
        #expect(ModeReplay.race([failed("a", 1), ok("b", 50)]) == ReplayedPick(backend: "b", latencyMs: 50))
        // With no success it fails once the last request has failed.
        #expect(ModeReplay.race([failed("a", 1), failed("b", 30)]) == ReplayedPick(backend: nil, latencyMs: 30))
        #expect(ModeReplay.race([]) == nil)
    }

    /// ai-lb returns a backend's HTTP 400 error body (or a 200 body that is no chat completion) as the answer
    /// of its race, as fast as it comes: the race ends there with no answer.
    @Test func anErrorBodyAiLbPassesOnEndsTheRaceWithoutAnAnswer() {
        let errorBody = ReplayedAnswer(backend: "a", success: false, latencyMs: 5, loadBalancerSuccess: true)
        #expect(ModeReplay.race([errorBody, ok("b", 50)]) == ReplayedPick(backend: nil, latencyMs: 5))
        // A faster success still wins; a failure ai-lb counts as one too (a 404) does not end the race.
        #expect(ModeReplay.race([errorBody, ok("b", 3)]) == ReplayedPick(backend: "b", latencyMs: 3))
        #expect(ModeReplay.race([failed("a", 5), ok("b", 50)]) == ReplayedPick(backend: "b", latencyMs: 50))
    }

    @Test func aiLbPassesOnA4xxOtherThan404AndA2xxThatIsNoCompletion() {
        func passesOn(_ errorClass: ErrorClass?, _ status: Int?) -> Bool {
            LoadBalancerVote.passesOn(errorClass: errorClass, httpStatus: status, errorMessage: nil)
        }
        #expect(passesOn(.http4xx, 400) && passesOn(.http4xx, 401) && passesOn(.http4xx, 422))
        #expect(!passesOn(.http4xx, 404))
        #expect(passesOn(.badJSON, 200))
        // A member ai-lb reported as a success that is no chat completion comes without a status.
        #expect(passesOn(.http4xx, nil) && passesOn(.badJSON, nil))
        #expect(!passesOn(.badJSON, 502))
        // A 2xx whose connection was lost mid-body is a transport error to ai-lb's client, not a body.
        #expect(
            !LoadBalancerVote.passesOn(
                errorClass: .badJSON, httpStatus: 200, errorMessage: LoadBalancerVote.connectionLost + " 12 bytes of the body"))
        for errorClass: ErrorClass in [.http429, .http5xx, .timeout, .connect, .upstream, .cancelled] {
            #expect(!passesOn(errorClass, errorClass == .http429 ? 429 : 500), "\(errorClass)")
        }
        #expect(ReplayedAnswer(backend: "a", success: true, latencyMs: 1).loadBalancerSuccess)
        #expect(!ReplayedAnswer(backend: "a", success: false, latencyMs: 1).loadBalancerSuccess)
    }

    @Test func failoverAddsTheTimeOfEveryFailedAttemptBeforeItsAnswer() {
        let answers = [failed("a", 30), failed("b", 20), ok("c", 10), ok("d", 1)]
        #expect(ModeReplay.failover(answers) == ReplayedPick(backend: "c", latencyMs: 60))
        #expect(ModeReplay.failover([ok("a", 40), ok("b", 1)]) == ReplayedPick(backend: "a", latencyMs: 40))
        #expect(ModeReplay.failover([failed("a", 30), failed("b", 20)]) == ReplayedPick(backend: nil, latencyMs: 50))
    }

    @Test func consensusWaitsForTheSlowestAnswerFailuresIncluded() {
        let verdict = Verdict(
            comparisonType: .hash, winner: "a", agreementCount: 2, disagreement: false, groups: [["a", "b"]], successes: 2)
        let answers = [ok("a", 10), ok("b", 20), failed("c", 90)]
        #expect(ModeReplay.consensus(answers, verdict: verdict) == ReplayedPick(backend: "a", latencyMs: 90))
        #expect(ModeReplay.consensus(answers, verdict: nil) == nil)
        let none = Verdict(comparisonType: .none, winner: "a", agreementCount: 0, disagreement: true, groups: [], successes: 0)
        #expect(
            ModeReplay.consensus([failed("a", 5), failed("b", 70)], verdict: none) == ReplayedPick(backend: nil, latencyMs: 70))
    }

    @Test func aBackendAloneIsItsOwnAnswer() {
        let answers = [ok("a", 10), failed("b", 25)]
        #expect(ModeReplay.alone(answers, backend: "a") == ReplayedPick(backend: "a", latencyMs: 10))
        #expect(ModeReplay.alone(answers, backend: "b") == ReplayedPick(backend: nil, latencyMs: 25))
        #expect(ModeReplay.alone(answers, backend: "c") == nil)
    }
}
