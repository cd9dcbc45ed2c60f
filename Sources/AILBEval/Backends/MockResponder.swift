import Foundation

/// What the simulated server answers to one request: pure data, computed without sockets.
public struct MockReply: Sendable, Hashable {
    /// Which branch of the simulation produced the answer.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Exactly the case's expected answer.
        case expected
        /// A substantive deviation (another tool, a changed argument, another text).
        case drift
        /// A formatting-only deviation (number spelling, argument encoding, call order, `<think>`, whitespace).
        case noise
        /// The prompt matched no suite case; a plausible generic answer.
        case unknownPrompt
        /// A simulated server error (`errorRate`).
        case failure
    }

    /// Which branch produced the answer.
    public var kind: Kind
    /// Which deviation, for drift and noise (`other_tool`, `int_as_float`, …); empty otherwise.
    public var variant: String
    /// The HTTP status to send.
    public var status: Int
    /// The `chat.completion` body, or an OpenAI-style error body for failures.
    public var body: JSONValue
    /// How long to wait before answering, in milliseconds.
    public var delayMs: Double
}

/// The deterministic brain of the mock backend: given a backend's `MockBehavior` and a chat request,
/// decides the answer. Suites are indexed by prompt text so the answer can follow the case's `expect`.
///
/// Every random choice comes from FNV-1a 64 over (seed, backend name, prompt, request `seed`, purpose),
/// never from Swift's `Hasher`, which is randomised per process: identical requests get identical answers
/// in every run, and different backends deviate independently.
public struct MockResponder: Sendable {
    private let casesByPrompt: [String: SuiteCase]

    /// A responder that knows the cases of `suites` (the first case wins when two share a prompt).
    public init(suites: [Suite]) {
        var index: [String: SuiteCase] = [:]
        for suite in suites {
            for c in suite.cases where index[c.promptText] == nil { index[c.promptText] = c }
        }
        casesByPrompt = index
    }

    /// The answer to `request` (an OpenAI chat request body) from the mock backend `backend`.
    public func reply(to request: JSONValue, backend: String, behavior: MockBehavior) -> MockReply {
        let prompt = Self.lastUserText(of: request)
        let requestSeed = request["seed"].map { $0.compactText } ?? ""
        let key = "\(behavior.seed)\u{1F}\(backend)\u{1F}\(prompt)\u{1F}\(requestSeed)"
        func uniform(_ purpose: String) -> Double { Self.uniform(Self.fnv1a64(key + "\u{1F}" + purpose)) }

        let delay = max(0, behavior.latencyMs) + max(0, behavior.jitterMs) * uniform("jitter")
        let model = request["model"]?.stringValue ?? backend
        let idHash = Self.fnv1a64(key + "\u{1F}id")

        if uniform("error") < behavior.errorRate {
            let status = (400...599).contains(behavior.errorStatus) ? behavior.errorStatus : 500
            return MockReply(
                kind: .failure, variant: "", status: status,
                body: Self.errorBody(message: "simulated failure of mock backend \(backend)", status: status),
                delayMs: delay)
        }

        let tools = Self.offeredTools(request)
        let known = casesByPrompt[prompt]
        var answer = known.map { expectedAnswer(for: $0, tools: tools) } ?? genericAnswer(prompt: prompt, tools: tools)
        var kind: MockReply.Kind = known == nil ? .unknownPrompt : .expected
        var variant = ""
        let roll = uniform("answer")
        let pick = Self.fnv1a64(key + "\u{1F}variant")
        if roll < behavior.drift {
            (answer, variant) = answer.drifted(tools: tools, pick: pick)
            kind = .drift
        } else if roll < behavior.drift + behavior.noise {
            (answer, variant) = answer.noised(pick: pick)
            kind = .noise
        }
        let body = answer.completionBody(
            id: "chatcmpl-mock" + String(idHash, radix: 16), created: 1_735_689_600 + Int(idHash % 31_536_000),
            model: model, backend: backend, promptChars: Self.promptCharacters(request), idHash: idHash)
        return MockReply(kind: kind, variant: variant, status: 200, body: body, delayMs: delay)
    }

    // MARK: - Expected answers

    private func expectedAnswer(for c: SuiteCase, tools: [JSONValue]) -> Answer {
        let toolsForSchemas = tools.isEmpty ? (c.tools ?? []) : tools
        guard let expect = c.expect else { return genericAnswer(prompt: c.promptText, tools: tools) }
        if let calls = expect.toolCalls, !calls.isEmpty {
            return .toolCalls(
                calls.map { call in
                    let schema = Self.schema(of: call.name, in: toolsForSchemas)
                    return (call.name, call.arguments ?? Self.synthesizeArguments(schema: schema))
                }, prefix: "")
        }
        if let text = expect.text { return .text(text) }
        return .text(Self.textSatisfying(contains: expect.contains, regex: expect.regex, prompt: c.promptText))
    }

    private func genericAnswer(prompt: String, tools: [JSONValue]) -> Answer {
        if let first = tools.first, let name = first["function"]?["name"]?.stringValue {
            return .toolCalls([(name, Self.synthesizeArguments(schema: first["function"]?["parameters"] ?? .null))], prefix: "")
        }
        return .text("This is a simulated answer to: \(prompt.prefix(60))")
    }

    /// A text that contains every `contains` string and matches `regex`, when one can be found.
    static func textSatisfying(contains: [String], regex: String?, prompt: String) -> String {
        let phrase = contains.joined(separator: " ")
        guard let regex else { return phrase.isEmpty ? "This is a simulated answer to: \(prompt.prefix(60))" : phrase }
        let sample = RegexSampler.sample(regex) ?? ""
        let candidates = phrase.isEmpty ? [sample] : [sample + " " + phrase, phrase + " " + sample, sample]
        for candidate in candidates where RegexSampler.matches(regex, candidate) { return candidate }
        return candidates[0]
    }

    // MARK: - Helpers shared with the server

    /// FNV-1a, 64 bit, over the UTF-8 bytes of `text`: stable across processes and platforms.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A number in `0..<1` from a hash (its top 53 bits, the precision of a Double).
    public static func uniform(_ hash: UInt64) -> Double {
        Double(hash >> 11) / Double(UInt64(1) << 53)
    }

    /// The text of the last user message of a chat request (text parts of multi-part content joined).
    public static func lastUserText(of request: JSONValue) -> String {
        for message in (request["messages"]?.arrayValue ?? []).reversed() where message["role"]?.stringValue == "user" {
            switch message["content"] {
            case .string(let text)?: return text
            case .array(let parts)?: return parts.compactMap { $0["text"]?.stringValue }.joined()
            default: return ""
            }
        }
        return ""
    }

    static func offeredTools(_ request: JSONValue) -> [JSONValue] {
        if request["tool_choice"]?.stringValue == "none" { return [] }
        return (request["tools"]?.arrayValue ?? []).filter { $0["function"]?["name"]?.stringValue != nil }
    }

    static func schema(of name: String, in tools: [JSONValue]) -> JSONValue {
        tools.first { $0["function"]?["name"]?.stringValue == name }?["function"]?["parameters"] ?? .null
    }

    static func promptCharacters(_ request: JSONValue) -> Int {
        (request["messages"]?.arrayValue ?? []).reduce(0) { $0 + ($1["content"]?.compactText.count ?? 0) }
    }

    /// An OpenAI-style error body.
    public static func errorBody(message: String, status: Int) -> JSONValue {
        let type = status == 429 ? "rate_limit_exceeded" : (status >= 500 ? "server_error" : "invalid_request_error")
        return ["error": ["message": .string(message), "type": .string(type), "param": .null, "code": .int(status)]]
    }

    /// Arguments that satisfy a JSON schema's `required` properties, with plausible values:
    /// the default, the first enum value, the minimum, or a type-appropriate placeholder.
    public static func synthesizeArguments(schema: JSONValue) -> JSONValue {
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

/// The answer before it is dressed as a chat completion.
private enum Answer {
    case text(String)
    /// Tool calls (name, arguments) with optional content before them (a `<think>` block).
    case toolCalls([(String, JSONValue)], prefix: String)
    /// Tool calls whose arguments are encoded with a given writer or sent as objects.
    case encodedToolCalls([(String, JSONValue)], prefix: String, encoding: ArgumentEncoding)

    enum ArgumentEncoding { case compact, spaced, object }

    func drifted(tools: [JSONValue], pick: UInt64) -> (Answer, String) {
        switch self {
        case .text(let text):
            let alternatives = [
                "I'm not sure about that.", "I cannot answer that reliably.", "Let me answer something else instead.",
            ]
            let alt = alternatives[Int(pick % UInt64(alternatives.count))]
            if let name = tools.first?["function"]?["name"]?.stringValue, pick % 4 == 3 {
                let schema = tools.first?["function"]?["parameters"] ?? .null
                return (.toolCalls([(name, MockResponder.synthesizeArguments(schema: schema))], prefix: ""), "tool_instead_of_text")
            }
            return (.text(alt == text ? alt + " Really." : alt), "other_text")
        case .toolCalls(let calls, _), .encodedToolCalls(let calls, _, _):
            var options: [String] = ["text_instead_of_call"]
            let used = Set(calls.map(\.0))
            let otherTools = tools.compactMap { $0["function"]?["name"]?.stringValue }.filter { !used.contains($0) }
            if !otherTools.isEmpty { options.append("other_tool") }
            if calls.contains(where: { !($0.1.objectValue ?? [:]).isEmpty }) { options.append("changed_argument") }
            // Prefer the substantive variants that look like real quantisation drift.
            let ordered = options.filter { $0 != "text_instead_of_call" } + ["text_instead_of_call"]
            let choice = ordered.count > 1 && pick % 5 != 0 ? ordered[Int(pick / 5 % UInt64(ordered.count - 1))] : ordered.last!
            switch choice {
            case "other_tool":
                let name = otherTools[Int(pick % UInt64(otherTools.count))]
                let schema = MockResponder.schema(of: name, in: tools)
                var changed = calls
                changed[0] = (name, MockResponder.synthesizeArguments(schema: schema))
                return (.toolCalls(changed, prefix: ""), choice)
            case "changed_argument":
                var changed = calls
                let target = changed.firstIndex { !($0.1.objectValue ?? [:]).isEmpty }!
                var args = changed[target].1.objectValue!
                let keys = args.keys.sorted(by: codePointLess)
                let key = keys[Int(pick % UInt64(keys.count))]
                args[key] = Self.changed(args[key]!)
                changed[target].1 = .object(args)
                return (.toolCalls(changed, prefix: ""), choice)
            default:
                return (.text("I don't have a tool for that."), choice)
            }
        }
    }

    static func changed(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s.isEmpty ? "other" : "other " + s)
        case .int(let i): return .int(i + 1)
        case .double(let d): return .double(d * 2 + 1)
        case .bool(let b): return .bool(!b)
        case .null: return "other"
        case .array(let items): return .array(items.isEmpty ? [.string("other")] : Array(items.dropLast()))
        case .object(var members):
            members["other"] = true
            return .object(members)
        }
    }

    func noised(pick: UInt64) -> (Answer, String) {
        switch self {
        case .text(let text):
            if pick % 2 == 0 {
                return (.text("<think>\nThe user wants a short answer.\n</think>\n\n" + text), "think_prefix")
            }
            return (.text("  " + text.replacingOccurrences(of: " ", with: "  ") + "\n"), "extra_whitespace")
        case .toolCalls(let calls, _), .encodedToolCalls(let calls, _, _):
            var options = ["arguments_as_object", "spaced_arguments", "think_prefix"]
            if calls.contains(where: { Self.containsInt($0.1) }) { options.append("int_as_float") }
            if calls.count > 1 { options.append("reordered_calls") }
            let choice = options[Int(pick % UInt64(options.count))]
            switch choice {
            case "arguments_as_object": return (.encodedToolCalls(calls, prefix: "", encoding: .object), choice)
            case "spaced_arguments": return (.encodedToolCalls(calls, prefix: "", encoding: .spaced), choice)
            case "think_prefix":
                return (.toolCalls(calls, prefix: "<think>\nI should call a tool.\n</think>"), choice)
            case "int_as_float":
                return (.toolCalls(calls.map { ($0.0, Self.intsAsFloats($0.1)) }, prefix: ""), choice)
            default:
                return (.toolCalls(calls.reversed(), prefix: ""), choice)
            }
        }
    }

    static func containsInt(_ value: JSONValue) -> Bool {
        switch value {
        case .int: return true
        case .array(let items): return items.contains(where: containsInt)
        case .object(let members): return members.values.contains(where: containsInt)
        default: return false
        }
    }

    static func intsAsFloats(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let i): return .double(Double(i))
        case .array(let items): return .array(items.map(intsAsFloats))
        case .object(let members): return .object(members.mapValues(intsAsFloats))
        default: return value
        }
    }

    func completionBody(id: String, created: Int, model: String, backend: String, promptChars: Int, idHash: UInt64)
        -> JSONValue
    {
        var message: [String: JSONValue] = ["role": "assistant"]
        let finish: String
        var completionChars = 0
        switch self {
        case .text(let text):
            message["content"] = .string(text)
            completionChars = text.count
            finish = "stop"
        case .toolCalls(let calls, let prefix):
            (message, completionChars) = Self.toolMessage(calls, prefix: prefix, encoding: .compact, idHash: idHash)
            finish = "tool_calls"
        case .encodedToolCalls(let calls, let prefix, let encoding):
            (message, completionChars) = Self.toolMessage(calls, prefix: prefix, encoding: encoding, idHash: idHash)
            finish = "tool_calls"
        }
        let promptTokens = max(1, promptChars / 4)
        let completionTokens = max(1, completionChars / 4)
        return [
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
            "system_fingerprint": .string("mock-" + backend),
            "choices": [["index": 0, "message": .object(message), "logprobs": .null, "finish_reason": .string(finish)]],
            "usage": [
                "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens),
                "total_tokens": .int(promptTokens + completionTokens),
            ],
        ]
    }

    static func toolMessage(_ calls: [(String, JSONValue)], prefix: String, encoding: ArgumentEncoding, idHash: UInt64)
        -> ([String: JSONValue], Int)
    {
        let spaced = JSONWriter(sortKeys: false, asciiOnly: false, spaced: true)
        let compact = JSONWriter(sortKeys: true, asciiOnly: false, spaced: false)
        var chars = prefix.count
        let encoded: [JSONValue] = calls.enumerated().map { n, call in
            let arguments: JSONValue
            switch encoding {
            case .compact: arguments = .string(compact.string(call.1))
            case .spaced: arguments = .string(spaced.string(call.1))
            case .object: arguments = call.1
            }
            chars += call.0.count + compact.string(call.1).count
            let callID = "call_" + String(MockResponder.fnv1a64("\(idHash)/\(n)") % 0xFFFF_FFFF_FFFF, radix: 16)
            return ["id": .string(callID), "type": "function", "function": ["name": .string(call.0), "arguments": arguments]]
        }
        return (["role": "assistant", "content": prefix.isEmpty ? .null : .string(prefix), "tool_calls": .array(encoded)], chars)
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
