import Foundation

/// The individual equivalences a profile applies, so each can be switched on alone.
///
/// `ailb` has none of them; `semantic` has all but `foldStrings`, which a suite opts into.
/// `ProfileDifference` toggles them one at a time to say which made two answers equal.
struct EquivalenceRules: Sendable, Hashable {
    /// Tool-call arguments given as an object equal the same arguments given as a JSON string.
    var argumentEncoding = false
    /// Numbers compare by value (1 ≡ 1.0) at every depth.
    var numbersByValue = false
    /// Parallel tool calls compare as a multiset rather than a name-sorted list.
    var callsAsMultiset = false
    /// `<think>…</think>` blocks are removed from text like `<thinking>…</thinking>`.
    var stripThinkTags = false
    /// String argument values are trimmed and case-folded before comparison.
    var foldStrings = false
    /// Text, string values and keys compare in Unicode normal form C (`é` ≡ `e` + U+0301).
    var unicodeForms = false
    /// A tool call given without OpenAI's `function` wrapper (`{"name", "arguments"}`) is read as one.
    var bareCalls = false

    /// The load balancer's exact rule.
    static let ailb = EquivalenceRules()

    /// Every semantic equivalence, with string folding as chosen.
    static func semantic(foldStrings: Bool = false) -> EquivalenceRules {
        EquivalenceRules(
            argumentEncoding: true, numbersByValue: true, callsAsMultiset: true, stripThinkTags: true,
            foldStrings: foldStrings, unicodeForms: true, bareCalls: true)
    }

    /// The rules of a named profile.
    init(profile: EquivalenceProfile, foldStrings: Bool = false) {
        switch profile {
        case .ailb: self = .ailb
        case .semantic: self = .semantic(foldStrings: foldStrings)
        }
    }

    init(
        argumentEncoding: Bool = false, numbersByValue: Bool = false, callsAsMultiset: Bool = false,
        stripThinkTags: Bool = false, foldStrings: Bool = false, unicodeForms: Bool = false, bareCalls: Bool = false
    ) {
        self.argumentEncoding = argumentEncoding
        self.numbersByValue = numbersByValue
        self.callsAsMultiset = callsAsMultiset
        self.stripThinkTags = stripThinkTags
        self.foldStrings = foldStrings
        self.unicodeForms = unicodeForms
        self.bareCalls = bareCalls
    }
}

extension ExactJSON {
    /// This value with the value-level equivalences of `rules` applied at every depth:
    /// integral floats become integers when `numbersByValue`, strings are trimmed and lowercased when
    /// `foldStrings` (keys are left alone), strings and keys take normal form C when `unicodeForms`.
    func applying(_ rules: EquivalenceRules) -> ExactJSON {
        guard rules.numbersByValue || rules.foldStrings || rules.unicodeForms else { return self }
        switch self {
        case .float(let d) where rules.numbersByValue && d.isFinite && d.rounded() == d:
            // The exact integer a finite integral double holds (`%.0f` prints every digit); -0.0 is 0.
            return d == 0 ? .integer("0") : .integer(String(format: "%.0f", d))
        case .string(let text) where rules.foldStrings || rules.unicodeForms:
            var folded = text.string
            if rules.unicodeForms { folded = folded.precomposedUnicode }
            if rules.foldStrings { folded = folded.trimmingPythonWhitespace().lowercased() }
            return .string(ExactString(folded))
        case .array(let items):
            return .array(items.map { $0.applying(rules) })
        case .object(let members):
            let pairs = members.map { member in
                (
                    rules.unicodeForms ? ExactString(member.key.string.precomposedUnicode) : member.key,
                    member.value.applying(rules)
                )
            }
            return ExactJSONTree.object(pairs)
        default:
            return self
        }
    }
}

extension JSONValue {
    /// Python truthiness of a JSON value: null, false, 0, "", [] and {} are false.
    var isPythonFalsy: Bool {
        switch self {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        }
    }
}
