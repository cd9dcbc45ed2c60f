import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct TextNormalizerTests {
        @Test func reproducesEveryNormalizeVector() throws {
            let vectors = try VectorFixtures.load("normalize")
            #expect(vectors.count == 200)
            var failures: [String] = []
            for vector in vectors {
                let raw = try #require(vector["raw"]?.stringValue)
                let expected = try #require(vector["normalized"]?.stringValue)
                let actual = TextNormalizer.normalize(raw, profile: .ailb)
                if actual != expected {
                    failures.append(
                        "\(vector["id"]?.stringValue ?? "?"): expected \(expected.debugDescription), got \(actual.debugDescription)"
                    )
                }
            }
            #expect(failures.isEmpty, Comment(rawValue: VectorFixtures.report(failures, of: vectors.count)))
        }

        @Test func removesThinkingBlocksCaseInsensitivelyAcrossLinesShortestMatch() {
            let text = "<THINKING>plan\nmore</Thinking>Answer <thinking>a</thinking>kept<thinking>b</thinking>"
            #expect(TextNormalizer.normalize(text) == "Answer kept")
        }

        @Test func matchesTagLettersAsPythonIgnoreCaseDoes() {
            #expect(TextNormalizer.normalize("<thın\u{212A}ing>x</thinking>y") == "y")
        }

        @Test func leavesAnUnclosedThinkingTagAlone() {
            #expect(TextNormalizer.normalize("<thinking>never closed") == "<thinking>never closed")
        }

        @Test func unwrapsOnlyAWholeTextFence() {
            #expect(TextNormalizer.normalize("  ```json\n{\"b\": 1, \"a\": 2.0}\n```  ") == #"{"a":2.0,"b":1}"#)
            #expect(TextNormalizer.normalize("```\nplain words\n```") == "plain words")
            #expect(TextNormalizer.normalize("see ```x``` here") == "see ```x``` here")
        }

        @Test func collapsesPythonWhitespaceButNotZeroWidthSpace() {
            #expect(TextNormalizer.normalize("a\u{00A0}\u{2003}b\u{3000}c\u{1C}d\u{85}e") == "a b c d e")
            #expect(TextNormalizer.normalize("a\u{200B}b") == "a\u{200B}b")
        }

        @Test func reserialisesJSONCanonicallyOrMarksItInvalid() {
            #expect(TextNormalizer.normalize(#"{"é": 1, "a": [1.0, 1e16]}"#) == #"{"a":[1.0,1e+16],"\u00e9":1}"#)
            #expect(TextNormalizer.normalize("{not json") == "__INVALID_JSON__:{not json")
            #expect(TextNormalizer.normalize("[1, 2,]") == "__INVALID_JSON__:[1, 2,]")
        }

        @Test func semanticAlsoRemovesThinkBlocksAndWritesNumbersByValue() {
            let text = "<think>hmm</think>The answer is 4."
            #expect(TextNormalizer.normalize(text, profile: .ailb) == text)
            #expect(TextNormalizer.normalize(text, profile: .semantic) == "The answer is 4.")
            #expect(TextNormalizer.normalize(#"{"qty": 2.0}"#, profile: .semantic) == #"{"qty":2}"#)
            #expect(TextNormalizer.normalize(#"{"qty": 2.0}"#, profile: .ailb) == #"{"qty":2.0}"#)
        }
    }
}
