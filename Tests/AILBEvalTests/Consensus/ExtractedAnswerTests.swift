import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct ExtractedAnswerTests {
        @Test func readsTheFirstChoice() {
            let body: JSONValue = [
                "choices": [
                    [
                        "message": [
                            "content": "Hi", "reasoning_content": "thought", "tool_calls": [toolCall("f", "{}")],
                        ],
                        "finish_reason": "tool_calls",
                    ],
                    ["message": ["content": "second"]],
                ]
            ]
            let answer = ExtractedAnswer(body: body)
            #expect(answer.text == "Hi")
            #expect(answer.toolCalls == [toolCall("f", "{}")])
            #expect(answer.finishReason == "tool_calls")
            #expect(answer.reasoning == "thought")
        }

        @Test func joinsTheTextOfContentParts() {
            let body: JSONValue = [
                "choices": [
                    ["message": ["content": [["type": "text", "text": "Hello "], ["type": "image_url"], "world"]]]
                ]
            ]
            #expect(ExtractedAnswer(body: body).text == "Hello world")
        }

        @Test func fallsBackToALegacyFunctionCall() {
            let body: JSONValue = [
                "choices": [["message": ["tool_calls": [], "function_call": ["name": "f", "arguments": "{}"]]]]
            ]
            let answer = ExtractedAnswer(body: body)
            #expect(answer.toolCalls == [["type": "function", "function": ["name": "f", "arguments": "{}"]]])
        }

        @Test(
            arguments: [
                nil, JSONValue.null, [:], ["choices": []], ["choices": "x"], ["choices": [1]],
                ["choices": [["message": "hi"]]],
                ["choices": [["message": ["content": 42, "tool_calls": "no"]]]],
            ] as [JSONValue?])
        func toleratesAnyShape(body: JSONValue?) {
            let answer = ExtractedAnswer(body: body)
            #expect(answer.text == "")
            #expect(answer.toolCalls.isEmpty)
            #expect(answer.finishReason == nil)
        }
    }
}
