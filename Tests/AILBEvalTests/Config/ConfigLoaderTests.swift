import Foundation
import Testing

@testable import AILBEval

/// The repository root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A file under `Tests/AILBEvalTests/Fixtures/config/`.
func configFixture(_ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/AILBEvalTests/Fixtures/config/\(name)").path
}

@Suite struct ConfigLoaderTests {
    let environment = ["TEAM": "eval", "HOME": "/home/me", "LMSTUDIO_KEY": "secret"]

    @Test func parsesEveryKeyOfAFullConfig() throws {
        let config = try ConfigLoader.load(path: configFixture("full-config.yaml"), environment: environment)
        #expect(config.sourcePath == configFixture("full-config.yaml"))
        #expect(config.backends.map(\.name) == ["studio-8bit", "replicas", "sim-4bit", "lb"])

        let studio = config.backends[0]
        #expect(studio.kind == .openai)
        #expect(studio.urls == [URL(string: "http://192.168.1.20:1234/v1")!])
        #expect(studio.model == "qwen2.5-7b-instruct-mlx")
        #expect(studio.family == "qwen2.5-7b-instruct")
        #expect(studio.quant == "8bit")
        #expect(studio.maxConcurrency == 4)
        #expect(studio.timeout == 60)
        #expect(studio.apiKeyEnv == "LMSTUDIO_KEY")
        #expect(studio.headers == ["X-Team": "eval", "X-Literal": "${NOT_EXPANDED}"])
        #expect(studio.mock == nil)
        #expect(studio.ailbOptions == nil)
        #expect(studio.location == SourceLocation(file: configFixture("full-config.yaml"), line: 3, column: 5))

        let replicas = config.backends[1]
        #expect(replicas.urls.map(\.absoluteString) == ["http://a.local:8000/v1", "https://b.local/v1"])
        #expect(replicas.family == "qwen2.5:7b-instruct")
        #expect(replicas.timeout == nil)

        let sim = config.backends[2]
        #expect(sim.kind == .mock)
        #expect(sim.urls.isEmpty)
        var mock = MockBehavior()
        mock.seed = 7
        mock.drift = 0.15
        mock.noise = 0.05
        mock.latencyMs = 5
        mock.jitterMs = 10
        mock.errorRate = 0.01
        mock.errorStatus = 503
        #expect(sim.mock == mock)

        let lb = config.backends[3]
        #expect(lb.kind == .ailb)
        #expect(
            lb.ailbOptions
                == AILBOptions(
                    targetBackends: ["m2", "gentoo"], maxBackends: 3, executionTimeout: 45.5, requestTimeout: 30,
                    members: [
                        "m2": AILBMember(family: "llama-3.1-8b", quant: "fp16", address: "192.168.1.20:1234"),
                        "gentoo": AILBMember(quant: "Q8_0"),
                    ]))

        #expect(config.defaults.mode == .all)
        #expect(config.defaults.temperature == 0.2)
        #expect(config.defaults.maxTokens == nil)
        #expect(config.defaults.seed == 7)
        #expect(config.defaults.stream)
        #expect(config.defaults.repeats == 3)
        #expect(config.defaults.concurrency == 8)
        #expect(config.defaults.timeout == 90)
        #expect(config.defaults.retries == 0)
        #expect(config.consensus.threshold == 0.85)
        #expect(config.consensus.profile == .semantic)
        #expect(config.storagePath == "/home/me/eval.sqlite")
        #expect(config.reportsDir == "out/reports")
        #expect(config.referenceBackend == "studio-8bit")
        #expect(config.gates.minAgreement == 0.8)
        #expect(config.gates.minAccuracy == 0.7)
        #expect(config.gates.maxSpurious == 0.1)
        #expect(config.gates.maxLoadBalancerMismatches == 0)
        #expect(config.gates.perFamily == ["qwen2.5-7b-instruct": 0.8, "llama-3.1-8b": 0.5])
        #expect(config.gates.perQuant == ["4bit": 0.7, "Q8_0": 0.6])
        #expect(config.limits.maxResponseBytes == 1_048_576)
    }

    @Test func appliesDefaultsWhenSectionsAreMissing() throws {
        let config = try ConfigLoader.parse(
            yaml: "backends:\n  - {name: a, model: m, kind: mock}\n", file: "c.yaml", environment: [:])
        #expect(config.backends[0].mock == MockBehavior())
        #expect(config.defaults == RunDefaults())
        #expect(config.consensus == ConsensusSettings())
        #expect(config.gates == GateThresholds())
        #expect(config.storagePath == "ailb-eval.sqlite")
        #expect(config.reportsDir == "reports")
        #expect(config.referenceBackend == nil)
    }

    @Test func expandsEnvironmentVariablesInStringsAndNumbers() throws {
        let yaml = """
            backends:
              - name: b
                url: http://${HOST}:${PORT}/v1
                model: "${MODEL}-$${LITERAL}-$PLAIN"
                timeout: ${TIMEOUT}
            """
        let config = try ConfigLoader.parse(
            yaml: yaml, file: "c.yaml",
            environment: ["HOST": "gpu.local", "PORT": "8000", "MODEL": "llama", "TIMEOUT": "30"])
        #expect(config.backends[0].urls == [URL(string: "http://gpu.local:8000/v1")!])
        #expect(config.backends[0].model == "llama-${LITERAL}-$PLAIN")
        #expect(config.backends[0].timeout == 30)
    }

    @Test func theShippedConfigLoads() throws {
        let path = packageRoot.appendingPathComponent("config.yaml").path
        let config = try ConfigLoader.load(path: path, environment: [:])
        #expect(config.backends.map(\.name) == ["mac-studio-8bit", "macbook-4bit", "gentoo-ollama"])
        #expect(
            config.backends.allSatisfy { $0.kind == .mock && $0.urls.isEmpty && $0.family == "qwen2.5-7b-instruct" })
        #expect(config.backends.map(\.quant) == ["8bit", "4bit", "Q4_K_M"])
        #expect(config.backends.map { $0.mock?.drift } == [0.03, 0.15, 0.06])
        #expect(config.backends.map { $0.mock?.noise } == [0.02, 0.08, 0.05])
        #expect(config.defaults.mode == .consensus)
        #expect(config.gates.minAgreement == 0.6)
        #expect(config.referenceBackend == "mac-studio-8bit")
    }

    @Test func theEmbeddedDefaultIsTheShippedConfig() throws {
        let onDisk = try String(contentsOf: packageRoot.appendingPathComponent("config.yaml"), encoding: .utf8)
        #expect(ConfigLoader.embeddedDefaultYAML == onDisk)
        let config = try ConfigLoader.parse(yaml: ConfigLoader.embeddedDefaultYAML, file: "embedded", environment: [:])
        #expect(config.backends.count == 3)
    }

    @Test func theCommentedExamplesInTheShippedConfigAreValid() throws {
        let lines = ConfigLoader.embeddedDefaultYAML.split(separator: "\n", omittingEmptySubsequences: false)
        var examples: [String] = []
        for line in lines where line.hasPrefix("  # ") || line == "  #" {
            let body = line.dropFirst(4)
            if body.hasPrefix("- name:") {
                examples.append("  " + body)
            } else if body.hasPrefix("  "), !examples.isEmpty {
                examples[examples.count - 1] += "\n  " + body
            }
        }
        #expect(examples.count == 5)
        let yaml = "backends:\n" + examples.joined(separator: "\n") + "\n"
        let config = try ConfigLoader.parse(yaml: yaml, file: "examples", environment: [:])
        #expect(config.backends.map(\.kind) == [.openai, .openai, .openai, .openai, .ailb])
        #expect(config.backends.map { $0.urls.first?.port } == [1234, 11434, 8080, 8000, 8000])
    }

    @Test func aMissingFileIsAnErrorWithoutPosition() {
        #expect(throws: InputError(file: "/nonexistent/config.yaml", "no such config file")) {
            try ConfigLoader.load(path: "/nonexistent/config.yaml", environment: [:])
        }
    }

    @Test func describesErrorsWithAndWithoutPosition() {
        let located = InputError(at: SourceLocation(file: "c.yaml", line: 3, column: 7), "bad")
        #expect(located.description == "c.yaml:3:7: error: bad")
        #expect(InputError(file: "c.yaml", "empty").description == "c.yaml: error: empty")
        #expect(InputError("no file").description == "error: no file")
    }

    /// One bad config, the position of the error, and its message.
    struct BadConfig: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { name }
    }

    static let backend = "backends:\n  - name: b\n    url: http://h/v1\n    model: m\n"

    static let badConfigs: [BadConfig] = [
        BadConfig(
            name: "syntax error", yaml: "backends:\n  - name: [a\n", line: 3, column: 1,
            message: "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"),
        BadConfig(
            name: "tab indentation", yaml: "backends:\n\t- name: a\n", line: 2, column: 1,
            message:
                "invalid YAML: found character that cannot start any token (while scanning for the next token at line 2)"
        ),
        BadConfig(
            name: "two documents", yaml: backend + "---\nbackends: []\n", line: 5, column: 1,
            message: "expected a single YAML document, found a second one ('---')"),
        BadConfig(
            name: "not a mapping", yaml: "- a\n- b\n", line: 1, column: 1,
            message: "expected a mapping for the config, found a list"),
        BadConfig(
            name: "unknown top-level key", yaml: backend + "default:\n  mode: all\n", line: 5, column: 1,
            message: "unknown key 'default' in the config; did you mean 'defaults'?"),
        BadConfig(
            name: "unknown backend key", yaml: backend + "    timout: 5\n", line: 5, column: 5,
            message: "unknown key 'timout' in backend; did you mean 'timeout'?"),
        BadConfig(
            name: "unknown key without suggestion", yaml: backend + "storage: {colour: red}\n", line: 5, column: 11,
            message: "unknown key 'colour' in storage; expected one of: path, url, password_env"),
        BadConfig(
            name: "duplicate key", yaml: backend + "    model: n\n", line: 5, column: 5,
            message: "duplicate key 'model' (first at line 4)"),
        BadConfig(
            name: "duplicate key in flow mapping", yaml: backend + "defaults: {seed: 1, seed: 2}\n", line: 5,
            column: 21, message: "duplicate key 'seed' (first at line 5)"),
        BadConfig(
            name: "wrong type", yaml: backend + "    timeout: sixty\n", line: 5, column: 14,
            message: "expected a number for 'timeout', found a string (\"sixty\")"),
        BadConfig(
            name: "quoted number", yaml: backend + "    max_concurrency: \"4\"\n", line: 5, column: 22,
            message: "expected an integer for 'max_concurrency', found a string (\"4\")"),
        BadConfig(
            name: "list where a string belongs", yaml: backend + "    quant: [4bit]\n", line: 5, column: 12,
            message: "expected a string for 'quant', found a list"),
        BadConfig(
            name: "missing backends", yaml: "defaults: {mode: all}\n", line: 1, column: 1,
            message: "missing required key 'backends' (a list of backends)"),
        BadConfig(
            name: "no backends", yaml: "backends: []\n", line: 1, column: 11,
            message: "'backends' is empty; expected at least one backend"),
        BadConfig(
            name: "missing name", yaml: "backends:\n  - url: http://h/v1\n    model: m\n", line: 2, column: 5,
            message: "missing required key 'name' in backend"),
        BadConfig(
            name: "missing model", yaml: "backends:\n  - name: b\n    url: http://h/v1\n", line: 2, column: 5,
            message: "missing required key 'model' in backend 'b'"),
        BadConfig(
            name: "missing url", yaml: "backends:\n  - name: b\n    model: m\n", line: 2, column: 5,
            message: "missing required key 'url' (or 'urls') in backend 'b' of kind: openai"),
        BadConfig(
            name: "bad name", yaml: "backends:\n  - name: my backend\n    kind: mock\n    model: m\n", line: 2,
            column: 11, message: "invalid backend name 'my backend'; expected letters, digits, '.', '_' or '-'"),
        BadConfig(
            name: "duplicate backend", yaml: backend + "  - name: b\n    kind: mock\n    model: m\n", line: 5,
            column: 11, message: "duplicate backend name 'b' (first at line 2)"),
        BadConfig(
            name: "url without scheme", yaml: "backends:\n  - name: b\n    url: localhost:1234/v1\n    model: m\n",
            line: 3, column: 10,
            message:
                "invalid URL \"localhost:1234/v1\"; expected http:// or https:// and a host, like http://localhost:1234/v1"
        ),
        BadConfig(
            name: "url without host", yaml: "backends:\n  - name: b\n    urls: [\"http:///v1\"]\n    model: m\n",
            line: 3, column: 12,
            message:
                "invalid URL \"http:///v1\"; expected http:// or https:// and a host, like http://localhost:1234/v1"),
        BadConfig(
            name: "url and urls", yaml: backend + "    urls: [http://h2/v1]\n", line: 5, column: 5,
            message: "backend 'b' has both 'url' and 'urls'; use one of them"),
        BadConfig(
            name: "zero timeout", yaml: backend + "    timeout: 0\n", line: 5, column: 14,
            message: "'timeout' must be greater than 0, found 0"),
        BadConfig(
            name: "negative default timeout", yaml: backend + "defaults: {timeout: -5}\n", line: 5, column: 21,
            message: "'timeout' must be greater than 0, found -5"),
        BadConfig(
            name: "zero concurrency", yaml: backend + "defaults:\n  concurrency: 0\n", line: 6, column: 16,
            message: "'concurrency' must be at least 1, found 0"),
        BadConfig(
            name: "zero max_concurrency", yaml: backend + "    max_concurrency: 0\n", line: 5, column: 22,
            message: "'max_concurrency' must be at least 1, found 0"),
        BadConfig(
            name: "threshold above 1", yaml: backend + "consensus: {threshold: 1.5}\n", line: 5, column: 24,
            message: "'threshold' must be between 0 and 1, found 1.5"),
        BadConfig(
            name: "gate below 0", yaml: backend + "gates:\n  min_agreement: -0.1\n", line: 6, column: 18,
            message: "'min_agreement' must be between 0 and 1, found -0.1"),
        BadConfig(
            name: "probability above 1",
            yaml: "backends:\n  - name: b\n    kind: mock\n    model: m\n    mock: {drift: 2}\n", line: 5,
            column: 19, message: "'drift' must be between 0 and 1, found 2"),
        BadConfig(
            name: "unknown mode", yaml: backend + "defaults: {mode: consensys}\n", line: 5, column: 18,
            message: "unknown mode 'consensys'; expected one of: race, all, sequence, consensus (did you mean 'consensus'?)"),
        BadConfig(
            name: "unknown repeat_seed", yaml: backend + "defaults:\n  repeat_seed: varry\n", line: 6, column: 16,
            message: "unknown repeat_seed 'varry'; expected one of: fixed, vary (did you mean 'vary'?)"),
        BadConfig(
            name: "repeat_seed not a word", yaml: backend + "defaults: {repeat_seed: [vary]}\n", line: 5, column: 25,
            message: "expected a string for 'repeat_seed', found a list"),
        BadConfig(
            name: "unknown profile", yaml: backend + "consensus: {profile: strict}\n", line: 5, column: 22,
            message: "unknown profile 'strict'; expected one of: ailb, semantic"),
        BadConfig(
            name: "unknown kind", yaml: backend + "    kind: olama\n", line: 5, column: 11,
            message: "unknown kind 'olama'; expected one of: openai, mock, ailb"),
        BadConfig(
            name: "unknown reference", yaml: backend + "reports: {reference: c}\n", line: 5, column: 22,
            message: "unknown backend 'c'; did you mean 'b'?"),
        BadConfig(
            name: "unknown family", yaml: backend + "gates:\n  per_family: {llama: 0.5}\n", line: 6, column: 16,
            message: "unknown family 'llama'; the configured ones are: m"),
        BadConfig(
            name: "unknown quant", yaml: backend + "    quant: 4bit\ngates:\n  per_quant: {8bit: 0.5}\n",
            line: 7, column: 15, message: "unknown quant '8bit'; did you mean '4bit'?"),
        BadConfig(
            name: "mock block on openai backend", yaml: backend + "    mock: {seed: 1}\n", line: 5, column: 5,
            message: "'mock' is only allowed for kind: mock, but backend 'b' is kind: openai"),
        BadConfig(
            name: "ailb option on openai backend", yaml: backend + "    max_backends: 2\n", line: 5, column: 5,
            message: "'max_backends' is only allowed for kind: ailb, but backend 'b' is kind: openai"),
        BadConfig(
            name: "unset variable", yaml: backend + "    api_key_env: KEY\n    headers: {X-Org: \"${ORG}\"}\n",
            line: 6, column: 22, message: "environment variable 'ORG' is not set"),
        BadConfig(
            name: "unterminated variable", yaml: backend + "storage: {path: \"${DIR/db\"}\n", line: 5, column: 17,
            message: "unterminated '${' in \"${DIR/db\"; expected '${NAME}' (write '$${' for a literal '${')"),
        BadConfig(
            name: "api key in api_key_env", yaml: backend + "    api_key_env: sk-123\n", line: 5, column: 18,
            message: "'api_key_env' must name an environment variable (like LMSTUDIO_KEY), found \"sk-123\""),
        BadConfig(
            name: "stream not a boolean", yaml: backend + "defaults: {stream: yes}\n", line: 5, column: 20,
            message: "expected true or false for 'stream', found a string (\"yes\")"),
        BadConfig(
            name: "negative ai-lb mismatch bar", yaml: backend + "gates:\n  max_lb_mismatch: -1\n", line: 6, column: 20,
            message: "'max_lb_mismatch' must be at least 0, found -1"),
        BadConfig(
            name: "zero ai-lb request timeout",
            yaml: "backends:\n  - name: lb\n    kind: ailb\n    url: http://h/v1\n    model: m\n    request_timeout: 0\n",
            line: 6, column: 22, message: "'request_timeout' must be greater than 0, found 0"),
        BadConfig(
            name: "member address not host:port",
            yaml: "backends:\n  - name: lb\n    kind: ailb\n    url: http://h/v1\n    model: m\n"
                + "    members:\n      m2: {address: \"http://h:1/v1\"}\n", line: 7, column: 21,
            message: "member 'm2': address 'http://h:1/v1' is not host:port as ai-lb reports it (e.g. 192.168.1.20:1234)"),
        BadConfig(
            name: "two members at one address",
            yaml: "backends:\n  - name: lb\n    kind: ailb\n    url: http://h/v1\n    model: m\n"
                + "    members:\n      m2: {address: \"h:1\"}\n      m3: {address: \"h:1\"}\n", line: 8, column: 21,
            message: "members 'm2' and 'm3' have the same address h:1"),
        BadConfig(
            name: "bad error status",
            yaml: "backends:\n  - name: b\n    kind: mock\n    model: m\n    mock: {error_status: 200}\n", line: 5,
            column: 26, message: "'error_status' must be an HTTP error status (400 to 599), found 200"),
    ]

    @Test(arguments: badConfigs)
    func rejectsBadConfig(_ bad: BadConfig) {
        #expect {
            try ConfigLoader.parse(yaml: bad.yaml, file: "config.yaml", environment: [:])
        } throws: { error in
            guard let error = error as? InputError else { return false }
            #expect(error.description == "config.yaml:\(bad.line):\(bad.column): error: \(bad.message)")
            return error.location == SourceLocation(file: "config.yaml", line: bad.line, column: bad.column)
        }
    }

    @Test(arguments: ["", "\n", "# only a comment\n"])
    func rejectsAnEmptyFile(yaml: String) {
        let start = SourceLocation(file: "config.yaml", line: 1, column: 1)
        #expect(throws: InputError(at: start, "the file is empty; expected a mapping")) {
            try ConfigLoader.parse(yaml: yaml, file: "config.yaml", environment: [:])
        }
    }
}
