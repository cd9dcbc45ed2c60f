/// A suite file as the user wrote it: every key optional, every value that a later check may refuse kept
/// with its position. `SuiteLoader` resolves it into a `Suite`.
///
/// Each closed mapping's `CodingKeys` is the one list of the keys it allows (see `YAMLNodeDecoder`); tools
/// and their functions are open, as OpenAI's function specs carry fields of their own.
struct UserSuite: YAMLMapping {
    var name: Located<String>?
    var description: String?
    var system: String?
    var tools: Located<[Located<UserTool>]>?
    var toolChoice: Located<UserToolChoice>?
    var parameters: YAMLJSONObject?
    var repeatSeed: Located<String>?
    var cases: Located<UserCaseList>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, system, tools
        case toolChoice = "tool_choice"
        case parameters
        case repeatSeed = "repeat_seed"
        case cases
    }

    static func yamlName(key: String) -> String { "the suite" }
}

/// `cases:`: a list of cases and case files, or one case file (`cases: {file: big.jsonl}`).
enum UserCaseList: YAMLNodeDecodable {
    case list([Located<UserCaseEntry>])
    case file(Located<UserCaseFile>)

    init(yaml decoder: YAMLNodeDecoder) throws {
        switch decoder.node {
        case .sequence: self = .list(try decoder.decode([Located<UserCaseEntry>].self))
        case .mapping: self = .file(try decoder.decode(Located<UserCaseFile>.self))
        default:
            throw decoder.error(
                "expected a list of cases or {file: …} for 'cases', found \(YAMLReader.describe(decoder.node))")
        }
    }
}

/// One item of `cases:`: a case, or a file of cases (a mapping with the key `file`).
enum UserCaseEntry: YAMLNodeDecodable {
    case inline(Located<UserCase>)
    case file(Located<UserCaseFile>)

    init(yaml decoder: YAMLNodeDecoder) throws {
        if case .mapping(let mapping) = decoder.node, mapping.contains(where: { $0.key.scalar?.string == "file" }) {
            self = .file(try decoder.decode(Located<UserCaseFile>.self))
        } else {
            self = .inline(try decoder.decode(Located<UserCase>.self))
        }
    }
}

/// A JSON Lines file of cases, one case object per line with the keys of a case written in YAML.
struct UserCaseFile: YAMLMapping {
    /// Its path, relative to the suite file's folder unless absolute.
    var file: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case file
    }

    static func yamlName(key: String) -> String { "case file" }
    static func yamlExpectation(key: String) -> String { "a case file ({file: cases.jsonl})" }
}

/// One case: an entry of `cases:`, or a line of a case file.
struct UserCase: YAMLMapping {
    var id: Located<String>?
    var prompt: Located<String>?
    var messages: Located<[Located<UserMessage>]>?
    var tools: Located<[Located<UserTool>]>?
    var toolChoice: Located<UserToolChoice>?
    var parameters: YAMLJSONObject?
    var expect: Located<UserExpect>?
    var tags: StringList?
    var repeats: Located<Int>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, prompt, messages, tools
        case toolChoice = "tool_choice"
        case parameters, expect, tags
        case repeats = "repeat"
    }

    static func yamlName(key: String) -> String { "case" }
}

/// One chat message of a case's `messages:`.
struct UserMessage: YAMLMapping {
    var role: Located<String>?
    var content: Located<UserMessageContent>?
    var name: YAMLJSON?
    var toolCalls: YAMLJSON?
    var toolCallID: YAMLJSON?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    static func yamlName(key: String) -> String { "message" }
    static func yamlExpectation(key: String) -> String { "a message ({role: …, content: …})" }
}

/// A message's `content`: text as written (`4` is the text "4"), a list of content parts, or null.
enum UserMessageContent: YAMLNodeDecodable {
    case text(String)
    case parts(JSONValue)
    case null

    init(yaml decoder: YAMLNodeDecoder) throws {
        if case .sequence = decoder.node {
            self = .parts(try decoder.reader.json(decoder.node, key: decoder.key))
        } else if decoder.reader.isNull(decoder.node) {
            self = .null
        } else {
            self = .text(try decoder.decode(String.self))
        }
    }
}

/// One OpenAI function tool (`{type: function, function: {name, parameters, …}}`), also kept whole as JSON.
struct UserTool: YAMLMapping, YAMLNodeDecodable {
    var type: Located<String>?
    var function: Located<UserToolFunction>?
    /// The tool as written, sent as it is.
    var json: JSONValue

    /// Not `CaseIterable`: a tool may carry fields of its own.
    enum CodingKeys: String, CodingKey {
        case type, function
    }

    init(yaml decoder: YAMLNodeDecoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(Located<String>.self, forKey: .type)
        function = try container.decodeIfPresent(Located<UserToolFunction>.self, forKey: .function)
        json = try decoder.reader.json(decoder.node, key: decoder.key)
    }

    static func yamlName(key: String) -> String { "tool" }
}

/// A tool's `function:`; its other fields (description, strict, …) are the tool's own.
struct UserToolFunction: YAMLMapping {
    var name: Located<String>?
    var parameters: Located<YAMLJSON>?

    static func yamlName(key: String) -> String { "function" }
}

/// `tool_choice`: a word (auto, required, none) or the function the model must call.
enum UserToolChoice: YAMLNodeDecodable {
    case word(String)
    case function(UserNamedToolChoice)

    init(yaml decoder: YAMLNodeDecoder) throws {
        if case .scalar = decoder.node {
            self = .word(try decoder.decode(String.self))
        } else {
            self = .function(try decoder.decode(UserNamedToolChoice.self))
        }
    }
}

/// `tool_choice: {type: function, function: {name: …}}`.
struct UserNamedToolChoice: YAMLMapping {
    var type: YAMLJSON?
    var function: Located<UserNamedToolChoiceFunction>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, function
    }

    static func yamlName(key: String) -> String { "tool_choice" }
}

/// The `function:` of a `tool_choice`.
struct UserNamedToolChoiceFunction: YAMLMapping {
    var name: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
    }

    static func yamlName(key: String) -> String { "tool_choice function" }
}

/// A case's `expect:`.
struct UserExpect: YAMLMapping {
    var toolCall: Located<UserExpectedCall>?
    var toolCalls: Located<[Located<UserExpectedCall>]>?
    var noTool: Located<Bool>?
    var text: String?
    var contains: Located<StringList>?
    var regex: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case toolCall = "tool_call"
        case toolCalls = "tool_calls"
        case noTool = "no_tool"
        case text, contains, regex
    }

    static func yamlName(key: String) -> String { "expect" }

    /// The keys that say which tool calls are expected, with where each is written when it is: at most one may be.
    var toolCallKeys: [(key: CodingKeys, keyLocation: SourceLocation?)] {
        [(.toolCall, toolCall?.keyLocation), (.toolCalls, toolCalls?.keyLocation), (.noTool, noTool?.keyLocation)]
    }

    /// True when no key is written at all.
    var isEmpty: Bool {
        toolCall == nil && toolCalls == nil && noTool == nil && text == nil && contains == nil && regex == nil
    }
}

/// One expected tool call: a name and, optionally, the arguments.
struct UserExpectedCall: YAMLMapping {
    var name: Located<String>?
    var arguments: YAMLJSONObject?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, arguments
    }

    static func yamlName(key: String) -> String { "expected tool call" }
}
