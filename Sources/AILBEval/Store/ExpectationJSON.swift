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

    /// The expectation back from its stored form (a resumed run scores against what the run started with).
    static func decode(_ value: JSONValue) -> Expectation {
        var expect = Expectation()
        if let calls = value["tool_calls"]?.arrayValue {
            expect.toolCalls = calls.map { ExpectedToolCall(name: $0["name"]?.stringValue ?? "", arguments: $0["arguments"]) }
        }
        expect.text = value["text"]?.stringValue
        expect.contains = value["contains"]?.arrayValue?.compactMap(\.stringValue) ?? []
        expect.regex = value["regex"]?.stringValue
        return expect
    }
}
