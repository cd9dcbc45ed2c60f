import Testing

@testable import AILBEval

/// `fault:` in a mock backend's `mock:` block: how a config rehearses a misbehaving server.
@Suite struct MockFaultConfigTests {
    static func config(_ mock: String) -> String {
        "backends:\n  - name: flaky\n    kind: mock\n    model: m\n    mock: {\(mock)}\n"
    }

    @Test func everyFaultCanBeNamedInTheConfig() throws {
        for fault in MockFault.allCases {
            let config = try ConfigLoader.parse(yaml: Self.config("fault: \(fault.rawValue)"), file: "c.yaml", environment: [:])
            #expect(config.backends[0].mock?.fault == fault)
        }
        let plain = try ConfigLoader.parse(yaml: Self.config("seed: 1"), file: "c.yaml", environment: [:])
        #expect(plain.backends[0].mock?.fault == MockFault.none)
    }

    @Test func anUnknownFaultIsNamedWithASuggestion() {
        #expect {
            try ConfigLoader.parse(yaml: Self.config("fault: reset_mid_body"), file: "c.yaml", environment: [:])
        } throws: { error in
            let message = (error as? InputError)?.description ?? ""
            return message.hasPrefix("c.yaml:5:19: error: unknown fault 'reset_mid_body'")
                && message.contains("(did you mean 'resetMidBody'?)")
        }
    }

    @Test func theFaultIsPartOfTheStoredConfig() throws {
        let config = try ConfigLoader.parse(yaml: Self.config("fault: status503"), file: "c.yaml", environment: [:])
        let prepared = PreparedRun(
            config: config, suites: [], plan: RunPlan(suites: [], backends: config.backends, defaults: config.defaults),
            options: RunOptions(suitePaths: []), environment: [:])
        #expect(prepared.configSnapshot["backends"]?[0]?["mock"]?["fault"] == "status503")
    }
}
