/// The rows a run stores, made from the judge's values: where the answers of a run meet the store.
extension CaseAssessor {
    /// The `responses` row for one backend response.
    package func record(
        for response: BackendResponse, item: WorkItem, backend: String, expect: Expectation?, receivedAt: String
    ) -> ResponseRecord {
        var record = ResponseRecord(
            casePosition: item.casePosition, repeatIndex: item.repeatIndex, backend: backend,
            success: response.isSuccess, errorClass: response.errorClass, errorMessage: response.errorMessage,
            httpStatus: response.httpStatus, latencyMs: response.latencyMs, ttftMs: response.ttftMs,
            attempts: response.attempts, url: response.url, rawBody: response.rawBody, receivedAt: receivedAt)
        guard let body = response.body, let assessment = assessment(of: response, expect: expect) else { return record }
        record.text = assessment.answer.text
        if !assessment.answer.toolCalls.isEmpty {
            record.toolCalls = JSONValue.array(assessment.normalizedToolCalls).compactText
        }
        record.finishReason = assessment.answer.finishReason
        record.promptTokens = body["usage"]?["prompt_tokens"]?.intValue
        record.completionTokens = body["usage"]?["completion_tokens"]?.intValue
        record.totalTokens =
            body["usage"]?["total_tokens"]?.intValue
            ?? record.promptTokens.flatMap { p in record.completionTokens.map { p + $0 } }
        record.correct = assessment.correct
        return record
    }

    /// The verdict rows (one per profile) for one repeat of a case, from its responses in config order.
    package func verdicts(
        casePosition: Int, repeatIndex: Int, responses: [(backend: String, response: BackendResponse)],
        expect: Expectation?
    ) -> [VerdictRecord] {
        judgement(of: responses, expect: expect).map {
            VerdictRecord(casePosition: casePosition, repeatIndex: repeatIndex, judgement: $0)
        }
    }
}
