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

    /// The load balancer's exact rule.
    static let ailb = EquivalenceRules()

    /// Every semantic equivalence, with string folding as chosen.
    static func semantic(foldStrings: Bool = false) -> EquivalenceRules {
        EquivalenceRules(
            argumentEncoding: true, numbersByValue: true, callsAsMultiset: true, stripThinkTags: true,
            foldStrings: foldStrings)
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
        stripThinkTags: Bool = false, foldStrings: Bool = false
    ) {
        self.argumentEncoding = argumentEncoding
        self.numbersByValue = numbersByValue
        self.callsAsMultiset = callsAsMultiset
        self.stripThinkTags = stripThinkTags
        self.foldStrings = foldStrings
    }
}

extension JSONValue {
    /// This value with the value-level equivalences of `rules` applied at every depth:
    /// integral doubles become ints when `numbersByValue`, string values are trimmed and
    /// lowercased when `foldStrings` (object keys are left alone).
    func applying(_ rules: EquivalenceRules) -> JSONValue {
        guard rules.numbersByValue || rules.foldStrings else { return self }
        switch self {
        case .double(let d) where rules.numbersByValue:
            if d == 0 { return .int(0) }
            if d.isFinite, d.rounded() == d, abs(d) < 9.2e18 { return .int(Int(d)) }
            return self
        case .string(let s) where rules.foldStrings:
            return .string(s.trimmingPythonWhitespace().lowercased())
        case .array(let items):
            return .array(items.map { $0.applying(rules) })
        case .object(let members):
            return .object(members.mapValues { $0.applying(rules) })
        default:
            return self
        }
    }

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
