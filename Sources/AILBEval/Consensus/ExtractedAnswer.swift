/// What the judge reads from a chat-completion body: `choices[0].message`'s text, tool calls,
/// finish reason and reasoning.
///
/// Tolerant of any shape, because backends and logs return surprising ones: a missing or odd field
/// reads as empty rather than failing.
public struct ExtractedAnswer: Sendable, Hashable {
    /// `content` (null → empty; a list of parts → their text joined).
    public var text: String
    /// The raw calls from `tool_calls`, or else a legacy `function_call` as a one-element list
    /// (wrapped as `{"type": "function", "function": …}`).
    public var toolCalls: [JSONValue]
    /// `choices[0].finish_reason`, when it is a string.
    public var finishReason: String?
    /// `reasoning_content`, when it is a string.
    public var reasoning: String?

    /// Reads the answer from a chat-completion body (nil or malformed → an empty answer).
    public init(body: JSONValue?) {
        let choice = body?["choices"]?[0]
        let message = choice?["message"]
        text = Self.text(of: message?["content"])
        if let calls = message?["tool_calls"]?.arrayValue, !calls.isEmpty {
            toolCalls = calls
        } else if let legacy = message?["function_call"], !legacy.isPythonFalsy {
            toolCalls = [.object(["type": "function", "function": legacy])]
        } else {
            toolCalls = []
        }
        finishReason = choice?["finish_reason"]?.stringValue
        reasoning = message?["reasoning_content"]?.stringValue
    }

    /// An answer built from its parts.
    public init(text: String, toolCalls: [JSONValue] = [], finishReason: String? = nil, reasoning: String? = nil) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.reasoning = reasoning
    }

    /// The text of a `content` field: a string, or the text parts of a list joined together.
    static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let s)?:
            return s
        case .array(let parts)?:
            return parts.compactMap { part -> String? in
                if case .string(let s) = part { return s }
                return part["text"]?.stringValue
            }.joined()
        default:
            return ""
        }
    }
}
