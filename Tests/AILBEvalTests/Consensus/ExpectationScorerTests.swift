import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct ExpectationScorerTests {
        let weather = ExtractedAnswer(text: "", toolCalls: [toolCall("get_weather", #"{"city": "Oslo", "days": 3}"#)])

        @Test func toolCallsMatchByNameAndArgumentsUnderSemanticRules() {
            let asObject = Expectation(toolCalls: [
                ExpectedToolCall(name: "get_weather", arguments: ["days": 3.0, "city": "Oslo"])
            ])
            #expect(ExpectationScorer.isCorrect(weather, expect: asObject))
            let wrongValue = Expectation(toolCalls: [
                ExpectedToolCall(name: "get_weather", arguments: ["days": 4, "city": "Oslo"])
            ])
            #expect(!ExpectationScorer.isCorrect(weather, expect: wrongValue))
            let wrongName = Expectation(toolCalls: [ExpectedToolCall(name: "get_time")])
            #expect(!ExpectationScorer.isCorrect(weather, expect: wrongName))
        }

        @Test func nilArgumentsAcceptAnyArguments() {
            #expect(
                ExpectationScorer.isCorrect(
                    weather, expect: Expectation(toolCalls: [ExpectedToolCall(name: "get_weather")])))
        }

        @Test func anEmptyExpectedListMeansNoToolCall() {
            let none = Expectation(toolCalls: [])
            #expect(!ExpectationScorer.isCorrect(weather, expect: none))
            #expect(ExpectationScorer.isCorrect(ExtractedAnswer(text: "No tool needed."), expect: none))
        }

        @Test func parallelCallsAreAMultiset() {
            let answer = ExtractedAnswer(
                text: "", toolCalls: [toolCall("f", #"{"x": 2}"#), toolCall("f", #"{"x": 1}"#)])
            let inOrder = Expectation(toolCalls: [
                ExpectedToolCall(name: "f", arguments: ["x": 1]), ExpectedToolCall(name: "f", arguments: ["x": 2]),
            ])
            #expect(ExpectationScorer.isCorrect(answer, expect: inOrder))
            let wildcardFirst = Expectation(toolCalls: [
                ExpectedToolCall(name: "f"), ExpectedToolCall(name: "f", arguments: ["x": 2]),
            ])
            #expect(ExpectationScorer.isCorrect(answer, expect: wildcardFirst))
            let duplicated = Expectation(toolCalls: [
                ExpectedToolCall(name: "f", arguments: ["x": 1]), ExpectedToolCall(name: "f", arguments: ["x": 1]),
            ])
            #expect(!ExpectationScorer.isCorrect(answer, expect: duplicated))
            #expect(!ExpectationScorer.isCorrect(answer, expect: Expectation(toolCalls: [ExpectedToolCall(name: "f")])))
        }

        @Test func textIsComparedAfterSemanticNormalisation() {
            let answer = ExtractedAnswer(text: "<think>2+2</think>  The answer   is 4. ")
            #expect(ExpectationScorer.isCorrect(answer, expect: Expectation(text: "The answer is 4.")))
            #expect(!ExpectationScorer.isCorrect(answer, expect: Expectation(text: "The answer is 5.")))
            let json = ExtractedAnswer(text: "```json\n{\"b\": 1.0, \"a\": 2}\n```")
            #expect(ExpectationScorer.isCorrect(json, expect: Expectation(text: #"{"a": 2, "b": 1}"#)))
        }

        @Test func containsIsCaseInsensitiveAndNeedsEverySubstring() {
            let answer = ExtractedAnswer(text: "The capital of France is PARIS.")
            #expect(ExpectationScorer.isCorrect(answer, expect: Expectation(contains: ["paris", "France"])))
            #expect(!ExpectationScorer.isCorrect(answer, expect: Expectation(contains: ["paris", "Lyon"])))
            let thoughtOnly = ExtractedAnswer(text: "<think>maybe Paris</think>I don't know.")
            #expect(!ExpectationScorer.isCorrect(thoughtOnly, expect: Expectation(contains: ["paris"])))
        }

        /// The ASCII path and Foundation's search agree wherever both apply; beyond ASCII, Unicode case folding.
        @Test(arguments: [
            ("The capital is PARIS.", "paris", true), ("abc", "ABCD", false), ("aXb", "xB", true), ("[x]", "[X]", true),
            ("ab", "", true), ("", "a", false), ("Straße in MÜNCHEN", "münchen", true), ("ÉTÉ", "été", true),
            ("plain ascii", "é", false), ("@[`{", "`{", true), ("@", "`", false),
        ])
        func containsFoldsCase(text: String, needle: String, expected: Bool) {
            #expect(ExpectationScorer.containsCaseInsensitive(text, needle) == expected)
            if !needle.isEmpty { #expect((text.range(of: needle, options: .caseInsensitive) != nil) == expected) }
        }

        @Test func regexMatchesAnywhereAndAnInvalidOneFails() {
            let answer = ExtractedAnswer(text: "Total: 42 apples")
            #expect(ExpectationScorer.isCorrect(answer, expect: Expectation(regex: #"\b\d+ apples"#)))
            #expect(!ExpectationScorer.isCorrect(answer, expect: Expectation(regex: #"^\d+$"#)))
            #expect(!ExpectationScorer.isCorrect(answer, expect: Expectation(regex: "(unclosed")))
        }

        @Test func everySetFieldMustHold() {
            let answer = ExtractedAnswer(text: "Paris", toolCalls: [toolCall("f", "{}")])
            #expect(ExpectationScorer.isCorrect(answer, expect: Expectation()))
            #expect(
                ExpectationScorer.isCorrect(
                    answer, expect: Expectation(toolCalls: [ExpectedToolCall(name: "f")], contains: ["par"])))
            #expect(
                !ExpectationScorer.isCorrect(
                    answer, expect: Expectation(toolCalls: [ExpectedToolCall(name: "f")], contains: ["rome"])))
            #expect(!ExpectationScorer.isCorrect(answer, expect: Expectation(text: "Paris", regex: "Rome")))
        }
    }
}
