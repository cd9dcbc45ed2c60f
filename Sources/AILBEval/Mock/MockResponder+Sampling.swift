import Foundation

/// Values sampled to fit a shape: tool arguments for a JSON schema, text for `expect.regex`.
extension MockResponder {
    /// A text that contains every `contains` string and matches `regex`, when one can be found.
    static func textSatisfying(contains: [String], regex: String?, prompt: String) -> String {
        let phrase = contains.joined(separator: " ")
        guard let regex else { return phrase.isEmpty ? "This is a simulated answer to: \(prompt.prefix(60))" : phrase }
        let sample = RegexSampler.sample(regex) ?? ""
        let candidates = phrase.isEmpty ? [sample] : [sample + " " + phrase, phrase + " " + sample, sample]
        for candidate in candidates where RegexSampler.matches(regex, candidate) { return candidate }
        return candidates[0]
    }

    /// Arguments that satisfy a JSON schema's `required` properties, with plausible values:
    /// the default, the first enum value, the minimum, or a type-appropriate placeholder.
    package static func synthesizeArguments(schema: JSONValue) -> JSONValue {
        let properties = schema["properties"]?.objectValue ?? [:]
        var result: [String: JSONValue] = [:]
        for case .string(let name) in schema["required"]?.arrayValue ?? [] {
            result[name] = sampleValue(schema: properties[name] ?? .null, name: name, depth: 0)
        }
        return .object(result)
    }

    static func sampleValue(schema: JSONValue, name: String, depth: Int) -> JSONValue {
        if let value = schema["default"] { return value }
        if let value = schema["const"] { return value }
        if let first = schema["enum"]?[0] { return first }
        var type = schema["type"]?.stringValue
        if type == nil, let types = schema["type"]?.arrayValue { type = types.compactMap(\.stringValue).first { $0 != "null" } }
        switch type {
        case "integer": return .int(schema["minimum"]?.intValue.map { max($0, 1) } ?? 1)
        case "number": return .double(schema["minimum"]?.numberValue.map { max($0, 1.5) } ?? 1.5)
        case "boolean": return .bool(true)
        case "array":
            guard depth < 4, let items = schema["items"] else { return [] }
            return [sampleValue(schema: items, name: name, depth: depth + 1)]
        case "object":
            return depth < 4 ? synthesizeArguments(schema: schema) : [:]
        case "null": return .null
        default: return .string("example \(name)")
        }
    }
}

/// Produces one string matching a simple regular expression (literals, escapes, classes, groups,
/// alternation, quantifiers), so a mock can satisfy `expect.regex`. Anything fancier is not attempted:
/// the result is verified and the caller falls back when it does not match.
enum RegexSampler {
    static func sample(_ pattern: String) -> String? {
        var chars = Array(pattern)
        if chars.starts(with: Array("(?i)")) { chars.removeFirst(4) }
        var index = 0
        let result = sequence(chars, &index, depth: 0)
        return matches(pattern, result) ? result : nil
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Samples alternatives up to `)` or the end, taking the first alternative.
    private static func sequence(_ p: [Character], _ i: inout Int, depth: Int) -> String {
        var pieces: [String] = []
        var firstAlternative: [String]?
        while i < p.count {
            let c = p[i]
            if c == ")" && depth > 0 { break }
            i += 1
            switch c {
            case "|":
                if firstAlternative == nil { firstAlternative = pieces }
                pieces = []
                continue
            case "^", "$": continue
            case "?", "*":
                if !pieces.isEmpty { pieces.removeLast() }
                if i < p.count, p[i] == "?" || p[i] == "+" { i += 1 }
                continue
            case "+":
                if i < p.count, p[i] == "?" || p[i] == "+" { i += 1 }
                continue
            case "{":
                var spec = ""
                while i < p.count, p[i] != "}" { spec.append(p[i]); i += 1 }
                i += 1
                let count = Int(spec.split(separator: ",", omittingEmptySubsequences: false).first ?? "") ?? 1
                if let last = pieces.popLast() { pieces.append(String(repeating: last, count: count)) }
                continue
            case "(":
                if i < p.count, p[i] == "?" {
                    i += 1
                    if i < p.count, p[i] == "<" || p[i] == "P" {
                        while i < p.count, p[i] != ">" { i += 1 }
                    }
                    i += 1
                }
                let inner = sequence(p, &i, depth: depth + 1)
                i += 1
                pieces.append(inner)
            case "[":
                var members: [Character] = []
                var negated = false
                if i < p.count, p[i] == "^" { negated = true; i += 1 }
                while i < p.count, p[i] != "]" || members.isEmpty {
                    if p[i] == "\\", i + 1 < p.count {
                        members.append(escapeSample(p[i + 1]).first ?? "a")
                        i += 2
                    } else {
                        members.append(p[i])
                        i += 1
                    }
                }
                i += 1
                if negated {
                    pieces.append(["a", "Z", "5", " ", "q"].first { !members.contains($0) }.map(String.init) ?? "~")
                } else {
                    pieces.append(String(members.first ?? "a"))
                }
            case "\\":
                guard i < p.count else { break }
                pieces.append(escapeSample(p[i]))
                i += 1
            case ".": pieces.append("a")
            default: pieces.append(String(c))
            }
        }
        return (firstAlternative ?? pieces).joined()
    }

    private static func escapeSample(_ c: Character) -> String {
        switch c {
        case "d": return "7"
        case "w": return "a"
        case "s": return " "
        case "D", "W", "S": return "-"
        case "b", "B", "A", "z", "Z": return ""
        case "n": return "\n"
        case "t": return "\t"
        default: return String(c)
        }
    }
}
