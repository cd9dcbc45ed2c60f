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
}
