import Foundation
import Testing

@testable import AILBEval

/// `models:` (canonical names mapped to each backend's id), `model: auto` and `preferred_models:`.
@Suite struct ModelNamingTests {
    static let twoServers = """
        models:
          qwen2.5-7b-instruct: {m4: "qwen2.5-7b-instruct-mlx@4bit", gentoo: "qwen2.5:7b-instruct"}
        backends:
          - name: m4
            url: http://m4.local:1234/v1
            model: qwen2.5-7b-instruct
            quant: 4bit
          - name: gentoo
            url: http://localhost:11434/v1
            model: qwen2.5-7b-instruct
            family: qwen-on-ollama
          - name: other
            url: http://localhost:8080/v1
            model: qwen2.5-7b-instruct
          - name: plain
            url: http://localhost:8081/v1
            model: llama-3.1-8b
        """

    @Test func aCanonicalNameBecomesEachBackendsOwnIdAndGroupsThemAsOneFamily() throws {
        let config = try ConfigLoader.parse(yaml: Self.twoServers, file: "config.yaml", environment: [:])
        let byName = Dictionary(uniqueKeysWithValues: config.backends.map { ($0.name, $0) })
        #expect(byName["m4"]?.model == "qwen2.5-7b-instruct-mlx@4bit")
        #expect(byName["m4"]?.canonicalModel == "qwen2.5-7b-instruct")
        #expect(byName["m4"]?.family == "qwen2.5-7b-instruct")
        #expect(byName["gentoo"]?.model == "qwen2.5:7b-instruct")
        // A family written in the config wins over the canonical name.
        #expect(byName["gentoo"]?.family == "qwen-on-ollama")
        // A backend the map does not name is asked for the canonical name itself, as ai-lb does.
        #expect(byName["other"]?.model == "qwen2.5-7b-instruct")
        #expect(byName["other"]?.canonicalModel == nil)
        #expect(byName["other"]?.family == "qwen2.5-7b-instruct")
        #expect(byName["plain"]?.model == "llama-3.1-8b")
        #expect(config.modelEquivalents["qwen2.5-7b-instruct"]?["gentoo"] == "qwen2.5:7b-instruct")
    }

    @Test func autoBackendsInheritTheTopLevelPreferenceUnlessTheyHaveTheirOwn() throws {
        let yaml = """
            preferred_models: [qwen2.5-7b-instruct, llama-3.1-8b]
            backends:
              - {name: a, url: "http://a:1/v1", model: auto}
              - {name: b, url: "http://b:1/v1", model: auto, preferred_models: [phi-4]}
              - {name: c, url: "http://c:1/v1", model: fixed}
            """
        let config = try ConfigLoader.parse(yaml: yaml, file: "config.yaml", environment: [:])
        #expect(config.preferredModels == ["qwen2.5-7b-instruct", "llama-3.1-8b"])
        #expect(config.backends.map(\.preferredModels) == [["qwen2.5-7b-instruct", "llama-3.1-8b"], ["phi-4"], []])
        #expect(config.backends.map(\.modelIsAuto) == [true, true, false])
    }

    static let badConfigs: [ConfigLoaderTests.BadConfig] = [
        ConfigLoaderTests.BadConfig(
            name: "unknown backend in models",
            yaml: "models:\n  qwen: {gentu: \"qwen2.5:7b\"}\nbackends:\n  - {name: gentoo, url: \"http://h:1/v1\", model: qwen}\n",
            line: 2, column: 10, message: "unknown backend 'gentu'; did you mean 'gentoo'? (in models: qwen)"),
        ConfigLoaderTests.BadConfig(
            name: "models entry not a mapping",
            yaml: "models:\n  qwen: [a]\nbackends:\n  - {name: a, url: \"http://h:1/v1\", model: qwen}\n", line: 2,
            column: 9, message: "expected a mapping for model 'qwen', found a list"),
        ConfigLoaderTests.BadConfig(
            name: "auto as canonical name",
            yaml: "models:\n  auto: {a: x}\nbackends:\n  - {name: a, url: \"http://h:1/v1\", model: qwen}\n", line: 2,
            column: 3, message: "'auto' cannot be a canonical model name in 'models'"),
        ConfigLoaderTests.BadConfig(
            name: "preferred_models without auto",
            yaml: "backends:\n  - name: a\n    url: http://h:1/v1\n    model: qwen\n    preferred_models: [x]\n", line: 5,
            column: 5, message: "'preferred_models' only applies with model: auto, but backend 'a' has model: qwen"),
        ConfigLoaderTests.BadConfig(
            name: "empty preferred_models",
            yaml: "preferred_models: []\nbackends:\n  - {name: a, url: \"http://h:1/v1\", model: auto}\n", line: 1,
            column: 19, message: "'preferred_models' is empty; expected at least one model"),
        ConfigLoaderTests.BadConfig(
            name: "kind ailb-member is not for config files",
            yaml: "backends:\n  - {name: a, url: \"http://h:1/v1\", model: m, kind: ailb-member}\n", line: 2, column: 53,
            message: "unknown kind 'ailb-member'; expected one of: openai, mock, ailb"),
    ]

    @Test(arguments: badConfigs)
    func rejectsBadModelNaming(_ bad: ConfigLoaderTests.BadConfig) {
        #expect {
            try ConfigLoader.parse(yaml: bad.yaml, file: "config.yaml", environment: [:])
        } throws: { error in
            guard let error = error as? InputError else { return false }
            #expect(error.description == "config.yaml:\(bad.line):\(bad.column): error: \(bad.message)")
            return true
        }
    }

    @Test func theCommentedModelsExampleInTheShippedConfigIsValid() throws {
        let lines = ConfigLoader.embeddedDefaultYAML.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "# models:"))
        let example = lines[start...].prefix { $0.hasPrefix("# ") }.map { $0.dropFirst(2) }.joined(separator: "\n")
        let config = try ConfigLoader.parse(
            yaml: ConfigLoader.embeddedDefaultYAML + "\n" + example + "\n", file: "example", environment: [:])
        #expect(config.preferredModels == ["qwen2.5-7b-instruct"])
        #expect(config.modelEquivalents["qwen2.5-7b-instruct"]?["gentoo-ollama"] == "qwen2.5:7b-instruct")
    }

    @Test func autoPicksTheFirstListedModelOrTheFirstListedPreference() {
        var backend = BackendConfig(name: "m4", model: "auto")
        let equivalents = ["qwen": ["m4": "qwen-mlx@4bit", "gentoo": "qwen:7b"]]
        #expect(ModelResolver.choose(listed: ["z", "qwen-mlx@4bit"], for: backend, equivalents: equivalents)! == ("z", nil))
        #expect(ModelResolver.choose(listed: ["qwen-mlx@4bit"], for: backend, equivalents: equivalents)! == ("qwen-mlx@4bit", "qwen"))
        #expect(ModelResolver.choose(listed: [], for: backend, equivalents: equivalents) == nil)

        backend.preferredModels = ["phi-4", "qwen"]
        // The preferred canonical name matches this backend's own id for it.
        #expect(ModelResolver.choose(listed: ["a", "qwen-mlx@4bit"], for: backend, equivalents: equivalents)! == ("qwen-mlx@4bit", "qwen"))
        #expect(ModelResolver.choose(listed: ["qwen", "phi-4"], for: backend, equivalents: equivalents)! == ("phi-4", nil))
        // A load balancer lists its members' ids: another backend's id of the same canonical model matches.
        #expect(ModelResolver.choose(listed: ["qwen:7b"], for: backend, equivalents: equivalents)! == ("qwen:7b", "qwen"))
        #expect(ModelResolver.choose(listed: ["a", "b"], for: backend, equivalents: equivalents) == nil)
    }
}
