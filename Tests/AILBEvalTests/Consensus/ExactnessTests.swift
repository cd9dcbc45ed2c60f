import Testing

@testable import AILBEval

extension ConsensusTests {
    /// One test per input class on which the `ailb` profile once differed from ai-lb's Python: each reads
    /// its responses as a `verdict` line does, from JSON text, so nothing is lost before the judge sees it.
    @Suite struct ExactnessTests {
        /// The `ailb` verdict over three successful backends whose `content` is given as JSON string literals.
        func judge(contents: [String], toolCalls: [String?] = []) throws -> Verdict {
            var responses: [String] = []
            for (index, content) in contents.enumerated() {
                let calls = index < toolCalls.count ? toolCalls[index].map { #","tool_calls":\#($0)"# } ?? "" : ""
                responses.append(
                    #"{"backend":"b\#(index)","success":true,"latency_ms":\#(10 + index),"body":{"choices":[{"message":{"content":\#(content)\#(calls)}}]}}"#
                )
            }
            let line = #"{"id":"x","responses":["# + responses.joined(separator: ",") + "]}"
            let request = try VerdictRequest(line: line, defaultProfile: .ailb, defaultThreshold: 0.9)
            return ConsensusJudge(profile: .ailb).verdict(request.responses)
        }

        @Test func aJSONFenceUnwrapsInAnyLetterCase() throws {
            for tag in ["JSON", "Json", "jSoN", "j\u{17F}on"] {
                let fenced = JSONValue.string("```\(tag)\n{\"a\": 1}\n```").canonicalText
                let verdict = try judge(contents: [fenced, #""{\"a\":1}""#, #""other""#])
                #expect(verdict.comparisonType == .hash && verdict.agreementCount == 2, "tag \(tag)")
            }
            #expect(TextNormalizer.normalize("```python\n{\"a\": 1}\n```") == "python\n{\"a\": 1}".collapsingPythonWhitespace())
        }

        @Test func integersKeepEveryDigit() throws {
            let verdict = try judge(contents: [
                #""{\"n\": 12345678901234567890}""#, #""{\"n\": 12345678901234567891}""#,
                #""{\"n\": 12345678901234567890}""#,
            ])
            #expect(verdict.comparisonType == .hash && verdict.groups == [["b0", "b2"], ["b1"]])
            #expect(TextNormalizer.normalize("[123456789012345678901234567890, -0, 1E5]") == "[123456789012345678901234567890,0,100000.0]")
            let calls = try judge(
                contents: ["null", "null", "null"],
                toolCalls: [
                    #"[{"function":{"name":"f","arguments":"{\"n\":18446744073709551616}"}}]"#,
                    #"[{"function":{"name":"f","arguments":"{\"n\":18446744073709551617}"}}]"#,
                    #"[{"function":{"name":"f","arguments":"{\"n\":18446744073709551616}"}}]"#,
                ])
            #expect(calls.comparisonType == .toolCalls && calls.agreementCount == 2 && calls.groups[1] == ["b1"])
        }

        @Test func anEscapedLoneSurrogateIsItsOwnCodePoint() throws {
            let verdict = try judge(contents: [#""[\"\\ud800\"]""#, #""[\"\ufffd\"]""#, #""[\"\\ud800\"]""#])
            #expect(verdict.groups == [["b0", "b2"], ["b1"]])
            let text = try judge(contents: [#""a\ud800b""#, #""a\ufffdb""#, #""a\ud800b""#])
            #expect(text.groups == [["b0", "b2"], ["b1"]])
            let exact = try ExactJSON(parsing: #"["\ud800", "\udbff\udfff", "\udc00\ud800"]"#)
            #expect(exact.canonicalText == #"["\ud800","\udbff\udfff","\udc00\ud800"]"#)
        }

        @Test func deepJSONParsesUpToPythonsLimit() throws {
            let deep = String(repeating: "[", count: 900) + String(repeating: "]", count: 900)
            #expect(!TextNormalizer.normalize(deep).hasPrefix(TextNormalizer.invalidJSONPrefix))
            #expect(TextNormalizer.normalize(deep) == deep)
            let tooDeep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
            #expect(TextNormalizer.normalize(tooDeep).hasPrefix(TextNormalizer.invalidJSONPrefix))
        }

        @Test func unicodeNormalFormsAreDifferentTexts() throws {
            let verdict = try judge(contents: [#""caf\u00e9""#, #""cafe\u0301""#, #""caf\u00e9""#])
            #expect(verdict.groups == [["b0", "b2"], ["b1"]])
            // Keys equal only under canonical equivalence are two keys, ordered by code point.
            #expect(TextNormalizer.normalize("{\"caf\u{E9}\": 1, \"cafe\u{301}\": 2}") == #"{"cafe\u0301":2,"caf\u00e9":1}"#)
            #expect(TextNormalizer.normalize("{\"\u{212A}\": 1, \"K\": 2}") == #"{"K":2,"\u212a":1}"#)
            // The semantic profile compares normal form C, and says so as a cause.
            let semantic = ConsensusJudge(profile: .semantic)
            let responses = [ok("b0", chatBody("caf\u{E9}")), ok("b1", chatBody("cafe\u{301}"))]
            #expect(!semantic.verdict(responses).disagreement)
            #expect(ProfileDifference.causes(responses) == [.unicodeForm])
        }

        @Test func aCallWithoutTheFunctionWrapperHasNoNameAndNoArguments() throws {
            let verdict = try judge(
                contents: ["null", "null", "null"],
                toolCalls: [
                    #"[{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}]"#,
                    #"[{"name":"send_mail","arguments":"{}"}]"#,
                    #"[{"function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]"#,
                ])
            #expect(verdict.groups == [["b0", "b1"], ["b2"]])
            let semantic = ConsensusJudge(profile: .semantic).verdict([
                ok("b0", chatBody(toolCalls: [["name": "f", "arguments": "{}"]])),
                ok("b1", chatBody(toolCalls: [toolCall("f", "{}")])),
            ])
            #expect(!semantic.disagreement)
        }

        @Test func thinkingTagsInAnyLetterCaseAndNonFiniteNumbers() throws {
            let verdict = try judge(contents: [#""<THINKING>x</Thinking>hi""#, #""<tHiNkInG>y</THINKING> hi""#, #""hi!""#])
            #expect(verdict.comparisonType == .hash && verdict.agreementCount == 2)
            #expect(TextNormalizer.normalize("[NaN, Infinity, -Infinity, 1e400]") == "[NaN,Infinity,-Infinity,Infinity]")
        }

        @Test func shapesAiLbCannotReadAreFailuresWithAReason() throws {
            let verdict = try judge(
                contents: ["null", "null", "null"],
                toolCalls: [#"{"function":{"name":"f"}}"#, #"[{"function":{"name":"f"}}]"#, #"[{"function":{"name":"f"}}]"#])
            #expect(verdict.successes == 2 && verdict.agreementCount == 2)
            #expect(verdict.referenceFailure == "tool_calls is not a list")
            let unordered = try judge(
                contents: ["null", "null"],
                toolCalls: [#"[{"function":{"name":null}},{"function":{"name":"a"}}]"#, #"[{"function":{"name":"a"}}]"#])
            #expect(unordered.referenceFailure != nil && unordered.successes == 1)
            let numbers = try judge(
                contents: ["null", "null"],
                toolCalls: [
                    #"[{"function":{"name":10}},{"function":{"name":9}}]"#,
                    #"[{"function":{"name":9}},{"function":{"name":10}}]"#,
                ])
            #expect(numbers.referenceFailure == nil && numbers.agreementCount == 2)
        }
    }
}
