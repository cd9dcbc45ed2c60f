import Foundation
import Testing

@testable import AILBEval

@Suite struct SuiteLoaderTests {
    @Test func parsesEveryKeyOfAFullSuite() throws {
        let path = configFixture("full-suite.yaml")
        let suite = try SuiteLoader.load(path: path)
        #expect(suite.name == "sample")
        #expect(suite.summary == "Every suite key, for the round-trip test.")
        #expect(suite.path == path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(suite.contentHash == SHA256.hex(bytes))
        #expect(suite.cases.map(\.id) == ["weather", "chat", "parallel", "plain"])

        let weatherTool: JSONValue = [
            "type": "function",
            "function": [
                "name": "get_weather",
                "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]],
            ],
        ]
        let calculatorTool: JSONValue = ["type": "function", "function": ["name": "calculator"]]

        let weather = suite.cases[0]
        #expect(
            weather.messages == [
                ["role": "system", "content": "Be brief."], ["role": "user", "content": "Weather in Paris?"],
            ])
        #expect(weather.promptText == "Weather in Paris?")
        #expect(weather.tools == [weatherTool, calculatorTool])
        #expect(weather.toolChoice == "auto")
        #expect(weather.parameters == ["stop": ["</tool_call>"], "top_p": 0.9])
        #expect(weather.tags == ["weather", "single"])
        #expect(weather.repeats == 3)
        #expect(weather.location == SourceLocation(file: path, line: 13, column: 5))
        let arguments: JSONValue = [
            "city": "Paris", "days": 2, "ratio": .double(1.0), "code": "1", "flag": "no", "date": "2025-07-14",
            "when": "12:30", "none": nil, "ok": true,
        ]
        #expect(weather.expect == Expectation(toolCalls: [ExpectedToolCall(name: "get_weather", arguments: arguments)]))

        let chat = suite.cases[1]
        #expect(chat.messages.count == 4)
        #expect(chat.messages.first == ["role": "system", "content": "Own system prompt."])
        #expect(chat.promptText == "Say 4")
        #expect(chat.tools == [["type": "function", "function": ["name": "echo"]]])
        #expect(chat.toolChoice == ["type": "function", "function": ["name": "echo"]])
        #expect(chat.parameters == ["stop": ["</tool_call>"], "top_p": 0.5, "max_tokens": 5])
        #expect(chat.expect == Expectation(text: "4", contains: ["four"], regex: "^4$"))
        #expect(chat.repeats == nil)

        #expect(
            suite.cases[2].expect
                == Expectation(toolCalls: [
                    ExpectedToolCall(name: "get_weather", arguments: ["city": "A"]),
                    ExpectedToolCall(name: "calculator"),
                ]))
        #expect(suite.cases[3].expect == Expectation(toolCalls: [], contains: ["a", "b"]))
    }

    @Test func namesTheSuiteAfterItsFileByDefault() throws {
        let suite = try SuiteLoader.parse(yaml: "cases:\n  - {id: a, prompt: hi}\n", file: "suites/smoke-test.yaml")
        #expect(suite.name == "smoke-test")
        #expect(suite.cases[0].messages == [["role": "user", "content": "hi"]])
        #expect(suite.cases[0].tools == nil)
        #expect(suite.cases[0].expect == nil)
        #expect(suite.contentHash == SHA256.hex(Array("cases:\n  - {id: a, prompt: hi}\n".utf8)))
    }

    @Test(arguments: ["tools", "text", "json"])
    func theShippedSuitesLoad(name: String) throws {
        let path = packageRoot.appendingPathComponent("suites/\(name).yaml").path
        let suite = try SuiteLoader.load(path: path)
        #expect(suite.name == name)
        #expect(suite.cases.allSatisfy { $0.expect != nil && !$0.tags.isEmpty })
        #expect(suite.cases.allSatisfy { $0.messages.first?["role"] == "system" })
        let minimum = ["tools": 32, "text": 20, "json": 10][name]!
        #expect(suite.cases.count >= minimum)
    }

    @Test func theShippedToolSuiteCoversEveryShape() throws {
        let suite = try SuiteLoader.load(path: packageRoot.appendingPathComponent("suites/tools.yaml").path)
        let expectations = suite.cases.compactMap(\.expect)
        #expect(expectations.contains { $0.toolCalls == [] })
        #expect(expectations.contains { ($0.toolCalls?.count ?? 0) >= 2 })
        #expect(expectations.contains { $0.toolCalls?.first?.arguments == nil && $0.toolCalls?.isEmpty == false })
        let names = Set(expectations.flatMap { $0.toolCalls ?? [] }.map(\.name))
        #expect(
            names.isSuperset(of: [
                "get_weather", "create_calendar_event", "search_web", "send_email", "calculator", "get_stock_price",
                "set_reminder", "convert_currency",
            ]))
        let currency = suite.cases.first { $0.id == "currency-usd-eur" }
        #expect(currency?.expect?.toolCalls?.first?.arguments == ["amount": 100, "from": "USD", "to": "EUR"])
    }

    /// One bad suite, the position of the error, and its message.
    struct BadSuite: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { name }
    }

    static let tools = "tools:\n  - {type: function, function: {name: get_weather}}\ncases:\n"

    static let badSuites: [BadSuite] = [
        BadSuite(
            name: "syntax error", yaml: "cases:\n  - id: a\n   prompt: x\n", line: 3, column: 4,
            message: "invalid YAML: did not find expected '-' indicator (while parsing a block collection at line 2)"),
        BadSuite(
            name: "not a mapping", yaml: "just text\n", line: 1, column: 1,
            message: "expected a mapping for the suite, found a string (\"just text\")"),
        BadSuite(
            name: "unknown suite key", yaml: "case:\n  - {id: a, prompt: x}\n", line: 1, column: 1,
            message: "unknown key 'case' in the suite; did you mean 'cases'?"),
        BadSuite(
            name: "unknown case key", yaml: "cases:\n  - id: a\n    promt: x\n", line: 3, column: 5,
            message: "unknown key 'promt' in case; did you mean 'prompt'?"),
        BadSuite(
            name: "unknown expect key", yaml: "cases:\n  - id: a\n    prompt: x\n    expect: {contain: y}\n", line: 4,
            column: 14, message: "unknown key 'contain' in expect; did you mean 'contains'?"),
        BadSuite(
            name: "missing cases", yaml: "name: x\n", line: 1, column: 1,
            message: "missing required key 'cases' (a list of cases)"),
        BadSuite(
            name: "empty cases", yaml: "cases: []\n", line: 1, column: 8,
            message: "'cases' is empty; expected at least one case"),
        BadSuite(
            name: "missing id", yaml: "cases:\n  - prompt: x\n", line: 2, column: 5,
            message: "missing required key 'id' in case"),
        BadSuite(
            name: "duplicate id",
            yaml: "cases:\n  - id: a\n    prompt: x\n  - id: b\n    prompt: y\n  - id: a\n    prompt: z\n",
            line: 6, column: 9, message: "duplicate case id 'a' (first used at line 2)"),
        BadSuite(
            name: "duplicate key", yaml: "cases:\n  - id: a\n    prompt: x\n    prompt: y\n", line: 4, column: 5,
            message: "duplicate key 'prompt' (first at line 3)"),
        BadSuite(
            name: "prompt and messages",
            yaml: "cases:\n  - id: a\n    prompt: x\n    messages: [{role: user, content: y}]\n", line: 4, column: 5,
            message: "case 'a' has both 'prompt' and 'messages'; use one of them"),
        BadSuite(
            name: "neither prompt nor messages", yaml: "cases:\n  - id: a\n    tags: [x]\n", line: 2, column: 5,
            message: "case 'a' has neither 'prompt' nor 'messages'; expected one of them"),
        BadSuite(
            name: "messages not a list", yaml: "cases:\n  - id: a\n    messages: hello\n", line: 3, column: 15,
            message: "expected a list for 'messages', found a string (\"hello\")"),
        BadSuite(
            name: "message not a mapping", yaml: "cases:\n  - id: a\n    messages: [hello]\n", line: 3, column: 16,
            message: "expected a message ({role: …, content: …}), found a string (\"hello\")"),
        BadSuite(
            name: "unknown role", yaml: "cases:\n  - id: a\n    messages:\n      - {role: usr, content: x}\n", line: 4,
            column: 16,
            message:
                "unknown role 'usr'; expected one of: system, developer, user, assistant, tool (did you mean 'user'?)"),
        BadSuite(
            name: "message without content", yaml: "cases:\n  - id: a\n    messages:\n      - {role: user}\n", line: 4,
            column: 9, message: "missing required key 'content' in user message"),
        BadSuite(
            name: "tool_choice naming an unknown function",
            yaml: tools + "  - id: a\n    prompt: x\n    tool_choice: {type: function, function: {name: get_wether}}\n",
            line: 6, column: 52,
            message:
                "tool_choice names function 'get_wether', which is not in the case's tools; did you mean 'get_weather'?"
        ),
        BadSuite(
            name: "tool_choice required without tools",
            yaml: "cases:\n  - id: a\n    prompt: x\n    tool_choice: required\n",
            line: 4, column: 18, message: "tool_choice 'required' needs tools, but there are none"),
        BadSuite(
            name: "unknown tool_choice word", yaml: tools + "  - id: a\n    prompt: x\n    tool_choice: requred\n",
            line: 6,
            column: 18,
            message:
                "unknown tool_choice 'requred'; expected auto, required, none or {type: function, function: {name: …}} (did you mean 'required'?)"
        ),
        BadSuite(
            name: "empty expect", yaml: "cases:\n  - id: a\n    prompt: x\n    expect: {}\n", line: 4, column: 13,
            message: "'expect' has no field; expected one of: tool_call, tool_calls, no_tool, text, contains, regex"),
        BadSuite(
            name: "tool_call and tool_calls",
            yaml: tools
                + "  - id: a\n    prompt: x\n    expect:\n      tool_call: {name: get_weather}\n      tool_calls: [{name: get_weather}]\n",
            line: 8, column: 7, message: "'expect' has both 'tool_call' and 'tool_calls'; use one of them"),
        BadSuite(
            name: "expected call to an unknown tool",
            yaml: tools + "  - id: a\n    prompt: x\n    expect: {tool_call: {name: search}}\n", line: 6, column: 32,
            message: "expects a call to 'search', which is not in the case's tools (get_weather)"),
        BadSuite(
            name: "expected call without tools",
            yaml: "cases:\n  - id: a\n    prompt: x\n    expect: {tool_call: {name: f}}\n",
            line: 4, column: 32, message: "expects a call to 'f', but the case has no tools"),
        BadSuite(
            name: "invalid regex", yaml: "cases:\n  - id: a\n    prompt: x\n    expect:\n      regex: \"([a-z\"\n",
            line: 5,
            column: 14, message: "invalid regular expression \"([a-z\""),
        BadSuite(
            name: "repeat below 1", yaml: "cases:\n  - id: a\n    prompt: x\n    repeat: 0\n", line: 4, column: 13,
            message: "'repeat' must be at least 1, found 0"),
        BadSuite(
            name: "tool without function name",
            yaml: "tools:\n  - type: function\n    function: {description: d}\ncases:\n  - {id: a, prompt: x}\n",
            line: 3, column: 15, message: "tool function has no 'name'"),
        BadSuite(
            name: "tool without function",
            yaml: "tools:\n  - {type: function, name: f}\ncases:\n  - {id: a, prompt: x}\n",
            line: 2, column: 5, message: "tool has no 'function'; expected {type: function, function: {name: …}}"),
        BadSuite(
            name: "no_tool false", yaml: "cases:\n  - id: a\n    prompt: x\n    expect: {no_tool: false}\n", line: 4,
            column: 23,
            message: "'no_tool' only takes true; leave it out to not check tool calls"),
        BadSuite(
            name: "unknown repeat_seed", yaml: "repeat_seed: random\ncases:\n  - {id: a, prompt: x}\n", line: 1,
            column: 14, message: "unknown repeat_seed 'random'; expected one of: fixed, vary"),
        BadSuite(
            name: "repeat_seed on a case", yaml: "cases:\n  - {id: a, prompt: x, repeat_seed: vary}\n", line: 2,
            column: 24,
            message:
                "unknown key 'repeat_seed' in case; expected one of: id, prompt, messages, tools, tool_choice, parameters, expect, tags, repeat"
        ),
        BadSuite(
            name: "repeat as text", yaml: "cases:\n  - id: a\n    prompt: x\n    repeat: twice\n", line: 4, column: 13,
            message: "expected an integer for 'repeat', found a string (\"twice\")"),
    ]

    @Test(arguments: badSuites)
    func rejectsBadSuite(_ bad: BadSuite) {
        #expect {
            try SuiteLoader.parse(yaml: bad.yaml, file: "suite.yaml")
        } throws: { error in
            guard let error = error as? InputError else { return false }
            #expect(error.description == "suite.yaml:\(bad.line):\(bad.column): error: \(bad.message)")
            return error.location == SourceLocation(file: "suite.yaml", line: bad.line, column: bad.column)
        }
    }

    @Test func aMissingSuiteFileIsAnError() {
        #expect(throws: InputError(file: "/nonexistent/s.yaml", "no such suite file")) {
            try SuiteLoader.load(path: "/nonexistent/s.yaml")
        }
    }

    @Test func convertsYAMLScalarsToJSONByTheCoreSchema() throws {
        let reader = YAMLReader(file: "f", environment: nil)
        let node = try reader.root(
            of:
                "{i: 1, neg: -3, hex: 0x1F, f: 1.5, e: 1e3, s: \"1\", t: '2.0', yes: yes, on: off, b: false, n: ~, d: 2025-01-02, l: [1, a]}"
        )
        let value = try reader.json(node, key: "x")
        #expect(
            value == [
                "i": 1, "neg": -3, "hex": 31, "f": 1.5, "e": .double(1000), "s": "1", "t": "2.0", "yes": "yes",
                "on": "off",
                "b": false, "n": nil, "d": "2025-01-02", "l": [1, "a"],
            ])
    }
}
