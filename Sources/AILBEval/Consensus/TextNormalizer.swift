import Foundation

/// Normalises an answer's text before comparison, as CONSENSUS.md's four steps describe.
///
/// `ailb` reproduces ai-lb byte for byte (`vectors/normalize.jsonl`) on code points, as Python holds text;
/// `semantic` also removes `<think>…</think>` blocks, writes JSON numbers by value (`1.0` as `1`) and
/// compares text in Unicode normal form C.
public enum TextNormalizer {
    /// The prefix ai-lb puts before text that looks like JSON but does not parse.
    public static let invalidJSONPrefix = "__INVALID_JSON__:"

    /// The normalised form of `text` under `profile`.
    public static func normalize(_ text: String, profile: EquivalenceProfile = .ailb) -> String {
        normalize(ExactString(text), rules: EquivalenceRules(profile: profile)).string
    }

    /// The normalised form of `text` (code points, as Python holds them) under `profile`.
    public static func normalize(_ text: ExactString, profile: EquivalenceProfile = .ailb) -> ExactString {
        normalize(text, rules: EquivalenceRules(profile: profile))
    }

    /// The normalised form of `text` with the given equivalences.
    static func normalize(_ text: ExactString, rules: EquivalenceRules) -> ExactString {
        // ASCII is its own normal form: only other text goes through Foundation's composition.
        let composes = rules.unicodeForms && text.codePoints.contains { $0 >= 0x80 }
        var codePoints = composes ? ExactString(text.string.precomposedUnicode).codePoints : text.codePoints
        // Without '<' there is no tag block and without '`' no fence: only whitespace changes.
        if codePoints.contains(0x3C) || codePoints.contains(0x60) {
            codePoints = removingBlocks(codePoints, tag: "thinking")
            if rules.stripThinkTags { codePoints = removingBlocks(codePoints, tag: "think") }
            if let inside = fencedInside(codePoints) { codePoints = Array(codePoints[inside]) }
        }
        let collapsed = PythonWhitespace.collapse(codePoints)
        guard let first = collapsed.first, first == 0x7B || first == 0x5B else { return ExactString(collapsed) }
        guard let value = try? ExactJSON(parsing: ExactString(collapsed)) else {
            return ExactString(Array(invalidJSONPrefix.unicodeScalars.map(\.value)) + collapsed)
        }
        return ExactString(value.applying(rules).canonicalText)
    }

    /// `text` without its reasoning blocks (`<thinking>`, and `<think>` when the rules say so), otherwise unchanged.
    static func removingThinking(_ text: String, rules: EquivalenceRules) -> String {
        // Every block starts with '<'.
        guard text.utf8.contains(UInt8(ascii: "<")) else { return text }
        var codePoints = removingBlocks(ExactString(text).codePoints, tag: "thinking")
        if rules.stripThinkTags { codePoints = removingBlocks(codePoints, tag: "think") }
        return ExactString(codePoints).string
    }

    /// Removes every `<tag>…</tag>` block, shortest match, tags case-insensitive as Python's `re.I` is.
    static func removingBlocks(_ text: [UInt32], tag: String) -> [UInt32] {
        let open = Array("<\(tag)>".unicodeScalars.map(\.value))
        let close = Array("</\(tag)>".unicodeScalars.map(\.value))
        var out: [UInt32] = []
        out.reserveCapacity(text.count)
        var i = 0
        var searching = true
        while i < text.count {
            if searching, matches(open, in: text, at: i) {
                var j = i + open.count
                while j + close.count <= text.count, !matches(close, in: text, at: j) { j += 1 }
                if j + close.count <= text.count {
                    i = j + close.count
                    continue
                }
                // No closing tag after this one, so none after any later opening tag either.
                searching = false
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    /// True when `pattern` (lowercase ASCII) occurs at `start`, comparing letters as Python's `re.IGNORECASE` does.
    static func matches(_ pattern: [UInt32], in text: [UInt32], at start: Int) -> Bool {
        guard start + pattern.count <= text.count else { return false }
        for k in 0..<pattern.count where !caselessEqual(pattern[k], text[start + k]) { return false }
        return true
    }

    /// Python's case-insensitive match of a lowercase ASCII pattern letter against a text code point,
    /// including its Unicode equivalents (`i` ~ `İ` `ı`, `k` ~ KELVIN SIGN, `s` ~ `ſ`).
    static func caselessEqual(_ p: UInt32, _ c: UInt32) -> Bool {
        if p == c { return true }
        switch p {
        case 0x69: if c == 0x130 || c == 0x131 { return true }
        case 0x6B: if c == 0x212A { return true }
        case 0x73: if c == 0x17F { return true }
        default: break
        }
        // Only ASCII lowercase pattern letters have an uppercase twin to accept.
        guard p >= 0x61 && p <= 0x7A else { return false }
        return c == p - 0x20
    }

    /// The range inside a whole-text fenced block (```` ```json …``` ```` with `json` in any letter case,
    /// or ```` ``` …``` ````), trimmed; nil when the trimmed text is not one.
    /// Mirrors `re.match(r"^```(?:json)?\s*(.*?)\s*```$", text.strip(), re.DOTALL | re.IGNORECASE)`.
    static func fencedInside(_ text: [UInt32]) -> Range<Int>? {
        let whole = PythonWhitespace.trimmedRange(text, in: text.indices)
        let (start, end) = (whole.lowerBound, whole.upperBound)
        let fence: [UInt32] = [0x60, 0x60, 0x60]
        guard end - start >= 6, text[start..<start + 3].elementsEqual(fence), text[end - 3..<end].elementsEqual(fence)
        else { return nil }
        var innerStart = start + 3
        let json: [UInt32] = [0x6A, 0x73, 0x6F, 0x6E]
        if end - 3 - innerStart >= 4, matches(json, in: text, at: innerStart) { innerStart += 4 }
        return PythonWhitespace.trimmedRange(text, in: innerStart..<end - 3)
    }
}

extension String {
    /// Unicode normal form C, the form the `semantic` profile compares text in.
    var precomposedUnicode: String { precomposedStringWithCanonicalMapping }
}
