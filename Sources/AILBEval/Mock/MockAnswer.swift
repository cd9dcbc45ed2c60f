import Foundation

/// The answer before it is dressed as a chat completion.
enum MockAnswer {
    case text(String)
    /// Tool calls (name, arguments) with optional content before them (a `<think>` block).
    case toolCalls([(String, JSONValue)], prefix: String)
    /// Tool calls whose arguments are encoded with a given writer or sent as objects.
    case encodedToolCalls([(String, JSONValue)], prefix: String, encoding: ArgumentEncoding)

    enum ArgumentEncoding { case compact, spaced, object }

    func drifted(tools: [JSONValue], pick: UInt64) -> (MockAnswer, String) {
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

    func noised(pick: UInt64) -> (MockAnswer, String) {
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

    func completionBody(
        id: String, created: Int, model: String, backend: String, promptChars: Int, idHash: UInt64
    )
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

    static func toolMessage(
        _ calls: [(String, JSONValue)], prefix: String, encoding: ArgumentEncoding, idHash: UInt64
    )
        -> ([String: JSONValue], Int)
    {
        // Keys sorted in both: a dictionary's own order changes from process to process, and the same request
        // must get the same answer from every process (workers of one shared run are many).
        let spaced = JSONWriter(sortKeys: true, asciiOnly: false, spaced: true)
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
