import Foundation

/// What the simulated server answers to one request: pure data, computed without sockets.
package struct MockReply: Sendable, Hashable {
    /// Which branch of the simulation produced the answer.
    package enum Kind: String, Sendable, Hashable, CaseIterable {
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
    package var kind: Kind
    /// Which deviation, for drift and noise (`other_tool`, `int_as_float`, …); empty otherwise.
    package var variant: String
    /// The HTTP status to send.
    package var status: Int
    /// The `chat.completion` body, or an OpenAI-style error body for failures.
    package var body: JSONValue
    /// How long to wait before answering, in milliseconds.
    package var delayMs: Double
}

/// The deterministic brain of the mock backend: given a backend's `MockBehavior` and a chat request,
/// decides the answer. Suites are indexed by prompt text so the answer can follow the case's `expect`.
///
/// Every random choice comes from FNV-1a 64 over (seed, backend name, prompt, request `seed`, purpose),
/// never from Swift's `Hasher`, which is randomised per process: identical requests get identical answers
/// in every run, and different backends deviate independently.
package struct MockResponder: Sendable {
    private let casesByPrompt: [String: SuiteCase]

    /// A responder that knows the cases of `suites` (the first case wins when two share a prompt).
    package init(suites: [Suite]) {
        var index: [String: SuiteCase] = [:]
        for suite in suites {
            for c in suite.cases where index[c.promptText] == nil { index[c.promptText] = c }
        }
        casesByPrompt = index
    }

    /// The answer to `request` (an OpenAI chat request body) from the mock backend `backend`.
    package func reply(to request: JSONValue, backend: String, behavior: MockBehavior) -> MockReply {
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

    private func expectedAnswer(for c: SuiteCase, tools: [JSONValue]) -> MockAnswer {
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

    private func genericAnswer(prompt: String, tools: [JSONValue]) -> MockAnswer {
        if let first = tools.first, let name = first["function"]?["name"]?.stringValue {
            return .toolCalls([(name, Self.synthesizeArguments(schema: first["function"]?["parameters"] ?? .null))], prefix: "")
        }
        return .text("This is a simulated answer to: \(prompt.prefix(60))")
    }

    // MARK: - Helpers shared with the server

    /// FNV-1a, 64 bit, over the UTF-8 bytes of `text`: stable across processes and platforms.
    package static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A number in `0..<1` from a hash (its top 53 bits, the precision of a Double).
    package static func uniform(_ hash: UInt64) -> Double {
        Double(hash >> 11) / Double(UInt64(1) << 53)
    }

    /// The text of the last user message of a chat request (text parts of multi-part content joined).
    package static func lastUserText(of request: JSONValue) -> String {
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
    package static func errorBody(message: String, status: Int) -> JSONValue {
        let type = status == 429 ? "rate_limit_exceeded" : (status >= 500 ? "server_error" : "invalid_request_error")
        return ["error": ["message": .string(message), "type": .string(type), "param": .null, "code": .int(status)]]
    }
}
