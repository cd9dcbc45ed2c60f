import Foundation

/// A suite of prompts (`suites/*.yaml`), validated.
public struct Suite: Sendable {
    public var name: String
    /// The file it was read from.
    public var path: String
    /// SHA-256 (hex) of the file's bytes, followed by those of its case files when it has any.
    public var contentHash: String
    /// The cases, packed: a suite of any size stays small (see `SuiteCases`).
    public var cases: SuiteCases
    /// What the suite is for (`description:` in the file), if given.
    public var summary: String?
    /// The suite's own `repeat_seed`, over the config's `defaults.repeat_seed`; nil: the config's.
    public var repeatSeed: RepeatSeed?

    public init(name: String, path: String, contentHash: String, cases: SuiteCases) {
        self.name = name
        self.path = path
        self.contentHash = contentHash
        self.cases = cases
    }

    public init(name: String, path: String, contentHash: String, cases: [SuiteCase]) {
        self.init(name: name, path: path, contentHash: contentHash, cases: SuiteCases(cases))
    }
}

/// One prompt of a suite, with the suite's shared `system` prompt and `tools` already applied.
public struct SuiteCase: Sendable, Hashable {
    /// Unique within the suite.
    public var id: String
    /// OpenAI chat messages, the system message first when the suite has one.
    public var messages: [JSONValue]
    /// OpenAI function tool specs (`[{"type":"function","function":{…}}]`), or nil.
    public var tools: [JSONValue]?
    /// `"auto"`, `"required"`, `"none"` or `{"type":"function","function":{"name":…}}`, or nil.
    public var toolChoice: JSONValue?
    /// Extra request fields for this case (`stop`, …), merged over the run's defaults.
    public var parameters: [String: JSONValue]
    public var expect: Expectation?
    public var tags: [String]
    /// How many times to ask; nil means the run's default.
    public var repeats: Int?
    public var location: SourceLocation?

    public init(
        id: String, messages: [JSONValue], tools: [JSONValue]? = nil, toolChoice: JSONValue? = nil,
        parameters: [String: JSONValue] = [:], expect: Expectation? = nil, tags: [String] = [], repeats: Int? = nil,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.parameters = parameters
        self.expect = expect
        self.tags = tags
        self.repeats = repeats
        self.location = location
    }

    /// The text of the last user message: what a person reads as "the prompt".
    public var promptText: String {
        for message in messages.reversed() where message["role"]?.stringValue == "user" {
            if let text = message["content"]?.stringValue { return text }
        }
        return ""
    }
}

/// The expected answer of a case. Every field that is set must hold for a response to be correct.
public struct Expectation: Sendable, Hashable {
    /// The expected tool calls (name and arguments; several for parallel calls, compared as a multiset).
    /// An empty list means "no tool call"; nil means tool calls are not checked.
    public var toolCalls: [ExpectedToolCall]?
    /// The exact text, compared after normalisation.
    public var text: String?
    /// Substrings the text must contain (case-insensitive).
    public var contains: [String]
    /// A regular expression the text must match somewhere.
    public var regex: String?

    public init(toolCalls: [ExpectedToolCall]? = nil, text: String? = nil, contains: [String] = [], regex: String? = nil) {
        self.toolCalls = toolCalls
        self.text = text
        self.contains = contains
        self.regex = regex
    }
}

/// An expected tool call.
public struct ExpectedToolCall: Sendable, Hashable {
    public var name: String
    /// The expected arguments; nil means any arguments.
    public var arguments: JSONValue?

    public init(name: String, arguments: JSONValue? = nil) {
        self.name = name
        self.arguments = arguments
    }
}
