import Foundation
import Yams

/// Reads and validates a suite file (`suites/*.yaml`) into a `Suite`.
///
/// The suite's shared `system`, `tools`, `tool_choice` and `parameters` are applied to every case, so a
/// `SuiteCase` is a complete request. Every problem is an `InputError` at the line where it was written.
public enum SuiteLoader {
    /// Reads the suite at `path`; its content hash is the SHA-256 of the file's bytes.
    public static func load(path: String) throws(InputError) -> Suite {
        try parse(yaml: try InputFile.readText(path: path, what: "suite file"), file: path)
    }

    /// Parses suite text; `file` names it in messages and gives the default suite name.
    public static func parse(yaml: String, file: String) throws(InputError) -> Suite {
        let reader = YAMLReader(file: file, environment: nil)
        var suite = try SuiteParser(reader: reader).parse(reader.root(of: yaml))
        suite.contentHash = SHA256.hex(Array(yaml.utf8))
        return suite
    }

    /// The suite name used when the file has no `name`: the file name without its extension.
    static func defaultName(for file: String) -> String {
        let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return base.isEmpty ? file : base
    }
}

/// The walk over a suite document.
private struct SuiteParser {
    let reader: YAMLReader

    static let suiteKeys = ["name", "description", "system", "tools", "tool_choice", "parameters", "repeat_seed", "cases"]
    static let caseKeys = [
        "id", "prompt", "messages", "tools", "tool_choice", "parameters", "expect", "tags", "repeat",
    ]
    static let expectKeys = ["tool_call", "tool_calls", "no_tool", "text", "contains", "regex"]
    static let toolCallKeys = ["name", "arguments"]
    static let messageKeys = ["role", "content", "name", "tool_calls", "tool_call_id"]
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

    func parse(_ root: Node) throws(InputError) -> Suite {
        let top = try reader.mapping(root, allowed: Self.suiteKeys, context: "the suite")
        let name =
            try top["name"].map { node throws(InputError) in try reader.nonEmptyString(node, key: "name") }
            ?? SuiteLoader.defaultName(for: reader.file)
        var shared = Shared()
        if let node = top["system"] { shared.system = try reader.string(node, key: "system") }
        if let node = top["tools"] { (shared.tools, shared.toolNames) = try parseTools(node) }
        if let node = top["tool_choice"] {
            shared.toolChoice = try parseToolChoice(node, toolNames: shared.tools == nil ? nil : shared.toolNames)
        }
        if let node = top["parameters"] { shared.parameters = try parseParameters(node) }

        guard let casesNode = top["cases"] else {
            throw reader.error(root, "missing required key 'cases' (a list of cases)")
        }
        let caseNodes = try reader.list(casesNode, key: "cases")
        guard !caseNodes.isEmpty else { throw reader.error(casesNode, "'cases' is empty; expected at least one case") }
        var cases: [SuiteCase] = []
        var idLines: [String: Int] = [:]
        for node in caseNodes {
            let (suiteCase, idNode) = try parseCase(node, shared: shared)
            if let firstLine = idLines[suiteCase.id] {
                throw reader.error(idNode, "duplicate case id '\(suiteCase.id)' (first used at line \(firstLine))")
            }
            idLines[suiteCase.id] = reader.location(idNode).line
            cases.append(suiteCase)
        }
        var suite = Suite(name: name, path: reader.file, contentHash: "", cases: cases)
        if let node = top["description"] { suite.summary = try reader.string(node, key: "description") }
        if let node = top["repeat_seed"] {
            let text = try reader.string(node, key: "repeat_seed")
            guard let strategy = RepeatSeed(rawValue: text) else {
                let allowed = RepeatSeed.allCases.map(\.rawValue)
                var message = "unknown repeat_seed '\(text)'; expected one of: \(allowed.joined(separator: ", "))"
                if let close = suggestion(for: text, among: allowed) { message += " (did you mean '\(close)'?)" }
                throw reader.error(node, message)
            }
            suite.repeatSeed = strategy
        }
        return suite
    }

    // MARK: Cases

    func parseCase(_ node: Node, shared: Shared) throws(InputError) -> (SuiteCase, Node) {
        let map = try reader.mapping(node, allowed: Self.caseKeys, context: "case")
        guard let idNode = map["id"] else { throw reader.error(node, "missing required key 'id' in case") }
        let id = try reader.nonEmptyString(idNode, key: "id")

        var messages: [JSONValue]
        switch (map["prompt"], map["messages"]) {
        case (let prompt?, nil):
            messages = [["role": "user", "content": .string(try reader.nonEmptyString(prompt, key: "prompt"))]]
        case (nil, let list?):
            messages = try parseMessages(list)
        case (_?, _?):
            throw reader.error(
                map.keyNode("messages")!, "case '\(id)' has both 'prompt' and 'messages'; use one of them")
        case (nil, nil):
            throw reader.error(node, "case '\(id)' has neither 'prompt' nor 'messages'; expected one of them")
        }
        if let system = shared.system, messages.first?["role"]?.stringValue != "system" {
            messages.insert(["role": "system", "content": .string(system)], at: 0)
        }

        var tools = shared.tools
        var toolNames: [String]? = shared.tools == nil ? nil : shared.toolNames
        if let toolsNode = map["tools"] {
            let (caseTools, names) = try parseTools(toolsNode)
            tools = caseTools
            toolNames = names
        }
        var toolChoice = shared.toolChoice
        if let choiceNode = map["tool_choice"] {
            toolChoice = try parseToolChoice(choiceNode, toolNames: toolNames)
        } else if map["tools"] != nil, let inherited = shared.toolChoice,
            let name = inherited["function"]?["name"]?.stringValue,
            !(toolNames ?? []).contains(name)
        {
            throw reader.error(
                map.keyNode("tools")!,
                "the suite's tool_choice names function '\(name)', which is not in this case's tools")
        }
        var parameters = shared.parameters
        if let paramsNode = map["parameters"] {
            parameters.merge(try parseParameters(paramsNode)) { _, caseValue in caseValue }
        }
        var suiteCase = SuiteCase(
            id: id, messages: messages, tools: tools, toolChoice: toolChoice, parameters: parameters,
            location: reader.location(node))
        if let expectNode = map["expect"] {
            suiteCase.expect = try parseExpect(expectNode, toolNames: toolNames, caseID: id)
        }
        if let tagsNode = map["tags"] { suiteCase.tags = try reader.stringList(tagsNode, key: "tags") }
        if let repeatNode = map["repeat"] { suiteCase.repeats = try reader.int(repeatNode, key: "repeat", atLeast: 1) }
        return (suiteCase, idNode)
    }

    func parseMessages(_ node: Node) throws(InputError) -> [JSONValue] {
        let items = try reader.list(node, key: "messages")
        guard !items.isEmpty else { throw reader.error(node, "'messages' is empty; expected at least one message") }
        var messages: [JSONValue] = []
        for item in items {
            guard case .mapping = item else {
                throw reader.error(item, "expected a message ({role: …, content: …}), found \(reader.describe(item))")
            }
            let map = try reader.mapping(item, allowed: Self.messageKeys, context: "message")
            guard let roleNode = map["role"] else { throw reader.error(item, "missing required key 'role' in message") }
            let role = try reader.string(roleNode, key: "role")
            guard Self.roles.contains(role) else {
                var message = "unknown role '\(role)'; expected one of: \(Self.roles.joined(separator: ", "))"
                if let close = suggestion(for: role, among: Self.roles) { message += " (did you mean '\(close)'?)" }
                throw reader.error(roleNode, message)
            }
            guard let contentNode = map["content"] else {
                throw reader.error(item, "missing required key 'content' in \(role) message")
            }
            var members: [String: JSONValue] = ["role": .string(role)]
            switch contentNode {
            case .sequence:
                members["content"] = try reader.json(contentNode, key: "content")
            case _ where reader.isNull(contentNode) && role == "assistant" && map.has("tool_calls"):
                members["content"] = .null
            default:
                members["content"] = .string(try reader.string(contentNode, key: "content"))
            }
            for entry in map.entries where !["role", "content"].contains(entry.key) {
                members[entry.key] = try reader.json(entry.value, key: entry.key)
            }
            messages.append(.object(members))
        }
        return messages
    }

    // MARK: Tools

    func parseTools(_ node: Node) throws(InputError) -> ([JSONValue], [String]) {
        var tools: [JSONValue] = []
        var names: [String] = []
        var nameLines: [String: Int] = [:]
        for item in try reader.list(node, key: "tools") {
            let map = try reader.anyMapping(item, context: "tool")
            if let typeNode = map["type"] {
                let type = try reader.string(typeNode, key: "type")
                guard type == "function" else {
                    throw reader.error(typeNode, "unsupported tool type '\(type)'; expected 'function'")
                }
            }
            guard let functionNode = map["function"] else {
                throw reader.error(item, "tool has no 'function'; expected {type: function, function: {name: …}}")
            }
            let function = try reader.anyMapping(functionNode, context: "function")
            guard let nameNode = function["name"] else {
                throw reader.error(functionNode, "tool function has no 'name'")
            }
            let name = try reader.nonEmptyString(nameNode, key: "name")
            if let firstLine = nameLines[name] {
                throw reader.error(nameNode, "duplicate tool '\(name)' (first at line \(firstLine))")
            }
            if let parameters = function["parameters"], case .scalar = parameters {
                throw reader.error(
                    parameters, "expected a JSON schema mapping for 'parameters', found \(reader.describe(parameters))")
            }
            nameLines[name] = reader.location(nameNode).line
            names.append(name)
            var tool = try reader.json(item, key: "tool")
            if case .object(var members) = tool, members["type"] == nil {
                members["type"] = "function"
                tool = .object(members)
            }
            tools.append(tool)
        }
        return (tools, names)
    }

    /// A `tool_choice`: auto, required, none, or `{type: function, function: {name}}` naming one of `toolNames`
    /// (nil when there are no tools at all).
    func parseToolChoice(_ node: Node, toolNames: [String]?) throws(InputError) -> JSONValue {
        if case .scalar = node {
            let word = try reader.string(node, key: "tool_choice")
            guard Self.toolChoiceWords.contains(word) else {
                var message =
                    "unknown tool_choice '\(word)'; expected auto, required, none or {type: function, function: {name: …}}"
                if let close = suggestion(for: word, among: Self.toolChoiceWords) {
                    message += " (did you mean '\(close)'?)"
                }
                throw reader.error(node, message)
            }
            if word != "none", toolNames == nil {
                throw reader.error(node, "tool_choice '\(word)' needs tools, but there are none")
            }
            return .string(word)
        }
        let map = try reader.mapping(node, allowed: ["type", "function"], context: "tool_choice")
        guard let functionNode = map["function"] else {
            throw reader.error(node, "tool_choice has no 'function'; expected {type: function, function: {name: …}}")
        }
        let function = try reader.mapping(functionNode, allowed: ["name"], context: "tool_choice function")
        guard let nameNode = function["name"] else {
            throw reader.error(functionNode, "tool_choice function has no 'name'")
        }
        let name = try reader.nonEmptyString(nameNode, key: "name")
        guard let toolNames, toolNames.contains(name) else {
            throw reader.error(
                nameNode, unknownTool(name, toolNames: toolNames ?? [], what: "tool_choice names function"))
        }
        return ["type": "function", "function": ["name": .string(name)]]
    }

    func parseParameters(_ node: Node) throws(InputError) -> [String: JSONValue] {
        guard case .mapping = node else {
            throw reader.error(node, "expected a mapping for 'parameters', found \(reader.describe(node))")
        }
        return try reader.json(node, key: "parameters").objectValue ?? [:]
    }

    // MARK: Expectations

    func parseExpect(_ node: Node, toolNames: [String]?, caseID: String) throws(InputError) -> Expectation {
        let map = try reader.mapping(node, allowed: Self.expectKeys, context: "expect")
        guard !map.entries.isEmpty else {
            throw reader.error(
                node, "'expect' has no field; expected one of: \(Self.expectKeys.joined(separator: ", "))")
        }
        let callKeys = ["tool_call", "tool_calls", "no_tool"].filter { map.has($0) }
        if callKeys.count > 1 {
            throw reader.error(
                map.keyNode(callKeys[1])!, "'expect' has both '\(callKeys[0])' and '\(callKeys[1])'; use one of them")
        }
        var expectation = Expectation()
        if let callNode = map["tool_call"] {
            expectation.toolCalls = [try parseExpectedCall(callNode, toolNames: toolNames)]
        }
        if let callsNode = map["tool_calls"] {
            let items = try reader.list(callsNode, key: "tool_calls")
            guard !items.isEmpty else {
                throw reader.error(callsNode, "'tool_calls' is empty; write 'no_tool: true' to expect no tool call")
            }
            var calls: [ExpectedToolCall] = []
            for item in items { calls.append(try parseExpectedCall(item, toolNames: toolNames)) }
            expectation.toolCalls = calls
        }
        if let noToolNode = map["no_tool"] {
            guard try reader.bool(noToolNode, key: "no_tool") else {
                throw reader.error(noToolNode, "'no_tool' only takes true; leave it out to not check tool calls")
            }
            expectation.toolCalls = []
        }
        if let textNode = map["text"] { expectation.text = try reader.string(textNode, key: "text") }
        if let containsNode = map["contains"] {
            expectation.contains = try reader.stringList(containsNode, key: "contains")
            if expectation.contains.isEmpty {
                throw reader.error(containsNode, "'contains' is empty; expected at least one string")
            }
        }
        if let regexNode = map["regex"] {
            let pattern = try reader.string(regexNode, key: "regex")
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw reader.error(regexNode, "invalid regular expression \"\(pattern)\"")
            }
            expectation.regex = pattern
        }
        return expectation
    }

    func parseExpectedCall(_ node: Node, toolNames: [String]?) throws(InputError) -> ExpectedToolCall {
        let map = try reader.mapping(node, allowed: Self.toolCallKeys, context: "expected tool call")
        guard let nameNode = map["name"] else {
            throw reader.error(node, "missing required key 'name' in expected tool call")
        }
        let name = try reader.nonEmptyString(nameNode, key: "name")
        guard let toolNames else {
            throw reader.error(nameNode, "expects a call to '\(name)', but the case has no tools")
        }
        guard toolNames.contains(name) else {
            throw reader.error(nameNode, unknownTool(name, toolNames: toolNames, what: "expects a call to"))
        }
        var call = ExpectedToolCall(name: name)
        if let argumentsNode = map["arguments"] {
            guard case .mapping = argumentsNode else {
                throw reader.error(
                    argumentsNode, "expected a mapping for 'arguments', found \(reader.describe(argumentsNode))")
            }
            call.arguments = try reader.json(argumentsNode, key: "arguments")
        }
        return call
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
