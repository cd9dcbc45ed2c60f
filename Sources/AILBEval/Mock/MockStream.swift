import Foundation

/// Turns a `chat.completion` body into the `chat.completion.chunk` event stream a real server would send,
/// and into the damaged streams of the faults (cut, without `[DONE]`, padded with keep-alives).
enum MockStream {
    /// The last chunk of the `hugeBody` stream.
    static let finishChunk =
        #"{"id":"chatcmpl-huge","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#

    /// One content chunk of the `hugeBody` stream.
    static func contentChunk(_ text: String) -> String {
        JSONValue.object([
            "id": "chatcmpl-huge", "object": "chat.completion.chunk",
            "choices": [["index": 0, "delta": ["content": .string(text)], "finish_reason": .null]],
        ]).compactText
    }

    /// The SSE bytes of `completion`: a keep-alive comment, a role chunk, content in word-sized pieces,
    /// each tool call as a header chunk and two argument pieces, a final chunk with finish_reason and
    /// usage, and `[DONE]`. With `finish: false` it stops after the content (the `truncatedSSE` fault).
    static func events(for completion: JSONValue, finish: Bool = true) -> [UInt8] {
        let message = completion["choices"]?[0]?["message"] ?? [:]
        var base = completion.objectValue ?? [:]
        base["object"] = "chat.completion.chunk"
        base.removeValue(forKey: "choices")
        base.removeValue(forKey: "usage")
        var out = ": mock keep-alive\n\n"
        func emit(_ delta: JSONValue, finishReason: JSONValue = .null, usage: JSONValue? = nil) {
            var chunk = base
            chunk["choices"] = [["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finishReason]]
            if let usage { chunk["usage"] = usage }
            out += "data: " + JSONWriter(sortKeys: false, asciiOnly: false, spaced: false).string(.object(chunk)) + "\n\n"
        }
        emit(["role": "assistant", "content": ""])
        if let content = message["content"]?.stringValue {
            for piece in wordPieces(content) { emit(["content": .string(piece)]) }
        }
        for (n, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            emit([
                "tool_calls": [
                    [
                        "index": .int(n), "id": call["id"] ?? .null, "type": "function",
                        "function": ["name": call["function"]?["name"] ?? .null, "arguments": ""],
                    ]
                ]
            ])
            switch call["function"]?["arguments"] {
            case .string(let text)?:
                let cut = text.index(text.startIndex, offsetBy: text.count / 2)
                for piece in [String(text[..<cut]), String(text[cut...])] where !piece.isEmpty {
                    emit(["tool_calls": [["index": .int(n), "function": ["arguments": .string(piece)]]]])
                }
            case let value?:
                emit(["tool_calls": [["index": .int(n), "function": ["arguments": value]]]])
            case nil:
                break
            }
        }
        if finish {
            let reason = completion["choices"]?[0]?["finish_reason"] ?? "stop"
            emit([:], finishReason: reason, usage: completion["usage"])
            out += "data: [DONE]\n\n"
        }
        return Array(out.utf8)
    }

    /// Splits text after each space, so the pieces concatenate back to the text.
    static func wordPieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty || pieces.isEmpty { pieces.append(current) }
        return pieces
    }

    /// The stream up to the middle of its last JSON event (the one with `finish_reason`): the connection
    /// then ends cleanly, so only the framing shows the answer is incomplete.
    static func cutInLastEvent(_ bytes: [UInt8]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let withoutDone = text.replacingOccurrences(of: "data: [DONE]\n\n", with: "")
        guard let last = withoutDone.range(of: "data: {", options: .backwards) else { return Array(bytes.prefix(bytes.count / 2)) }
        let start = withoutDone.utf8.distance(from: withoutDone.startIndex, to: last.lowerBound)
        return Array(withoutDone.utf8.prefix(start + 24))
    }

    /// The stream without its closing `data: [DONE]` event.
    static func withoutDone(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "data: [DONE]\n\n", with: "").utf8)
    }

    /// The stream as a chatty proxy sends it: CRLF line ends, a `retry:` field, an `id:` per event, and
    /// comment and blank keep-alive lines between events.
    static func withKeepAlives(_ bytes: [UInt8]) -> [UInt8] {
        let events = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        var out = "retry: 3000\r\n\r\n"
        for (n, event) in events.enumerated() {
            out += ": keep-alive \(n)\r\n\r\n\r\n:\r\n"
            out += "id: \(n)\r\n" + event.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\n"
        }
        return Array(out.utf8)
    }
}
