/// Judges the answers to a case: what each backend's answer says and whether it meets the case's `expect`,
/// and the verdict of each repeat under both profiles. Returns the judge's values only; the rows a run
/// stores are made from them by the caller. No I/O.
public struct CaseAssessor: Sendable {
    public var threshold: Double

    public init(threshold: Double) {
        self.threshold = threshold
    }

    /// What one backend's answer says and whether it meets `expect`; nil when the response is no answer
    /// (it failed, or it has no body).
    public func assessment(of response: BackendResponse, expect: Expectation?) -> AnswerAssessment? {
        guard let body = response.body, response.isSuccess else { return nil }
        let answer = ExtractedAnswer(body: body)
        return AnswerAssessment(
            answer: answer, normalizedToolCalls: ToolCallNormalizer.normalize(answer.toolCalls, profile: .semantic),
            correct: expect.map { ExpectationScorer.isCorrect(answer, expect: $0) })
    }

    /// The judgement of one repeat of a case under each profile (`ailb`, then `semantic`), from its
    /// responses in config order. `ailb` votes as ai-lb does, with the error bodies it passes on
    /// (`LoadBalancerVote`); `semantic` only with chat completions.
    public func judgement(
        of responses: [(backend: String, response: BackendResponse)], expect: Expectation?
    ) -> [ProfileJudgement] {
        let completions = responses.map {
            CandidateResponse(
                backend: $0.backend, success: $0.response.isSuccess, latencyMs: $0.response.latencyMs,
                body: $0.response.exactBody, json: $0.response.body)
        }
        let votes = zip(responses, completions).map { answer, completion in
            if completion.success { return completion }
            let body = LoadBalancerVote.body(of: answer.response)
            return CandidateResponse(backend: answer.backend, success: body != nil, latencyMs: completion.latencyMs, body: body)
        }
        let ailb = ConsensusJudge(profile: .ailb, threshold: threshold).verdict(votes)
        let semantic = ConsensusJudge(profile: .semantic, threshold: threshold).verdict(completions)
        let spurious = ailb.disagreement && !semantic.disagreement && semantic.successes > 0
        var causes = spurious ? ProfileDifference.causes(completions).map(\.rawValue) : []
        if spurious && ailb.successes > semantic.successes { causes.append(Self.errorBodyCause) }
        var scores: [String: Bool] = [:]
        if let expect {
            for (answer, vote) in zip(responses, votes) where ConsensusJudge.isSuccess(vote) {
                // A completion is scored from the body already parsed; an error body from its vote.
                let body = answer.response.isSuccess ? answer.response.body : vote.body?.jsonValue
                scores[vote.backend] = ExpectationScorer.isCorrect(ExtractedAnswer(body: body), expect: expect)
            }
        }
        let ailbScore = Self.consensusScore(ailb, scores: scores, hasExpect: expect != nil)
        let semanticScore = Self.consensusScore(semantic, scores: scores, hasExpect: expect != nil)
        return [
            ProfileJudgement(
                profile: .ailb, verdict: ailb, consensusCorrect: ailbScore.correct, consensusUndecided: ailbScore.undecided),
            ProfileJudgement(
                profile: .semantic, verdict: semantic, consensusCorrect: semanticScore.correct,
                consensusUndecided: semanticScore.undecided, spuriousCauses: causes),
        ]
    }

    /// The cause given when `ailb` splits answers that `semantic` finds in agreement because ai-lb counted an
    /// error body as a vote (no equivalence of `SpuriousCause` is involved).
    public static let errorBodyCause = "error_body"

    /// Whether the consensus answer meets `expect`, judged without regard to the order of the backends:
    /// the majority group's answer is correct when more than half of its members' answers are (they are
    /// one answer under the profile; similar texts may still score apart). A tie or a largest group of half
    /// or less has no consensus answer: undecided. A lone success is scored on its own.
    static func consensusScore(_ verdict: Verdict, scores: [String: Bool], hasExpect: Bool) -> (correct: Bool?, undecided: Bool) {
        guard hasExpect, verdict.successes > 0 else { return (nil, false) }
        let group: [String]
        switch verdict.outcome {
        case .unanimous, .majority: group = verdict.majorityGroup ?? []
        case .notJudged: group = verdict.answerGroups.first ?? []
        case .tie, .noMajority: return (nil, true)
        }
        let correct = group.filter { scores[$0] == true }.count
        return (2 * correct > group.count, false)
    }
}

/// One backend's answer as the judge reads it.
public struct AnswerAssessment: Sendable, Hashable {
    /// The text, tool calls and finish reason of the completion.
    public var answer: ExtractedAnswer
    /// The tool calls as `[{name, arguments}]`, normalized under the semantic profile.
    public var normalizedToolCalls: [JSONValue]
    /// Whether the answer meets the case's `expect`; nil without one.
    public var correct: Bool?

    public init(answer: ExtractedAnswer, normalizedToolCalls: [JSONValue], correct: Bool?) {
        self.answer = answer
        self.normalizedToolCalls = normalizedToolCalls
        self.correct = correct
    }
}

/// The verdict on one repeat of a case under one profile, and how its consensus answer scores.
public struct ProfileJudgement: Sendable, Hashable {
    public var profile: EquivalenceProfile
    public var verdict: Verdict
    /// Whether the majority answer (`Verdict.majorityGroup`) meets `expect`; nil without `expect`, and nil
    /// with `consensusUndecided` when no answer holds a strict majority.
    public var consensusCorrect: Bool?
    /// True when the case has `expect` but its answers ended in a tie or without a majority: there is no
    /// consensus answer to score.
    public var consensusUndecided: Bool
    /// For the semantic profile: why `ailb` disagreed where it agrees, the equivalences (`SpuriousCause`)
    /// and `error_body` (`CaseAssessor.errorBodyCause`).
    public var spuriousCauses: [String]

    public init(
        profile: EquivalenceProfile, verdict: Verdict, consensusCorrect: Bool?, consensusUndecided: Bool = false,
        spuriousCauses: [String] = []
    ) {
        self.profile = profile
        self.verdict = verdict
        self.consensusCorrect = consensusCorrect
        self.consensusUndecided = consensusUndecided
        self.spuriousCauses = spuriousCauses
    }
}
