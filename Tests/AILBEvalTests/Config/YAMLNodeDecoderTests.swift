import Testing

@testable import AILBEval

@Suite struct YAMLNodeDecoderTests {
    struct Closed: YAMLMapping {
        var name: String?
        var maxTokens: Located<Int?>?
        var sizes: [Located<Int>]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
            case maxTokens = "max_tokens"
            case sizes
        }

        static func yamlName(key: String) -> String { "thing" }
    }

    struct Open: Decodable {
        var name: String?
    }

    func decode<T: Decodable>(_ type: T.Type, _ yaml: String) throws(InputError) -> T {
        let reader = YAMLReader(file: "f.yaml", environment: ["N": "7"])
        return try reader.decode(T.self, from: reader.root(of: yaml))
    }

    @Test func caseIterableKeysCloseAMappingAndOthersLeaveItOpen() throws {
        #expect(
            throws: InputError(at: SourceLocation(file: "f.yaml", line: 1, column: 11), "unknown key 'nme' in thing; did you mean 'name'?")
        ) {
            try decode(Closed.self, "{name: a, nme: b}")
        }
        #expect(
            throws: InputError(
                at: SourceLocation(file: "f.yaml", line: 2, column: 1),
                "unknown key 'colour' in thing; expected one of: name, max_tokens, sizes")
        ) {
            try decode(Closed.self, "name: a\ncolour: red\n")
        }
        #expect(try decode(Open.self, "{name: a, other: [1, 2]}").name == "a")
    }

    @Test func aKeyWrittenAsNullIsNotAnAbsentKey() throws {
        #expect(try decode(Closed.self, "name: a").maxTokens == nil)
        let null = try #require(try decode(Closed.self, "max_tokens: null").maxTokens)
        #expect(null.value == nil)
        #expect(null.location == SourceLocation(file: "f.yaml", line: 1, column: 13))
        #expect(null.keyLocation == SourceLocation(file: "f.yaml", line: 1, column: 1))
        #expect(throws: InputError(at: SourceLocation(file: "f.yaml", line: 1, column: 7), "expected a string for 'name', found null")) {
            try decode(Closed.self, "name: ~")
        }
    }

    @Test func listItemsKeepTheirPositionsAndAreNamedByTheirList() throws {
        let sizes = try #require(try decode(Closed.self, "sizes:\n  - 1\n  - ${N}\n").sizes)
        #expect(sizes.map(\.value) == [1, 7])
        #expect(sizes.map(\.location.line) == [2, 3])
        #expect(sizes[1].keyLocation == nil)
        #expect(
            throws: InputError(
                at: SourceLocation(file: "f.yaml", line: 3, column: 5), "expected an integer for 'sizes', found a string (\"x\")")
        ) {
            try decode(Closed.self, "sizes:\n  - 1\n  - x\n")
        }
    }

    @Test func aMappingOfAnotherShapeIsNamedByItsType() {
        #expect(throws: InputError(at: SourceLocation(file: "f.yaml", line: 1, column: 1), "expected a mapping for thing, found a list")) {
            try decode(Closed.self, "[a, b]")
        }
    }

    /// Every closed mapping of config.yaml and of suites refuses a key it does not declare, so none of
    /// them silently ignores a typo.
    @Test(arguments: [
        ("defaults: {mode: all, moed: x}", "defaults"), ("consensus: {profil: x}", "consensus"),
        ("reports: {dri: x}", "reports"), ("gates: {min_agreemnt: 1}", "gates"), ("limits: {max: 1}", "limits"),
        ("storage: {pth: x}", "storage"),
    ])
    func everyConfigSectionIsClosed(section: String, name: String) {
        let yaml = "backends:\n  - {name: a, kind: mock, model: m, mock: {seed: 1}}\n" + section + "\n"
        #expect {
            try ConfigLoader.parse(yaml: yaml, file: "c.yaml", environment: [:])
        } throws: { error in
            (error as? InputError)?.message.hasPrefix("unknown key") == true
                && (error as? InputError)?.message.contains(" in \(name);") == true
        }
    }

    @Test(arguments: [
        ("  - {name: a, kind: mock, model: m, mock: {sed: 1}}", "mock"),
        ("  - {name: a, kind: ailb, url: \"http://h/v1\", model: m, members: {m2: {fam: x}}}", "member 'm2'"),
        ("  - {name: a, kind: mock, model: m, ca_fil: x}", "backend"),
    ])
    func everyBackendMappingIsClosed(backend: String, name: String) {
        #expect {
            try ConfigLoader.parse(yaml: "backends:\n" + backend + "\n", file: "c.yaml", environment: [:])
        } throws: { error in
            (error as? InputError)?.message.contains("unknown key") == true
                && (error as? InputError)?.message.contains(" in \(name);") == true
        }
    }

    @Test(arguments: [
        ("{id: a, messages: [{role: user, content: x, nam: y}]}", "message"),
        ("{id: a, prompt: x, tool_choice: {type: function, function: {name: f}, extra: 1}}", "tool_choice"),
        ("{id: a, prompt: x, tool_choice: {type: function, function: {name: f, nme: g}}}", "tool_choice function"),
        ("{id: a, prompt: x, expect: {tool_call: {name: f, args: {}}}}", "expected tool call"),
    ])
    func everySuiteMappingIsClosed(testCase: String, name: String) {
        let yaml = "tools: [{type: function, function: {name: f}}]\ncases:\n  - " + testCase + "\n"
        #expect {
            try SuiteLoader.parse(yaml: yaml, file: "s.yaml")
        } throws: { error in
            (error as? InputError)?.message.contains("unknown key") == true
                && (error as? InputError)?.message.contains(" in \(name);") == true
        }
    }

    @Test func toolsKeepTheirOwnFields() throws {
        let yaml = """
            tools:
              - {type: function, strict: true, function: {name: f, description: d, parameters: {type: object}}}
            cases:
              - {id: a, prompt: x}
            """
        let suite = try SuiteLoader.parse(yaml: yaml, file: "s.yaml")
        #expect(suite.cases[0].tools?.first?["strict"] == true)
        #expect(suite.cases[0].tools?.first?["function"]?["description"] == "d")
    }
}
