import Testing

@testable import AILBEval

/// The judge's values for the answers to one case, before anything is stored.
@Suite struct CaseAssessorTests {
    static func answered(_ backend: String, _ body: JSONValue, latency: Double = 100) -> (backend: String, response: BackendResponse) {
        var response = BackendResponse(latencyMs: latency)
        response.body = body
        return (backend, response)
    }

    static let expectParis = Expectation(toolCalls: [ExpectedToolCall(name: "get_weather", arguments: ["city": "Paris"])])

    @Test func anAnswerIsReadAndScored() throws {
        let assessor = CaseAssessor(threshold: 0.9)
        let body = chatBody("Looking it up.", toolCalls: [toolCall("get_weather", #"{"city": "Paris"}"#)])
        let assessed = try #require(assessor.assessment(of: Self.answered("a", body).response, expect: Self.expectParis))
        #expect(assessed.answer.text == "Looking it up.")
        #expect(assessed.answer.finishReason == "stop")
        #expect(assessed.normalizedToolCalls == ToolCallNormalizer.normalize(assessed.answer.toolCalls, profile: .semantic))
        #expect(assessed.normalizedToolCalls.count == 1)
        #expect(assessed.correct == true)
        #expect(assessor.assessment(of: Self.answered("a", body).response, expect: nil)?.correct == nil)
        let failed = BackendResponse(errorClass: .http5xx, errorMessage: "HTTP 500", latencyMs: 3)
        #expect(assessor.assessment(of: failed, expect: Self.expectParis) == nil)
    }

    @Test func argumentsSentAsAnObjectOrAsTextDisagreeOnlyUnderTheAILBProfile() {
        let assessor = CaseAssessor(threshold: 0.9)
        let responses = [
            Self.answered("a", chatBody(toolCalls: [toolCall("get_weather", ["city": "Paris"])])),
            Self.answered("b", chatBody(toolCalls: [toolCall("get_weather", #"{"city": "Paris"}"#)])),
        ]
        let judged = assessor.judgement(of: responses, expect: Self.expectParis)
        #expect(judged.map(\.profile) == [.ailb, .semantic])
        #expect(judged[0].verdict.disagreement)
        #expect(judged[0].spuriousCauses.isEmpty)
        #expect(!judged[1].verdict.disagreement)
        #expect(judged[1].spuriousCauses == ["argument_encoding"])
        #expect(judged[1].consensusCorrect == true)
        #expect(!judged[1].consensusUndecided)
    }

    static func failed(
        _ backend: String, _ errorClass: ErrorClass, status: Int?, body: String, message: String = "failed", latency: Double
    ) -> (backend: String, response: BackendResponse) {
        (backend, BackendResponse(errorClass: errorClass, errorMessage: message, httpStatus: status, latencyMs: latency, rawBody: body))
    }

    /// ai-lb votes with a 400's error body and with a 2xx body that is not JSON (as `{"raw": …}`); `ailb`
    /// does too, and `semantic`, which does not, calls the split spurious with the cause `error_body`.
    @Test func theAILBProfileVotesWithTheErrorBodiesAiLbPassesOn() {
        let assessor = CaseAssessor(threshold: 0.9)
        let expect = Expectation(contains: ["Paris"])
        let errorBody = Self.failed("a", .http4xx, status: 400, body: #"{"error": {"message": "bad tool schema"}}"#, latency: 50)
        let paris = Self.answered("b", chatBody("Paris"), latency: 300)
        // A 1–1 tie goes to the first-formed group: the error body, which is no correct answer.
        let tie = assessor.judgement(of: [errorBody, paris], expect: expect)
        #expect(tie[0].verdict.successes == 2 && tie[0].verdict.disagreement && tie[0].verdict.winner == "a")
        #expect(tie[0].verdict.comparisonType == .text)
        #expect(tie[0].consensusUndecided)
        #expect(tie[1].verdict.successes == 1 && !tie[1].verdict.disagreement && tie[1].verdict.winner == "b")
        #expect(tie[1].spuriousCauses == [CaseAssessor.errorBodyCause])
        // Two real answers outvote it; the disagreement is ai-lb's, and the answer is still Paris.
        let notJSON = Self.failed("a", .badJSON, status: 200, body: "this is not json", latency: 50)
        let majority = assessor.judgement(of: [notJSON, paris, Self.answered("c", chatBody("Paris"), latency: 100)], expect: expect)
        #expect(majority[0].verdict.successes == 3 && majority[0].verdict.disagreement)
        #expect(majority[0].verdict.winner == "c" && majority[0].verdict.agreementCount == 2)
        #expect(majority[0].consensusCorrect == true)
        // Two error bodies agree with each other (both have empty text).
        let second = Self.failed("b", .http4xx, status: 422, body: #"{"error": "unprocessable"}"#, latency: 20)
        let errors = assessor.judgement(of: [errorBody, second], expect: expect)
        #expect(errors[0].verdict.successes == 2 && !errors[0].verdict.disagreement && errors[0].verdict.winner == "b")
        #expect(errors[0].consensusCorrect == false)
        #expect(errors[1].verdict.successes == 0)
        // Against a lone tool call without text, ai-lb's text rule finds the two empty texts alike: no split.
        let call = Self.answered("c", chatBody(toolCalls: [toolCall("get_weather", #"{"city": "Paris"}"#)]), latency: 10)
        let quiet = assessor.judgement(of: [errorBody, call], expect: nil)
        #expect(quiet[0].verdict.comparisonType == .text && !quiet[0].verdict.disagreement && quiet[0].verdict.winner == "c")
    }

    /// What ai-lb fails is no vote in either profile: 404, 429, 5xx, a timeout, and a 2xx cut off mid-body.
    @Test func whatAiLbFailsIsNoVote() {
        let assessor = CaseAssessor(threshold: 0.9)
        let paris = Self.answered("z", chatBody("Paris"))
        let failures = [
            Self.failed("a", .http4xx, status: 404, body: #"{"error": "no such model"}"#, latency: 5),
            Self.failed("b", .http429, status: 429, body: #"{"error": "slow down"}"#, latency: 5),
            Self.failed("c", .http5xx, status: 500, body: #"{"error": "boom"}"#, latency: 5),
            Self.failed("d", .timeout, status: nil, body: "", latency: 5),
            Self.failed(
                "e", .badJSON, status: 200, body: #"{"choices": ["#, message: LoadBalancerVote.connectionLost + " 14 bytes",
                latency: 5),
        ]
        for failure in failures {
            let judged = assessor.judgement(of: [failure, paris], expect: nil)
            #expect(judged[0].verdict.successes == 1 && judged[0].verdict.winner == "z", "\(failure.backend)")
        }
    }
}
