/// Normalises tool calls to `{name, arguments}` so two responses' calls can be compared.
///
/// `ailb` follows ai-lb: string arguments re-serialised canonically, objects kept as objects (so an
/// object and the same JSON string differ), calls stably sorted by name. `semantic` decodes arguments to
/// values, compares numbers by value, and treats parallel calls as a multiset.
public enum ToolCallNormalizer {
    /// The normalised calls, each `{"name": …, "arguments": …}`, in the profile's canonical order.
    public static func normalize(_ calls: [JSONValue], profile: EquivalenceProfile, foldStrings: Bool = false)
        -> [JSONValue]
    {
        normalize(calls, rules: EquivalenceRules(profile: profile, foldStrings: foldStrings))
    }

    /// A canonical string for the calls: equal exactly when the call lists are equal under the profile.
    public static func key(_ calls: [JSONValue], profile: EquivalenceProfile, foldStrings: Bool = false) -> String {
        key(calls, rules: EquivalenceRules(profile: profile, foldStrings: foldStrings))
    }

    /// The normalised calls under the given equivalences.
    static func normalize(_ calls: [JSONValue], rules: EquivalenceRules) -> [JSONValue] {
        let normalized = calls.map { normalizeCall($0, rules: rules) }
        if rules.callsAsMultiset {
            return normalized.map { ($0.canonicalText, $0) }.sorted { codePointLess($0.0, $1.0) }.map(\.1)
        }
        // Swift's sort is not guaranteed stable, so break ties on the original position.
        return normalized.enumerated().sorted { lhs, rhs in
            let (l, r) = (callName(lhs.element), callName(rhs.element))
            if l != r { return codePointLess(l, r) }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// The canonical key under the given equivalences.
    static func key(_ calls: [JSONValue], rules: EquivalenceRules) -> String {
        JSONValue.array(normalize(calls, rules: rules)).canonicalText
    }

    /// One call as `{name, arguments}`; a call may be OpenAI's `{"function": {…}}` or the bare function object.
    static func normalizeCall(_ call: JSONValue, rules: EquivalenceRules) -> JSONValue {
        let function = call["function"]?.objectValue.map(JSONValue.object) ?? call
        let name: String
        switch function["name"] {
        case .string(let s)?: name = s
        case nil, .null?: name = ""
        case let other?: name = other.canonicalText
        }
        return .object(["name": .string(name), "arguments": normalizeArguments(function["arguments"], rules: rules)])
    }

    /// The arguments as the profile compares them.
    static func normalizeArguments(_ raw: JSONValue?, rules: EquivalenceRules) -> JSONValue {
        let raw = raw ?? .null
        if raw.isPythonFalsy {
            return rules.argumentEncoding ? .object([:]) : .string("{}")
        }
        if case .string(let text) = raw {
            guard let parsed = try? JSONValue(parsing: text) else { return raw }
            let value = parsed.applying(rules)
            return rules.argumentEncoding ? value : .string(value.canonicalText)
        }
        return raw.applying(rules)
    }

    static func callName(_ call: JSONValue) -> String { call["name"]?.stringValue ?? "" }
}
