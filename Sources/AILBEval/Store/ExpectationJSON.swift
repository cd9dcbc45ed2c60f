/// The JSON form of an `Expectation`, as stored with each case.
enum ExpectationJSON {
    static func encode(_ expect: Expectation) -> JSONValue {
        var object: [String: JSONValue] = [:]
        if let calls = expect.toolCalls {
            object["tool_calls"] = .array(
                calls.map { call in
                    var c: [String: JSONValue] = ["name": .string(call.name)]
                    if let arguments = call.arguments { c["arguments"] = arguments }
                    return .object(c)
                })
        }
        if let text = expect.text { object["text"] = .string(text) }
        if !expect.contains.isEmpty { object["contains"] = .array(expect.contains.map { .string($0) }) }
        if let regex = expect.regex { object["regex"] = .string(regex) }
        return .object(object)
    }
}
