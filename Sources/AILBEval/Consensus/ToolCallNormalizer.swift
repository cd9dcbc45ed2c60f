/// Normalises tool calls to `{name, arguments}` so two responses' calls can be compared.
///
/// `ailb` follows ai-lb's `_normalize_tool_calls`: name and arguments read from the `function` object only,
/// string arguments re-serialised canonically, objects kept as objects (so an object and the same JSON
/// string differ), calls stably sorted by name as Python orders them. `semantic` also reads a call without
/// the `function` wrapper, decodes arguments to values, compares numbers by value, and treats parallel
/// calls as a multiset.
public enum ToolCallNormalizer {
    /// The normalised calls, each `{"name": …, "arguments": …}`, in the profile's canonical order.
    public static func normalize(
        _ calls: [JSONValue], profile: EquivalenceProfile, foldStrings: Bool = false
    )
        -> [JSONValue]
    {
        let rules = EquivalenceRules(profile: profile, foldStrings: foldStrings)
        let normalized = (try? normalize(.array(calls.map(ExactJSON.init)), rules: rules)) ?? []
        return normalized.map(\.jsonValue)
    }

    /// A canonical string for the calls: equal exactly when the call lists are equal under the profile.
    public static func key(_ calls: [JSONValue], profile: EquivalenceProfile, foldStrings: Bool = false) -> String {
        let rules = EquivalenceRules(profile: profile, foldStrings: foldStrings)
        return (try? key(.array(calls.map(ExactJSON.init)), rules: rules)) ?? ""
    }

    /// The canonical key of the calls under the given equivalences: Python's
    /// `json.dumps(normalized, sort_keys=True, separators=(",", ":"))`, ASCII only.
    static func key(_ calls: ExactJSON, rules: EquivalenceRules) throws(ReferenceFailure) -> String {
        ExactJSON.array(try normalize(calls, rules: rules)).canonicalText
    }

    /// The normalised calls under the given equivalences. Throws where ai-lb's Python raises (a call
    /// list that is not a list of objects, a `function` that is not an object, names it cannot order,
    /// arguments past Python's parsing limits); the `semantic` reading never throws.
    static func normalize(_ calls: ExactJSON, rules: EquivalenceRules) throws(ReferenceFailure) -> [ExactJSON] {
        let items: [ExactJSON]
        switch calls {
        case .array(let list): items = list
        case let other where rules.bareCalls: items = other.isPythonFalsy ? [] : [other]
        default: throw ReferenceFailure("tool_calls is not a list")
        }
        var normalized: [ExactJSON] = []
        normalized.reserveCapacity(items.count)
        for item in items { normalized.append(try normalizeCall(item, rules: rules)) }
        if rules.callsAsMultiset {
            return normalized.map { ($0.canonicalText, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return try stableSorted(normalized) { lhs, rhs throws(ReferenceFailure) in
            let (l, r) = (lhs["name"] ?? .null, rhs["name"] ?? .null)
            if rules.bareCalls { return sortName(l) < sortName(r) }
            return try PythonOrder.less(l, r)
        }
    }

    /// One call as `{name, arguments}`.
    static func normalizeCall(_ call: ExactJSON, rules: EquivalenceRules) throws(ReferenceFailure) -> ExactJSON {
        let function: ExactJSON
        if rules.bareCalls {
            // A careful reader takes OpenAI's `{"function": {…}}` or the bare function object alike.
            if case .object? = call["function"] { function = call["function"]! } else { function = call }
        } else {
            guard case .object = call else { throw ReferenceFailure("a tool call is not an object") }
            // `tc.get("function", {})`: a missing wrapper reads as an empty function, a null or other value fails.
            function = call["function"] ?? .object([])
            guard case .object = function else { throw ReferenceFailure("a tool call's function is not an object") }
        }
        var name = function["name"] ?? .string(ExactString([]))
        if rules.bareCalls, case .null = name { name = .string(ExactString([])) }
        let arguments = try normalizeArguments(function["arguments"], rules: rules)
        return .object([
            ExactJSON.Member(key: ExactString("arguments"), value: arguments),
            ExactJSON.Member(key: ExactString("name"), value: name),
        ])
    }

    /// The arguments as the profile compares them: falsy → `{}`; a string that parses → its canonical
    /// text (or, with `argumentEncoding`, its value); anything else kept as it is.
    static func normalizeArguments(_ raw: ExactJSON?, rules: EquivalenceRules) throws(ReferenceFailure) -> ExactJSON {
        let raw = raw ?? .string(ExactString([]))
        if raw.isPythonFalsy {
            return rules.argumentEncoding ? .object([]) : .string(ExactString("{}"))
        }
        guard case .string(let text) = raw else { return raw.applying(rules) }
        let parsed: ExactJSON
        do {
            parsed = try ExactJSON(parsing: text)
        } catch {
            // `json.loads` raising RecursionError or ValueError escapes ai-lb's `except JSONDecodeError`.
            if error.exceedsLimit && !rules.bareCalls {
                throw ReferenceFailure("tool arguments exceed Python's JSON limits (\(error.reason))")
            }
            return raw
        }
        let value = parsed.applying(rules)
        return rules.argumentEncoding ? value : .string(ExactString(value.canonicalText))
    }

    /// The text a lenient reader orders names by.
    static func sortName(_ name: ExactJSON) -> ExactString {
        if case .string(let text) = name { return text }
        return ExactString(name.canonicalText)
    }

    /// A stable insertion sort whose comparison may fail, as Python's `list.sort` fails on a `<` that raises.
    static func stableSorted(
        _ items: [ExactJSON], by less: (ExactJSON, ExactJSON) throws(ReferenceFailure) -> Bool
    ) throws(ReferenceFailure) -> [ExactJSON] {
        var sorted = items
        guard sorted.count > 1 else { return sorted }
        for i in 1..<sorted.count {
            var j = i
            while j > 0, try less(sorted[j], sorted[j - 1]) {
                sorted.swapAt(j, j - 1)
                j -= 1
            }
        }
        return sorted
    }
}

/// Where ai-lb's `compute_consensus` would raise instead of returning a verdict, and why.
public struct ReferenceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What in the responses makes the reference fail.
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Python's `<` and `==` on JSON values, as `list.sort` uses them on tool-call names.
enum PythonOrder {
    /// `a < b`; throws where Python raises `TypeError` (None, dicts, or values of unlike kinds).
    static func less(_ a: ExactJSON, _ b: ExactJSON) throws(ReferenceFailure) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x < y
        case (.array(let x), .array(let y)):
            for (p, q) in zip(x, y) where !equal(p, q) { return try less(p, q) }
            return x.count < y.count
        case (.integer(let x), .integer(let y)):
            return integerLess(x, y)
        default:
            if let x = number(a), let y = number(b) { return x < y }
            throw ReferenceFailure("tool-call names that Python cannot order")
        }
    }

    /// Exact order of two integers given as canonical decimal text.
    static func integerLess(_ x: String, _ y: String) -> Bool {
        let (xNegative, yNegative) = (x.hasPrefix("-"), y.hasPrefix("-"))
        if xNegative != yNegative { return xNegative }
        let (p, q) = (x.utf8.drop(while: { $0 == UInt8(ascii: "-") }), y.utf8.drop(while: { $0 == UInt8(ascii: "-") }))
        let magnitudeLess = p.count != q.count ? p.count < q.count : p.lexicographicallyPrecedes(q)
        let magnitudeEqual = p.count == q.count && p.elementsEqual(q)
        return xNegative ? !magnitudeLess && !magnitudeEqual : magnitudeLess
    }

    /// Python's `==` between two JSON values (numbers by value: `1 == 1.0 == True`).
    static func equal(_ a: ExactJSON, _ b: ExactJSON) -> Bool {
        if let x = number(a), let y = number(b) {
            if case .integer(let p) = a, case .integer(let q) = b { return p == q }
            return x == y
        }
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && equal($0.value, $1.value) }
        default: return false
        }
    }

    /// The numeric value of a bool, integer or float.
    static func number(_ value: ExactJSON) -> Double? {
        switch value {
        case .bool(let flag): return flag ? 1 : 0
        case .integer(let digits): return Double(digits)
        case .float(let number): return number
        default: return nil
        }
    }
}
