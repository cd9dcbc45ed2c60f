import Foundation

/// Why a chat-completion event stream could not be turned into a completion.
package struct StreamAssemblyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A one-line explanation for people.
    package var message: String
    /// The HTTP status the server's in-stream `error` object stands for, when it sent one: a server that
    /// fails after `200 OK` has started a stream reports what it would have sent as a status.
    package var serverStatus: Int?
    /// An error with this explanation.
    package init(_ message: String, serverStatus: Int? = nil) {
        self.message = message
        self.serverStatus = serverStatus
    }
    /// The explanation, for string interpolation.
    package var description: String { message }
}

/// Folds OpenAI `chat.completion.chunk` events into the one `chat.completion` body a non-streaming
/// request would have returned, so that everything downstream sees the same shape either way.
///
/// Content and `reasoning_content` are concatenated; tool-call deltas are merged by `index` (id, type and
/// name taken from the first delta that has them, `arguments` concatenated). Only choice 0 is kept: the
/// tool always asks for one choice.
package struct ChatStreamAssembler: Sendable {
    private struct ToolCall: Sendable {
        var index: Int
        var id: String?
        var type: String?
        var name: String = ""
        var arguments: String = ""
        /// Some servers send the arguments as one JSON object instead of a string; kept as sent so that
        /// formatting differences are not hidden.
        var argumentsValue: JSONValue?
    }

    private var id: JSONValue?
    private var model: JSONValue?
    private var created: JSONValue?
    private var systemFingerprint: JSONValue?
    private var role = "assistant"
    private var content = ""
    private var sawContent = false
    private var reasoning = ""
    private var sawReasoning = false
    private var toolCalls: [ToolCall] = []
    private var finishReason: JSONValue?
    private var usage: JSONValue?
    private var sawChoice = false

    /// True once `[DONE]` arrived; later events are ignored.
    package private(set) var isDone = false
    /// How many JSON chunks were folded in.
    package private(set) var chunkCount = 0
    /// True once a content, reasoning or tool-call delta arrived (the first token, for TTFT).
    package private(set) var sawFirstToken = false

    /// An assembler for one stream.
    package init() {}

    /// Folds in one event. Returns true when this event carried the stream's first token.
    /// Throws for a payload that is not JSON, or an `error` object sent in the stream.
    @discardableResult
    package mutating func consume(_ event: SSEEvent) throws(StreamAssemblyError) -> Bool {
        if isDone { return false }
        let trimmed = event.data.trimmingCharacters(in: .whitespaces)
        if trimmed == "[DONE]" {
            isDone = true
            return false
        }
        let chunk: JSONValue
        do {
            chunk = try JSONValue(parsing: Data(event.dataBytes))
        } catch {
            throw StreamAssemblyError("stream chunk \(chunkCount + 1) is not JSON (\(error.description))")
        }
        guard case .object(let members) = chunk else {
            throw StreamAssemblyError("stream chunk \(chunkCount + 1) is not a JSON object")
        }
        if let error = members["error"], !error.isNull {
            let text = error["message"]?.stringValue ?? error.stringValue ?? error.compactText
            throw StreamAssemblyError(String(text.prefix(300)), serverStatus: Self.status(ofStreamError: error))
        }
        chunkCount += 1
        if id == nil { id = members["id"] }
        if model == nil { model = members["model"] }
        if created == nil { created = members["created"] }
        if systemFingerprint == nil, let fp = members["system_fingerprint"], !fp.isNull { systemFingerprint = fp }
        if let u = members["usage"], !u.isNull { usage = u }
        guard let choices = members["choices"]?.arrayValue else { return false }
        let choice = choices.first { ($0["index"]?.intValue ?? 0) == 0 }
        guard let choice else { return false }
        sawChoice = true
        if let reason = choice["finish_reason"], !reason.isNull { finishReason = reason }
        guard let delta = choice["delta"] ?? choice["message"] else { return false }
        return fold(delta)
    }

    private mutating func fold(_ delta: JSONValue) -> Bool {
        var token = false
        if let r = delta["role"]?.stringValue, !r.isEmpty { role = r }
        if let text = delta["content"]?.stringValue {
            sawContent = true
            content += text
            if !text.isEmpty { token = true }
        }
        if let text = delta["reasoning_content"]?.stringValue ?? delta["reasoning"]?.stringValue {
            sawReasoning = true
            reasoning += text
            if !text.isEmpty { token = true }
        }
        for call in delta["tool_calls"]?.arrayValue ?? [] {
            token = true
            mergeToolCall(call)
        }
        let first = token && !sawFirstToken
        if token { sawFirstToken = true }
        return first
    }

    private mutating func mergeToolCall(_ call: JSONValue) {
        let position: Int
        if let index = call["index"]?.intValue {
            if let found = toolCalls.firstIndex(where: { $0.index == index }) {
                position = found
            } else {
                toolCalls.append(ToolCall(index: index))
                position = toolCalls.count - 1
            }
        } else if let id = call["id"]?.stringValue, let found = toolCalls.firstIndex(where: { $0.id == id }) {
            position = found
        } else if call["id"]?.stringValue == nil, !toolCalls.isEmpty {
            // No index and no id: a continuation of the call in progress.
            position = toolCalls.count - 1
        } else {
            toolCalls.append(ToolCall(index: (toolCalls.map(\.index).max() ?? -1) + 1))
            position = toolCalls.count - 1
        }
        if toolCalls[position].id == nil, let id = call["id"]?.stringValue, !id.isEmpty { toolCalls[position].id = id }
        if toolCalls[position].type == nil, let type = call["type"]?.stringValue, !type.isEmpty {
            toolCalls[position].type = type
        }
        if let function = call["function"] {
            if toolCalls[position].name.isEmpty, let name = function["name"]?.stringValue { toolCalls[position].name = name }
            switch function["arguments"] {
            case .string(let piece)?: toolCalls[position].arguments += piece
            case nil, .null?: break
            case let value?: toolCalls[position].argumentsValue = value
            }
        }
    }

    /// The status an in-stream `error` object stands for: its numeric `code` when that is an HTTP error
    /// status (llama.cpp, vLLM), else by its OpenAI `type`; a server error when nothing says otherwise.
    static func status(ofStreamError error: JSONValue) -> Int {
        if let code = error["code"]?.intValue, (400..<600).contains(code) { return code }
        let type = (error["type"]?.stringValue ?? "").lowercased()
        if type.contains("rate_limit") { return 429 }
        if type.contains("invalid_request") || type.contains("not_found") || type.contains("authentication")
            || type.contains("permission")
        {
            return 400
        }
        return 500
    }

    /// The assembled `chat.completion` body. Throws when the stream ended without `[DONE]` and without
    /// any chunk carrying a `finish_reason` (it was cut off), or carried no chunk at all.
    package func finish() throws(StreamAssemblyError) -> JSONValue {
        guard chunkCount > 0 else { throw StreamAssemblyError("stream ended without any chunk") }
        guard isDone || finishReason != nil else {
            throw StreamAssemblyError("stream ended without [DONE] or a finish_reason after \(chunkCount) chunks")
        }
        return body
    }

    /// The completion assembled so far, whether or not the stream is complete.
    package var body: JSONValue {
        var message: [String: JSONValue] = ["role": .string(role)]
        let calls = toolCalls.sorted { $0.index < $1.index }
        if sawContent && (!content.isEmpty || calls.isEmpty) {
            message["content"] = .string(content)
        } else {
            message["content"] = .null
        }
        if sawReasoning { message["reasoning_content"] = .string(reasoning) }
        if !calls.isEmpty {
            message["tool_calls"] = .array(
                calls.map { call in
                    let arguments: JSONValue =
                        if let value = call.argumentsValue, call.arguments.isEmpty { value } else { .string(call.arguments) }
                    return [
                        "id": call.id.map(JSONValue.string) ?? .null,
                        "type": .string(call.type ?? "function"),
                        "function": ["name": .string(call.name), "arguments": arguments],
                    ]
                })
        }
        var result: [String: JSONValue] = [
            "id": id ?? .null,
            "object": "chat.completion",
            "model": model ?? .null,
            "usage": usage ?? .null,
        ]
        if let created { result["created"] = created }
        if let systemFingerprint { result["system_fingerprint"] = systemFingerprint }
        if sawChoice {
            result["choices"] = [["index": 0, "message": .object(message), "finish_reason": finishReason ?? .null]]
        } else {
            result["choices"] = []
        }
        return .object(result)
    }
}
