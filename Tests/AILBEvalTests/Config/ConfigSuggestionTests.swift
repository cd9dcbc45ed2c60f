import Testing

@testable import AILBEval

@Suite struct ConfigSuggestionTests {
    let keys = ["name", "kind", "url", "urls", "model", "timeout", "max_concurrency", "api_key_env"]

    @Test func suggestsTheClosestKey() {
        #expect(suggestion(for: "timout", among: keys) == "timeout")
        #expect(suggestion(for: "modle", among: keys) == "model")
        #expect(suggestion(for: "max_concurency", among: keys) == "max_concurrency")
        #expect(suggestion(for: "URL", among: keys) == "url")
        #expect(suggestion(for: "apikey_env", among: keys) == "api_key_env")
    }

    @Test func suggestsNothingForUnrelatedWords() {
        #expect(suggestion(for: "colour", among: keys) == nil)
        #expect(suggestion(for: "x", among: keys) == nil)
        #expect(suggestion(for: "timeout", among: []) == nil)
    }

    @Test func prefersTheEarlierCandidateOnATie() {
        #expect(suggestion(for: "urx", among: ["url", "urls"]) == "url")
    }

    @Test func computesLevenshteinDistance() {
        #expect(levenshtein(Array("kitten"), Array("sitting")) == 3)
        #expect(levenshtein(Array(""), Array("abc")) == 3)
        #expect(levenshtein(Array("flaw"), Array("lawn")) == 2)
        #expect(levenshtein(Array("same"), Array("same")) == 0)
        #expect(levenshtein(Array("modle"), Array("model")) == 1)
        #expect(levenshtein(Array("ca"), Array("abc")) == 3)
    }
}
