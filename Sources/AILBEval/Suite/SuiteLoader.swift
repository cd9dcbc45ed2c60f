import Foundation

/// Reads and validates a suite file (`suites/*.yaml`) into a `Suite`.
///
/// The file is decoded into `UserSuite`, then resolved here. The suite's shared `system`, `tools`,
/// `tool_choice` and `parameters` are applied to every case, so a `SuiteCase` is a complete request. Every
/// problem is an `InputError` at the line where it was written.
public enum SuiteLoader {
    /// Reads the suite at `path`; its content hash is the SHA-256 of the file's bytes.
    public static func load(path: String) throws(InputError) -> Suite {
        try parse(yaml: try InputFile.readText(path: path, what: "suite file"), file: path)
    }

    /// Parses suite text; `file` names it in messages and gives the default suite name. Case files it names
    /// are read from the folder of `file`.
    public static func parse(yaml: String, file: String) throws(InputError) -> Suite {
        let reader = YAMLReader(file: file, environment: nil)
        let document = try reader.decode(Located<UserSuite>.self, from: reader.root(of: yaml))
        var hasher = SHA256.Hasher()
        hasher.update(yaml.utf8)
        var suite = try SuiteResolver(file: file).resolve(document, hasher: &hasher)
        suite.contentHash = SHA256.hex(digest: hasher.finalize())
        return suite
    }

    /// The suite name used when the file has no `name`: the file name without its extension.
    static func defaultName(for file: String) -> String {
        let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return base.isEmpty ? file : base
    }
}

/// Turns a decoded `UserSuite` into a `Suite`: shared settings applied, names and combinations checked.
struct SuiteResolver {
    let file: String

    static let roles = ["system", "developer", "user", "assistant", "tool"]
    static let toolChoiceWords = ["auto", "required", "none"]

    /// What the suite sets for all its cases.
    struct Shared {
        var system: String?
        var tools: [JSONValue]?
        var toolNames: [String] = []
        var toolChoice: JSONValue?
        var parameters: [String: JSONValue] = [:]
    }

    func resolve(_ document: Located<UserSuite>, hasher: inout SHA256.Hasher) throws(InputError) -> Suite {
        let user = document.value
        let name = try user.name?.nonEmpty() ?? SuiteLoader.defaultName(for: file)
        var shared = Shared()
        shared.system = user.system
        if let tools = user.tools { (shared.tools, shared.toolNames) = try self.tools(tools) }
        if let choice = user.toolChoice {
            shared.toolChoice = try toolChoice(choice, toolNames: shared.tools == nil ? nil : shared.toolNames)
        }
        if let parameters = user.parameters { shared.parameters = parameters.members }

        guard let caseList = user.cases else { throw document.error("missing required key 'cases' (a list of cases)") }
        var cases = CaseCollector()
        switch caseList.value {
        case .list(let entries):
            guard !entries.isEmpty else { throw caseList.error("'cases' is empty; expected at least one case") }
            for entry in entries {
                switch entry.value {
                case .inline(let userCase): try cases.add(try self.suiteCase(userCase, shared: shared))
                case .file(let caseFile): try readCases(caseFile, shared: shared, into: &cases, hasher: &hasher)
                }
            }
        case .file(let caseFile):
            try readCases(caseFile, shared: shared, into: &cases, hasher: &hasher)
        }
        cases.cases.shrink()
        var suite = Suite(name: name, path: file, contentHash: "", cases: cases.cases)
        suite.summary = user.description
        if let strategy = user.repeatSeed { suite.repeatSeed = try strategy.oneOf(RepeatSeed.allCases) }
        return suite
    }

    // MARK: Cases

    /// The cases read so far, and where each id was first used: ids are unique across the suite and its files.
    struct CaseCollector {
        var cases = SuiteCases()
        /// Per id, the index of its file in `files` (high bits) and its line (low 32 bits): a word per case.
        private var firstUses: [String: Int] = [:]
        private var files: [String] = []

        /// Adds a case, unless its id is taken.
        mutating func add(_ entry: (SuiteCase, SourceLocation)) throws(InputError) {
            let (suiteCase, idLocation) = entry
            if let first = firstUses[suiteCase.id] {
                let (file, line) = (files[first >> 32], first & 0xFFFF_FFFF)
                let place = file == idLocation.file ? "line \(line)" : "line \(line) of \(file)"
                throw InputError(at: idLocation, "duplicate case id '\(suiteCase.id)' (first used at \(place))")
            }
            if files.last != idLocation.file { files.append(idLocation.file) }
            firstUses[suiteCase.id] = (files.count - 1) << 32 | idLocation.line
            cases.append(suiteCase)
        }
    }

    /// The cases of a case file, a JSON object a line, each read and checked as a case written in the suite.
    func readCases(
        _ caseFile: Located<UserCaseFile>, shared: Shared, into cases: inout CaseCollector, hasher: inout SHA256.Hasher
    ) throws(InputError) {
        guard let nameValue = caseFile.value.file else {
            throw caseFile.error("missing required key 'file' in case file")
        }
        let name = try nameValue.nonEmpty()
        let path = Self.path(of: name, besides: file)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw nameValue.error("no such case file '\(name)' (looked for \(path))")
        }
        guard !isDirectory.boolValue else {
            throw nameValue.error("the case file '\(name)' is a directory; expected a JSON Lines file (\(path))")
        }
        // The bytes of each case file follow the suite's in the hash, so editing one is a change of the suite.
        let count = try JSONLinesFile.forEachLine(path: path, what: "case file", hasher: &hasher) {
            (node, reader) throws(InputError) in
            let entry = try reader.decode(Located<UserCase>.self, from: node)
            try cases.add(try suiteCase(entry, shared: shared))
        }
        guard count > 0 else {
            throw nameValue.error("the case file '\(name)' holds no case; expected a JSON object a line (\(path))")
        }
    }

    /// `name` (a case file's path as written) relative to the folder of the suite file `suite`.
    static func path(of name: String, besides suite: String) -> String {
        let folder = PathText.folder(of: suite)
        guard !name.hasPrefix("/"), !folder.isEmpty else { return name }
        return (folder as NSString).appendingPathComponent(name)
    }

    /// The case and where its id is written.
    func suiteCase(_ entry: Located<UserCase>, shared: Shared) throws(InputError) -> (SuiteCase, SourceLocation) {
        let user = entry.value
        guard let idValue = user.id else { throw entry.error("missing required key 'id' in case") }
        let id = try idValue.nonEmpty()

        var messages: [JSONValue]
        switch (user.prompt, user.messages) {
        case (let prompt?, nil):
            messages = [["role": "user", "content": .string(try prompt.nonEmpty())]]
        case (nil, let list?):
            messages = try self.messages(list)
        case (_?, let list?):
            throw list.keyError("case '\(id)' has both 'prompt' and 'messages'; use one of them")
        case (nil, nil):
            throw entry.error("case '\(id)' has neither 'prompt' nor 'messages'; expected one of them")
        }
        if let system = shared.system, messages.first?["role"]?.stringValue != "system" {
            messages.insert(["role": "system", "content": .string(system)], at: 0)
        }

        var tools = shared.tools
        var toolNames: [String]? = shared.tools == nil ? nil : shared.toolNames
        if let caseTools = user.tools { (tools, toolNames) = try self.tools(caseTools) }
        var toolChoice = shared.toolChoice
        if let choice = user.toolChoice {
            toolChoice = try self.toolChoice(choice, toolNames: toolNames)
        } else if let caseTools = user.tools, let name = shared.toolChoice?["function"]?["name"]?.stringValue,
            !(toolNames ?? []).contains(name)
        {
            throw caseTools.keyError("the suite's tool_choice names function '\(name)', which is not in this case's tools")
        }
        var parameters = shared.parameters
        if let own = user.parameters { parameters.merge(own.members) { _, caseValue in caseValue } }
        var suiteCase = SuiteCase(
            id: id, messages: messages, tools: tools, toolChoice: toolChoice, parameters: parameters,
            location: entry.location)
        if let expect = user.expect { suiteCase.expect = try expectation(expect, toolNames: toolNames) }
        if let tags = user.tags { suiteCase.tags = tags.values }
        if let value = user.repeats { suiteCase.repeats = try IntegerSetting.repeats.checked(value) }
        return (suiteCase, idValue.location)
    }

    func messages(_ list: Located<[Located<UserMessage>]>) throws(InputError) -> [JSONValue] {
        guard !list.value.isEmpty else { throw list.error("'messages' is empty; expected at least one message") }
        var messages: [JSONValue] = []
        for item in list.value {
            let message = item.value
            guard let roleValue = message.role else { throw item.error("missing required key 'role' in message") }
            let role = roleValue.value
            guard Self.roles.contains(role) else {
                throw roleValue.error(unknownValueMessage("role", role, among: Self.roles))
            }
            guard let content = message.content else {
                throw item.error("missing required key 'content' in \(role) message")
            }
            var members: [String: JSONValue] = ["role": .string(role)]
            switch content.value {
            case .text(let text): members["content"] = .string(text)
            case .parts(let parts): members["content"] = parts
            case .null:
                // Only an assistant message that calls tools may leave its text out.
                guard role == "assistant", message.toolCalls != nil else {
                    throw content.error("expected a string for 'content', found null")
                }
                members["content"] = .null
            }
            let extras: [(UserMessage.CodingKeys, YAMLJSON?)] = [
                (.name, message.name), (.toolCalls, message.toolCalls), (.toolCallID, message.toolCallID),
            ]
            for (key, value) in extras { if let value { members[key.rawValue] = value.value } }
            messages.append(.object(members))
        }
        return messages
    }

    // MARK: Tools

    func tools(_ list: Located<[Located<UserTool>]>) throws(InputError) -> ([JSONValue], [String]) {
        var tools: [JSONValue] = []
        var names: [String] = []
        var nameLines: [String: Int] = [:]
        for item in list.value {
            let tool = item.value
            if let type = tool.type, type.value != "function" {
                throw type.error("unsupported tool type '\(type.value)'; expected 'function'")
            }
            guard let function = tool.function else {
                throw item.error("tool has no 'function'; expected {type: function, function: {name: …}}")
            }
            guard let nameValue = function.value.name else { throw function.error("tool function has no 'name'") }
            let name = try nameValue.nonEmpty()
            if let firstLine = nameLines[name] {
                throw nameValue.error("duplicate tool '\(name)' (first at line \(firstLine))")
            }
            if let parameters = function.value.parameters {
                switch parameters.value.value {
                case .object, .array: break
                default:
                    throw parameters.error("expected a JSON schema mapping for 'parameters', found \(parameters.found)")
                }
            }
            nameLines[name] = nameValue.location.line
            names.append(name)
            var json = tool.json
            if case .object(var members) = json, members["type"] == nil {
                members["type"] = "function"
                json = .object(members)
            }
            tools.append(json)
        }
        return (tools, names)
    }

    /// A `tool_choice`: auto, required, none, or `{type: function, function: {name}}` naming one of `toolNames`
    /// (nil when there are no tools at all).
    func toolChoice(_ choice: Located<UserToolChoice>, toolNames: [String]?) throws(InputError) -> JSONValue {
        switch choice.value {
        case .word(let word):
            guard Self.toolChoiceWords.contains(word) else {
                var message =
                    "unknown tool_choice '\(word)'; expected auto, required, none or {type: function, function: {name: …}}"
                if let close = suggestion(for: word, among: Self.toolChoiceWords) {
                    message += " (did you mean '\(close)'?)"
                }
                throw choice.error(message)
            }
            if word != "none", toolNames == nil {
                throw choice.error("tool_choice '\(word)' needs tools, but there are none")
            }
            return .string(word)
        case .function(let named):
            guard let function = named.function else {
                throw choice.error("tool_choice has no 'function'; expected {type: function, function: {name: …}}")
            }
            guard let nameValue = function.value.name else {
                throw function.error("tool_choice function has no 'name'")
            }
            let name = try nameValue.nonEmpty()
            guard let toolNames, toolNames.contains(name) else {
                throw nameValue.error(
                    unknownTool(name, toolNames: toolNames ?? [], what: "tool_choice names function"))
            }
            return ["type": "function", "function": ["name": .string(name)]]
        }
    }

    // MARK: Expectations

    func expectation(_ entry: Located<UserExpect>, toolNames: [String]?) throws(InputError) -> Expectation {
        let user = entry.value
        guard !user.isEmpty else {
            let keys = UserExpect.CodingKeys.allCases.map(\.rawValue)
            throw entry.error("'expect' has no field; expected one of: \(keys.joined(separator: ", "))")
        }
        let callKeys = user.toolCallKeys.filter { $0.keyLocation != nil }
        if callKeys.count > 1 {
            throw InputError(
                at: callKeys[1].keyLocation,
                "'expect' has both '\(callKeys[0].key.rawValue)' and '\(callKeys[1].key.rawValue)'; use one of them")
        }
        var expectation = Expectation()
        if let call = user.toolCall { expectation.toolCalls = [try expectedCall(call, toolNames: toolNames)] }
        if let list = user.toolCalls {
            guard !list.value.isEmpty else {
                throw list.error("'tool_calls' is empty; write 'no_tool: true' to expect no tool call")
            }
            var calls: [ExpectedToolCall] = []
            for call in list.value { calls.append(try expectedCall(call, toolNames: toolNames)) }
            expectation.toolCalls = calls
        }
        if let noTool = user.noTool {
            guard noTool.value else {
                throw noTool.error("'no_tool' only takes true; leave it out to not check tool calls")
            }
            expectation.toolCalls = []
        }
        expectation.text = user.text
        if let contains = user.contains {
            guard !contains.values.isEmpty else {
                throw contains.error("'contains' is empty; expected at least one string")
            }
            expectation.contains = contains.values
        }
        if let regex = user.regex {
            do {
                _ = try NSRegularExpression(pattern: regex.value)
            } catch {
                throw regex.error("invalid regular expression \"\(regex.value)\"")
            }
            expectation.regex = regex.value
        }
        return expectation
    }

    func expectedCall(_ entry: Located<UserExpectedCall>, toolNames: [String]?) throws(InputError) -> ExpectedToolCall {
        guard let nameValue = entry.value.name else {
            throw entry.error("missing required key 'name' in expected tool call")
        }
        let name = try nameValue.nonEmpty()
        guard let toolNames else {
            throw nameValue.error("expects a call to '\(name)', but the case has no tools")
        }
        guard toolNames.contains(name) else {
            throw nameValue.error(unknownTool(name, toolNames: toolNames, what: "expects a call to"))
        }
        return ExpectedToolCall(name: name, arguments: entry.value.arguments.map { .object($0.members) })
    }

    func unknownTool(_ name: String, toolNames: [String], what: String) -> String {
        var message = "\(what) '\(name)', which is not in the case's tools"
        if let close = suggestion(for: name, among: toolNames) {
            message += "; did you mean '\(close)'?"
        } else if !toolNames.isEmpty {
            message += " (\(toolNames.joined(separator: ", ")))"
        }
        return message
    }
}
