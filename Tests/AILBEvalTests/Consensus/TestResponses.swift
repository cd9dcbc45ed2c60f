@testable import AILBEval

/// A chat-completion body with the given text and tool calls, for hand-written cases.
func chatBody(_ content: JSONValue = .null, toolCalls: [JSONValue]? = nil) -> JSONValue {
    var message: [String: JSONValue] = ["role": "assistant", "content": content]
    if let toolCalls { message["tool_calls"] = .array(toolCalls) }
    return ["choices": [["index": 0, "message": .object(message), "finish_reason": "stop"]]]
}

/// An OpenAI tool call.
func toolCall(_ name: String, _ arguments: JSONValue) -> JSONValue {
    ["id": "call_1", "type": "function", "function": ["name": .string(name), "arguments": arguments]]
}

/// A successful response.
func ok(_ backend: String, _ body: JSONValue, latency: Double = 100) -> CandidateResponse {
    CandidateResponse(backend: backend, success: true, latencyMs: latency, json: body)
}

/// A failed response.
func failed(_ backend: String) -> CandidateResponse {
    CandidateResponse(backend: backend, success: false, latencyMs: 0, json: nil)
}
