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
        return [
            VerdictRecord(
                casePosition: casePosition, repeatIndex: repeatIndex, profile: .ailb, verdict: ailb,
                consensusCorrect: correctness(of: ailb, candidates: candidates, expect: expect)),
            VerdictRecord(
                casePosition: casePosition, repeatIndex: repeatIndex, profile: .semantic, verdict: semantic,
                consensusCorrect: correctness(of: semantic, candidates: candidates, expect: expect),
                spuriousCauses: causes),
        ]
    }

    func correctness(of verdict: Verdict, candidates: [CandidateResponse], expect: Expectation?) -> Bool? {
        guard let expect, verdict.successes > 0,
            let winner = candidates.first(where: { $0.backend == verdict.winner && $0.success })
        else { return nil }
        return ExpectationScorer.isCorrect(ExtractedAnswer(body: winner.body?.jsonValue), expect: expect)
    }
}
