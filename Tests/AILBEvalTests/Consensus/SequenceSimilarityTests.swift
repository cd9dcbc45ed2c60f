import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct SequenceSimilarityTests {
        @Test func reproducesEverySimilarityVector() throws {
            let vectors = try VectorFixtures.load("similarity")
            #expect(vectors.count == 400)
            var failures: [String] = []
            for vector in vectors {
                let a = try #require(vector["a"]?.stringValue)
                let b = try #require(vector["b"]?.stringValue)
                let expected = try #require(vector["ratio"]?.numberValue)
                let actual = SequenceSimilarity.ratio(a, b)
                if abs(actual - expected) > 1e-12 {
                    failures.append("\(vector["id"]?.stringValue ?? "?"): expected \(expected), got \(actual)")
                }
            }
            #expect(failures.isEmpty, Comment(rawValue: VectorFixtures.report(failures, of: vectors.count)))
        }

        @Test func knownRatios() {
            #expect(SequenceSimilarity.ratio("", "") == 1.0)
            #expect(SequenceSimilarity.ratio("abc", "") == 0.0)
            #expect(SequenceSimilarity.ratio("abcd", "bcde") == 0.75)
            #expect(SequenceSimilarity.ratio("The ball costs $0.05.", "The ball costs $0.05. Paris") == 0.875)
        }

        @Test func countsUnicodeScalarsNotCharacters() {
            // "e" + combining acute is one Character but two scalars: 2·1/(2+1).
            #expect(SequenceSimilarity.ratio("e\u{301}", "e") == 2.0 / 3.0)
        }

        @Test func appliesTheAutojunkHeuristicToLongSecondSequences() {
            // In b (200 scalars), "a" and "b" occur 100 times > 200/100 + 1, so neither can seed a match:
            // Python's difflib gives 0.0 here although "a" is shared; with 199 scalars there is no heuristic.
            let b = String(repeating: "ab", count: 100)
            #expect(SequenceSimilarity.ratio("za", b) == 0.0)
            #expect(SequenceSimilarity.ratio("za", String(b.dropLast())) == 2.0 / 201.0)
            // The empty match at (0, 0) is still extended over equal popular elements: 2·1/201.
            #expect(SequenceSimilarity.ratio("a", b) == 2.0 / 201.0)
        }

        @Test func extendsMatchesOverPopularElements() {
            // Seeds on "x"/"y" (not popular), then grows over the popular "a"s around it, as CPython does.
            let b = String(repeating: "a", count: 150) + "xy" + String(repeating: "a", count: 50)
            let a = "aaxyaa"
            #expect(SequenceSimilarity.ratio(a, b) == 2.0 * 6.0 / Double(6 + 202))
        }

        @Test func textSimilarityHandlesEmptinessThenNormalises() {
            #expect(SequenceSimilarity.textSimilarity("", "") == 1.0)
            #expect(SequenceSimilarity.textSimilarity("x", "") == 0.0)
            #expect(SequenceSimilarity.textSimilarity("  Hello   world ", "Hello world") == 1.0)
            #expect(SequenceSimilarity.textSimilarity("<think>a</think>Hi", "Hi", profile: .ailb) < 1.0)
            #expect(SequenceSimilarity.textSimilarity("<think>a</think>Hi", "Hi", profile: .semantic) == 1.0)
        }
    }
}
