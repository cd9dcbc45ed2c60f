/// Normalises an answer's text before comparison, as CONSENSUS.md's four steps describe.
///
/// `ailb` reproduces ai-lb byte for byte (`vectors/normalize.jsonl`); `semantic` also removes
/// `<think>…</think>` blocks and writes JSON numbers by value (`1.0` as `1`).
public enum TextNormalizer {
    /// The prefix ai-lb puts before text that looks like JSON but does not parse.
    public static let invalidJSONPrefix = "__INVALID_JSON__:"

    /// The normalised form of `text` under `profile`.
    public static func normalize(_ text: String, profile: EquivalenceProfile = .ailb) -> String {
        normalize(text, rules: EquivalenceRules(profile: profile))
    }

    /// The normalised form of `text` with the given equivalences.
    static func normalize(_ text: String, rules: EquivalenceRules) -> String {
        let collapsed: String
        if text.utf8.contains(UInt8(ascii: "<")) || text.utf8.contains(UInt8(ascii: "`")) {
            var scalars = Array(text.unicodeScalars)
            scalars = removingBlocks(scalars, tag: "thinking")
            if rules.stripThinkTags { scalars = removingBlocks(scalars, tag: "think") }
            if let inside = fencedInside(scalars) { scalars = inside }
            collapsed = PythonWhitespace.collapse(scalars, capacity: text.utf8.count)
        } else {
            // Without '<' there is no tag block and without '`' no fence: only whitespace changes.
            collapsed = text.collapsingPythonWhitespace()
        }
        guard collapsed.hasPrefix("{") || collapsed.hasPrefix("[") else { return collapsed }
        guard let value = try? JSONValue(parsing: collapsed) else { return invalidJSONPrefix + collapsed }
        return value.applying(EquivalenceRules(numbersByValue: rules.numbersByValue)).canonicalText
    }

    /// `text` without its reasoning blocks (`<thinking>`, and `<think>` when the rules say so), otherwise unchanged.
    static func removingThinking(_ text: String, rules: EquivalenceRules) -> String {
        var scalars = removingBlocks(Array(text.unicodeScalars), tag: "thinking")
        if rules.stripThinkTags { scalars = removingBlocks(scalars, tag: "think") }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Removes every `<tag>…</tag>` block, shortest match, tags case-insensitive as Python's `re.I` is.
    static func removingBlocks(_ scalars: [Unicode.Scalar], tag: String) -> [Unicode.Scalar] {
        let open = Array("<\(tag)>".unicodeScalars)
        let close = Array("</\(tag)>".unicodeScalars)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        var i = 0
        var searching = true
        while i < scalars.count {
            if searching, matches(open, in: scalars, at: i) {
                var j = i + open.count
                while j + close.count <= scalars.count, !matches(close, in: scalars, at: j) { j += 1 }
                if j + close.count <= scalars.count {
                    i = j + close.count
                    continue
                }
                // No closing tag after this one, so none after any later opening tag either.
                searching = false
            }
            out.append(scalars[i])
            i += 1
        }
        return out
    }

    /// True when `pattern` (ASCII) occurs at `start`, comparing letters as Python's `re.IGNORECASE` does.
    static func matches(_ pattern: [Unicode.Scalar], in scalars: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + pattern.count <= scalars.count else { return false }
        for k in 0..<pattern.count where !caselessEqual(pattern[k], scalars[start + k]) { return false }
        return true
    }

    /// Python's case-insensitive match of a lowercase ASCII pattern scalar against a text scalar,
    /// including its Unicode equivalents (`i` ~ `İ` `ı`, `k` ~ KELVIN SIGN, `s` ~ `ſ`).
    static func caselessEqual(_ p: Unicode.Scalar, _ c: Unicode.Scalar) -> Bool {
        if p == c { return true }
        let v = c.value
        switch p {
        case "i": if v == 0x130 || v == 0x131 { return true }
        case "k": if v == 0x212A { return true }
        case "s": if v == 0x17F { return true }
        default: break
        }
        // Only ASCII lowercase pattern letters have an uppercase twin to accept (checked without a
        // Unicode property lookup: this runs for every scalar of every answer).
        guard p.value >= 0x61 && p.value <= 0x7A else { return false }
        return v == p.value - 0x20
    }

    /// The inside of a whole-text fenced block (```` ```json …``` ```` or ```` ``` …``` ````), trimmed;
    /// nil when the trimmed text is not one. Mirrors `^```(?:json)?\s*(.*?)\s*```$` with DOTALL.
    static func fencedInside(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        var start = 0
        var end = scalars.count
        while start < end, PythonWhitespace.contains(scalars[start]) { start += 1 }
        while end > start, PythonWhitespace.contains(scalars[end - 1]) { end -= 1 }
        let fence: [Unicode.Scalar] = ["`", "`", "`"]
        let json: [Unicode.Scalar] = ["j", "s", "o", "n"]
        guard end - start >= 6, Array(scalars[start..<start + 3]) == fence, Array(scalars[end - 3..<end]) == fence
        else { return nil }
        var innerStart = start + 3
        if end - 3 - innerStart >= 4, Array(scalars[innerStart..<innerStart + 4]) == json { innerStart += 4 }
        var innerEnd = end - 3
        while innerStart < innerEnd, PythonWhitespace.contains(scalars[innerStart]) { innerStart += 1 }
        while innerEnd > innerStart, PythonWhitespace.contains(scalars[innerEnd - 1]) { innerEnd -= 1 }
        return Array(scalars[innerStart..<innerEnd])
    }
}
