import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct ToolCallNormalizerTests {
        @Test func ailbDropsIdsSortsByNameStablyAndCanonicalisesStringArguments() {
            let calls = [
                toolCall("zeta", #"{"b": 1, "a": "é"}"#),
                toolCall("alpha", #"{"n": 2}"#),
                toolCall("alpha", #"{"n": 1}"#),
            ]
            let normalized = ToolCallNormalizer.normalize(calls, profile: .ailb)
            #expect(
                normalized == [
                    ["name": "alpha", "arguments": #"{"n":2}"#],
                    ["name": "alpha", "arguments": #"{"n":1}"#],
                    ["name": "zeta", "arguments": #"{"a":"\u00e9","b":1}"#],
                ])
        }

        @Test func ailbKeepsObjectArgumentsDistinctFromStrings() {
            let object = ToolCallNormalizer.key([toolCall("f", ["a": 1])], profile: .ailb)
            let string = ToolCallNormalizer.key([toolCall("f", #"{"a":1}"#)], profile: .ailb)
            #expect(object != string)
            #expect(object == #"[{"arguments":{"a":1},"name":"f"}]"#)
            #expect(string == #"[{"arguments":"{\"a\":1}","name":"f"}]"#)
        }

        @Test func emptyOrMissingArgumentsEqualAnEmptyObjectInBothProfiles() {
            for profile in EquivalenceProfile.allCases {
                let forms: [JSONValue] = [
                    toolCall("f", "{}"), toolCall("f", [:]), toolCall("f", ""), toolCall("f", .null),
                    ["function": ["name": "f"]],
                ]
                let keys = Set(forms.map { ToolCallNormalizer.key([$0], profile: profile) })
                #expect(keys.count == 1, "\(profile)")
            }
        }

        @Test func unparseableStringArgumentsAreKept() {
            let normalized = ToolCallNormalizer.normalize([toolCall("f", "{oops")], profile: .ailb)
            #expect(normalized == [["name": "f", "arguments": "{oops"]])
        }

        @Test func ailbSeparatesIntFromFloatAndSemanticDoesNot() {
            let int = [toolCall("f", #"{"n": 1}"#)]
            let float = [toolCall("f", #"{"n": 1.0}"#)]
            #expect(ToolCallNormalizer.key(int, profile: .ailb) != ToolCallNormalizer.key(float, profile: .ailb))
            #expect(
                ToolCallNormalizer.key(int, profile: .semantic) == ToolCallNormalizer.key(float, profile: .semantic))
            #expect(
                ToolCallNormalizer.key(int, profile: .semantic)
                    != ToolCallNormalizer.key([toolCall("f", #"{"n": 1.5}"#)], profile: .semantic))
        }

        @Test func semanticDecodesArgumentsWhateverTheirEncoding() {
            let object = [toolCall("f", ["a": ["b": 2.0]])]
            let string = [toolCall("f", #"{"a": {"b": 2}}"#)]
            #expect(
                ToolCallNormalizer.key(object, profile: .semantic) == ToolCallNormalizer.key(string, profile: .semantic)
            )
            #expect(
                ToolCallNormalizer.normalize(string, profile: .semantic) == [
                    ["name": "f", "arguments": ["a": ["b": 2]]]
                ])
        }

        @Test func parallelCallOrderMattersOnlyForEqualNamesInAilbAndNeverInSemantic() {
            let one = [toolCall("f", #"{"x":1}"#), toolCall("f", #"{"x":2}"#), toolCall("g", "{}")]
            let two = [toolCall("g", "{}"), toolCall("f", #"{"x":2}"#), toolCall("f", #"{"x":1}"#)]
            let three = [toolCall("g", "{}"), toolCall("f", #"{"x":1}"#), toolCall("f", #"{"x":2}"#)]
            #expect(ToolCallNormalizer.key(one, profile: .ailb) == ToolCallNormalizer.key(three, profile: .ailb))
            #expect(ToolCallNormalizer.key(one, profile: .ailb) != ToolCallNormalizer.key(two, profile: .ailb))
            #expect(ToolCallNormalizer.key(one, profile: .semantic) == ToolCallNormalizer.key(two, profile: .semantic))
        }

        @Test func aMultisetStillCountsDuplicates() {
            let twice = [toolCall("f", "{}"), toolCall("f", "{}")]
            #expect(
                ToolCallNormalizer.key(twice, profile: .semantic)
                    != ToolCallNormalizer.key([toolCall("f", "{}")], profile: .semantic))
        }

        @Test func legacyFunctionCallIsAOneElementList() {
            let legacy = ExtractedAnswer(body: [
                "choices": [
                    ["message": ["content": .null, "function_call": ["name": "f", "arguments": #"{"a": 1}"#]]]
                ]
            ])
            let modern = ExtractedAnswer(body: chatBody(toolCalls: [toolCall("f", #"{"a":1}"#)]))
            #expect(legacy.toolCalls.count == 1)
            for profile in EquivalenceProfile.allCases {
                #expect(
                    ToolCallNormalizer.key(legacy.toolCalls, profile: profile)
                        == ToolCallNormalizer.key(modern.toolCalls, profile: profile))
            }
        }

        @Test func foldingTrimsAndLowercasesStringValuesOnly() {
            let normalized = ToolCallNormalizer.normalize(
                [toolCall("Send", #"{"To": "  Ann@X.org "}"#)], profile: .semantic, foldStrings: true)
            #expect(normalized == [["name": "Send", "arguments": ["To": "ann@x.org"]]])
        }
    }
}
