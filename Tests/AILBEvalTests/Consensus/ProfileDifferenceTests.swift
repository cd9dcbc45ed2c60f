import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct ProfileDifferenceTests {
        @Test func namesEachEquivalenceThatMakesTheDifference() {
            let cases: [(SpuriousCause, [CandidateResponse])] = [
                (
                    .argumentEncoding,
                    [
                        ok("b0", chatBody(toolCalls: [toolCall("f", ["a": "x"])])),
                        ok("b1", chatBody(toolCalls: [toolCall("f", #"{"a": "x"}"#)])),
                    ]
                ),
                (
                    .numberFormatting,
                    [
                        ok("b0", chatBody(toolCalls: [toolCall("f", #"{"n": 1}"#)])),
                        ok("b1", chatBody(toolCalls: [toolCall("f", #"{"n": 1.0}"#)])),
                    ]
                ),
                (
                    .callOrder,
                    [
                        ok("b0", chatBody(toolCalls: [toolCall("f", #"{"n":1}"#), toolCall("f", #"{"n":2}"#)])),
                        ok("b1", chatBody(toolCalls: [toolCall("f", #"{"n":2}"#), toolCall("f", #"{"n":1}"#)])),
                    ]
                ),
                (
                    .reasoningTags,
                    [
                        ok("b0", chatBody("<think>Short.</think>Yes")),
                        ok("b1", chatBody("Yes")),
                    ]
                ),
            ]
            for (cause, responses) in cases {
                #expect(ProfileDifference.causes(responses) == [cause])
            }
        }

        @Test func stringCaseCountsOnlyWhenTheSuiteFoldsStrings() {
            let responses = [
                ok("b0", chatBody(toolCalls: [toolCall("f", #"{"city":"Oslo"}"#)])),
                ok("b1", chatBody(toolCalls: [toolCall("f", #"{"city":"OSLO"}"#)])),
            ]
            #expect(ProfileDifference.causes(responses).isEmpty)
            #expect(ProfileDifference.causes(responses, foldStrings: true) == [.stringCase])
        }

        @Test func aPairNeedingTwoEquivalencesIsAttributedToBoth() {
            let responses = [
                ok("b0", chatBody(toolCalls: [toolCall("f", ["n": 1.0])])),
                ok("b1", chatBody(toolCalls: [toolCall("f", #"{"n": 1}"#)])),
            ]
            #expect(ProfileDifference.causes(responses) == [.numberFormatting, .argumentEncoding])
        }

        @Test func realDisagreementsAndAgreementsHaveNoCause() {
            let differ = [
                ok("b0", chatBody(toolCalls: [toolCall("f", #"{"n":1}"#)])),
                ok("b1", chatBody(toolCalls: [toolCall("g", "{}")])),
            ]
            #expect(ProfileDifference.causes(differ).isEmpty)
            let same = [ok("b0", chatBody("Yes")), ok("b1", chatBody("Yes")), failed("b2")]
            #expect(ProfileDifference.causes(same).isEmpty)
        }
    }
}
