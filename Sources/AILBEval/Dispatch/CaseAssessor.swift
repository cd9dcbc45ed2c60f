/// Turns raw backend responses into stored rows: extracts the answer, scores it against `expect`,
/// and judges each repeat of a case under both profiles. No I/O.
public struct CaseAssessor: Sendable {
    public var threshold: Double

    public init(threshold: Double) {
        self.threshold = threshold
    }

    /// The `responses` row for one backend response.
    public func record(
        for response: BackendResponse, item: WorkItem, backend: String, expect: Expectation?, receivedAt: String
    ) -> ResponseRecord {
        var record = ResponseRecord(
            casePosition: item.casePosition, repeatIndex: item.repeatIndex, backend: backend,
            success: response.isSuccess, errorClass: response.errorClass, errorMessage: response.errorMessage,
            httpStatus: response.httpStatus, latencyMs: response.latencyMs, ttftMs: response.ttftMs,
            attempts: response.attempts, url: response.url, rawBody: response.rawBody, receivedAt: receivedAt)
        guard let body = response.body, response.isSuccess else { return record }
        let answer = ExtractedAnswer(body: body)
        record.text = answer.text
        if !answer.toolCalls.isEmpty {
            record.toolCalls = JSONValue.array(ToolCallNormalizer.normalize(answer.toolCalls, profile: .semantic)).compactText
        }
        record.finishReason = answer.finishReason
        record.promptTokens = body["usage"]?["prompt_tokens"]?.intValue
        record.completionTokens = body["usage"]?["completion_tokens"]?.intValue
        record.totalTokens =
            body["usage"]?["total_tokens"]?.intValue
            ?? record.promptTokens.flatMap { p in record.completionTokens.map { p + $0 } }
        if let expect { record.correct = ExpectationScorer.isCorrect(answer, expect: expect) }
        return record
    }

    /// The verdict rows (one per profile) for one repeat of a case, from its responses in config order.
    public func verdicts(
        casePosition: Int, repeatIndex: Int, responses: [(backend: String, response: BackendResponse)],
        expect: Expectation?
    ) -> [VerdictRecord] {
        let candidates = responses.map {
            CandidateResponse(
                backend: $0.backend, success: $0.response.isSuccess, latencyMs: $0.response.latencyMs,
                body: $0.response.exactBody)
        }
        let ailb = ConsensusJudge(profile: .ailb, threshold: threshold).verdict(candidates)
        let semantic = ConsensusJudge(profile: .semantic, threshold: threshold).verdict(candidates)
        let spurious = ailb.disagreement && !semantic.disagreement && semantic.successes > 0
        let causes = spurious ? ProfileDifference.causes(candidates).map(\.rawValue) : []
        var scores: [String: Bool] = [:]
        if let expect {
            for candidate in candidates where ConsensusJudge.isSuccess(candidate) {
                scores[candidate.backend] = ExpectationScorer.isCorrect(
                    ExtractedAnswer(body: candidate.body?.jsonValue), expect: expect)
            }
        }
        let ailbScore = Self.consensusScore(ailb, scores: scores, hasExpect: expect != nil)
        let semanticScore = Self.consensusScore(semantic, scores: scores, hasExpect: expect != nil)
        return [
            VerdictRecord(
                casePosition: casePosition, repeatIndex: repeatIndex, profile: .ailb, verdict: ailb,
                consensusCorrect: ailbScore.correct, consensusUndecided: ailbScore.undecided),
            VerdictRecord(
                casePosition: casePosition, repeatIndex: repeatIndex, profile: .semantic, verdict: semantic,
                consensusCorrect: semanticScore.correct, consensusUndecided: semanticScore.undecided,
                spuriousCauses: causes),
        ]
    }

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
