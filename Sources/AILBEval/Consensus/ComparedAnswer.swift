/// What the judge compares of one successful response: its normalised text and tool calls.
///
/// Under the `ailb` rules the body is read as ai-lb's Python reads it (`choices[0].message`, `content`,
/// `tool_calls` or a legacy `function_call`), field by field with Python's truthiness, and a shape on
/// which that code raises is a `ReferenceFailure`. The `semantic` reading is lenient: `ExtractedAnswer`'s.
struct ComparedAnswer {
    /// The normalised text.
    let text: ExactString
    /// The canonical key of the normalised tool calls; empty when there are none.
    let callsKey: String
    /// Whether the response carries tool calls (ai-lb's `if tc:`).
    let hasToolCalls: Bool
    /// Set when `content` is a truthy non-string: ai-lb's text rule raises on it, its tool-call rule does not.
    let unreadableText: ReferenceFailure?

    /// Reads and normalises `body` (a non-empty object) under `rules`; `json` is the same body as a
    /// `JSONValue`, when the caller has it.
    init(body: ExactJSON, json: JSONValue? = nil, rules: EquivalenceRules) throws(ReferenceFailure) {
        let content: ExactJSON
        let calls: ExactJSON?
        if rules.bareCalls {
            let answer = ExtractedAnswer(body: json ?? body.jsonValue)
            content = .string(ExactString(answer.text))
            calls = answer.toolCalls.isEmpty ? nil : .array(answer.toolCalls.map(ExactJSON.init))
        } else {
            (content, calls) = try Self.pythonFields(of: body)
        }
        switch content {
        case .string(let raw):
            text = raw.isEmpty ? raw : TextNormalizer.normalize(raw, rules: rules)
            unreadableText = nil
        default:
            text = ExactString([])
            unreadableText = ReferenceFailure("message content is not a string")
        }
        if let calls {
            callsKey = try ToolCallNormalizer.key(calls, rules: rules)
            hasToolCalls = true
        } else {
            callsKey = ""
            hasToolCalls = false
        }
    }

    /// `_extract_text_content` and `_extract_tool_calls`: the content (falsy → "") and the truthy call
    /// list (`tool_calls`, else `[{"function": function_call}]`), failing where `.get` or `[0]` would.
    static func pythonFields(of body: ExactJSON) throws(ReferenceFailure) -> (ExactJSON, ExactJSON?) {
        let empty = ExactJSON.string(ExactString([]))
        let choices = body["choices"] ?? .array([])
        if choices.isPythonFalsy { return (empty, nil) }
        guard case .array(let list) = choices else { throw ReferenceFailure("choices is not a list") }
        guard case .object = list[0] else { throw ReferenceFailure("choices[0] is not an object") }
        let message = list[0]["message"] ?? .object([])
        guard case .object = message else { throw ReferenceFailure("choices[0].message is not an object") }
        let content = message["content"] ?? empty
        let text = content.isPythonFalsy ? empty : content
        if let toolCalls = message["tool_calls"], !toolCalls.isPythonFalsy { return (text, toolCalls) }
        if let legacy = message["function_call"], !legacy.isPythonFalsy {
            return (text, .array([.object([ExactJSON.Member(key: ExactString("function"), value: legacy)])]))
        }
        return (text, nil)
    }
}
