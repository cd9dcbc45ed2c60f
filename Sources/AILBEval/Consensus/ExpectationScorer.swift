import Foundation

/// Scores one answer against a case's expected answer.
///
/// Uses the semantic rules, because correctness is about what was meant, not how it was spelled.
public enum ExpectationScorer {
    /// True when every field the expectation sets holds for `answer`.
    public static func isCorrect(_ answer: ExtractedAnswer, expect: Expectation) -> Bool {
        let rules = EquivalenceRules.semantic()
        if let expected = expect.toolCalls, !toolCallsMatch(answer.toolCalls, expected: expected, rules: rules) {
            return false
        }
        if let text = expect.text,
            TextNormalizer.normalize(ExactString(answer.text), rules: rules)
                != TextNormalizer.normalize(ExactString(text), rules: rules)
        {
            return false
        }
        let visibleText = TextNormalizer.removingThinking(answer.text, rules: rules)
        for needle in expect.contains where !containsCaseInsensitive(visibleText, needle) {
            return false
        }
        if let pattern = expect.regex {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
            let range = NSRange(visibleText.startIndex..., in: visibleText)
            if regex.firstMatch(in: visibleText, range: range) == nil { return false }
        }
        return true
    }

    /// Whether `text` contains `needle`, letters compared without case. ASCII against ASCII is compared byte by
    /// byte (folding A–Z is all there is to it); other text goes through Foundation's case-insensitive search.
    /// An empty needle is in every text (Foundation would find it nowhere).
    static func containsCaseInsensitive(_ text: String, _ needle: String) -> Bool {
        guard !needle.isEmpty else { return true }
        guard text.utf8.allSatisfy({ $0 < 0x80 }) && needle.utf8.allSatisfy({ $0 < 0x80 }) else {
            return text.range(of: needle, options: .caseInsensitive) != nil
        }
        let haystack = Array(text.utf8).map(asciiLowercased)
        let pattern = Array(needle.utf8).map(asciiLowercased)
        guard pattern.count <= haystack.count else { return false }
        return (0...(haystack.count - pattern.count)).contains { start in
            haystack[start] == pattern[0] && haystack[start..<(start + pattern.count)].elementsEqual(pattern)
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// Tool calls as a multiset: every expected call paired with a distinct actual call of the same name and,
    /// when the expectation gives them, the same arguments; no actual call left over.
    static func toolCallsMatch(_ actual: [JSONValue], expected: [ExpectedToolCall], rules: EquivalenceRules) -> Bool {
        guard actual.count == expected.count else { return false }
        // The semantic reading never fails; an unreadable call simply matches nothing.
        let calls = actual.map { (try? ToolCallNormalizer.normalizeCall(ExactJSON($0), rules: rules)) ?? .null }
        let wanted = expected.map { call -> (name: String, arguments: ExactJSON?) in
            let arguments = call.arguments.map { try? ToolCallNormalizer.normalizeArguments(ExactJSON($0), rules: rules) }
            return (call.name, arguments.map { $0 ?? .null })
        }
        // Calls with specific arguments first, so a wildcard never takes the only call a specific one fits.
        let order = wanted.indices.sorted {
            (wanted[$0].arguments == nil ? 1 : 0) < (wanted[$1].arguments == nil ? 1 : 0)
        }
        var taken = [Bool](repeating: false, count: calls.count)
        for w in order {
            let want = wanted[w]
            let match = calls.indices.first { c in
                guard !taken[c], calls[c]["name"] == .string(ExactString(want.name)) else { return false }
                guard let arguments = want.arguments else { return true }
                return calls[c]["arguments"]?.canonicalText == arguments.canonicalText
            }
            guard let found = match else { return false }
            taken[found] = true
        }
        return true
    }
}
