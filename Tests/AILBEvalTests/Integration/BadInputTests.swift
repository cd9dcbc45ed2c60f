import Foundation
import Testing

@testable import AILBEval

/// Malformed configs and suites through the real binary: each exits 2 with `file:line:` and a message,
/// never a crash or a stack trace, and writes nothing (no database, no report folder).
@Suite struct BadInputTests {
    /// What to put where: the bad file, and which file and line the message must name.
    struct Case: CustomTestStringConvertible, Sendable {
        enum Target: Sendable {
            /// `config.yaml` with these bytes (the suite is the valid `mini.yaml`).
            case config([UInt8])
            /// `bad.yaml` with these bytes, run as the suite (the config is valid).
            case suite([UInt8])
            /// A directory where the config file should be.
            case configDirectory
            /// A directory given as the suite.
            case suiteDirectory
        }

        var name: String
        var target: Target
        var line: Int
        /// A part of the message that shows the problem was understood.
        var message: String

        var testDescription: String { name }

        var file: String {
            switch target {
            case .config, .configDirectory: "config.yaml"
            case .suite, .suiteDirectory: "bad.yaml"
            }
        }

        static func config(_ name: String, _ yaml: String, line: Int, message: String) -> Case {
            Case(name: "config: " + name, target: .config(Array(yaml.utf8)), line: line, message: message)
        }

        static func suite(_ name: String, _ yaml: String, line: Int, message: String) -> Case {
            Case(name: "suite: " + name, target: .suite(Array(yaml.utf8)), line: line, message: message)
        }
    }

    static let backend = "backends:\n  - name: a\n    kind: mock\n    model: m\n"
    static let goodConfig = backend + "defaults: {timeout: 5}\n"
    static let suiteHead = "name: s\ncases:\n  - id: one\n    prompt: Hello?\n"

    /// A suite of about 10 MB, valid except for its size.
    static let tenMegabyteSuite: [UInt8] = {
        var text = "name: big\ncases:\n"
        var n = 0
        while text.utf8.count < 10_000_000 {
            text += "  - id: case-\(n)\n    prompt: \"" + String(repeating: "lorem ipsum ", count: 40) + "\(n)\"\n"
            n += 1
        }
        return Array(text.utf8)
    }()

    /// Nine levels of ten aliases each: 10⁹ strings once expanded.
    static let billionLaughs: String = {
        var text = "name: lol\nparameters:\n  l0: &l0 \"lol\"\n"
        for level in 1...9 {
            text += "  l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return text + "cases:\n  - id: one\n    prompt: Hi\n"
    }()

    static let cases: [Case] = [
        // Config: YAML syntax
        .config("unclosed flow sequence", "backends: [\n  {name: a, model: m\n", line: 3, message: "invalid YAML"),
        .config("tab indentation", backend + "\tdefaults: {}\n", line: 5, message: "invalid YAML"),
        .config("unclosed quote", backend + "storage: {path: \"db.sqlite}\n", line: 6, message: "invalid YAML"),
        .config("second document", goodConfig + "---\nbackends: []\n", line: 6, message: "expected a single YAML document"),
        .config("duplicate key", "backends:\n  - name: a\n    name: b\n    model: m\n", line: 3, message: "duplicate key 'name'"),
        // Config: whole-file problems
        .config("empty file", "", line: 1, message: "the file is empty"),
        .config("only a comment", "# nothing here\n", line: 1, message: "the file is empty"),
        Case(
            name: "config: not UTF-8", target: .config(Array((backend + "    quant: 4bit\n").utf8) + [0xFF, 0xFE, 0x0A]),
            line: 6, message: "not valid UTF-8 (byte 0xFF)"),
        Case(
            name: "config: Latin-1 in a value",
            target: .config(Array("backends:\n  - name: caf".utf8) + [0xE9] + Array("\n    model: m\n".utf8)), line: 2,
            message: "not valid UTF-8 (byte 0xE9)"),
        Case(name: "config: a directory", target: .configDirectory, line: 1, message: "this is a directory"),
        .config("a list at the top", "- name: a\n  model: m\n", line: 1, message: "expected a mapping for the config"),
        .config("a scalar at the top", "hello\n", line: 1, message: "expected a mapping for the config"),
        // Config: wrong types
        .config("backends is a string", "backends: localhost\n", line: 1, message: "expected a list for 'backends'"),
        .config("timeout is a word", backend + "    timeout: fast\n", line: 5, message: "expected a number for 'timeout'"),
        .config("stream is yes", goodConfig + "consensus: {profile: ailb}\ndefaults2: 1\n", line: 7, message: "unknown key 'defaults2'"),
        .config("max_concurrency is 1.5", backend + "    max_concurrency: 1.5\n", line: 5, message: "expected an integer"),
        .config("headers is a list", backend + "    headers: [a, b]\n", line: 5, message: "expected a mapping for 'headers'"),
        // Config: unknown keys and values
        .config("top-level typo", "backend:\n  - name: a\n", line: 1, message: "did you mean 'backends'?"),
        .config("backend key typo", backend + "    timout: 5\n", line: 5, message: "did you mean 'timeout'?"),
        .config(
            "unknown kind", "backends:\n  - name: a\n    kind: olama\n    model: m\n    url: http://h/v1\n", line: 3,
            message: "unknown kind 'olama'"),
        .config("unknown fault", backend + "    mock: {fault: explode}\n", line: 5, message: "unknown fault 'explode'"),
        .config(
            "unknown repeat_seed", backend + "defaults:\n  repeat_seed: sometimes\n", line: 6, message: "unknown repeat_seed 'sometimes'"),
        .config("unknown reference backend", goodConfig + "reports: {reference: b}\n", line: 6, message: "unknown backend 'b'"),
        // Config: values out of range
        .config("negative backend timeout", backend + "    timeout: -5\n", line: 5, message: "'timeout' must be greater than 0"),
        .config("negative default timeout", backend + "defaults: {timeout: -1}\n", line: 5, message: "'timeout' must be greater than 0"),
        .config("threshold 1.5", goodConfig + "consensus: {threshold: 1.5}\n", line: 6, message: "'threshold' must be between 0 and 1"),
        .config("negative retries", backend + "defaults: {retries: -1}\n", line: 5, message: "'retries' must be at least 0"),
        .config("zero concurrency", backend + "defaults: {concurrency: 0}\n", line: 5, message: "'concurrency' must be at least 1"),
        .config("gate above 1", goodConfig + "gates: {min_agreement: 2}\n", line: 6, message: "'min_agreement' must be between 0 and 1"),
        .config("error rate above 1", backend + "    mock: {error_rate: 1.2}\n", line: 5, message: "'error_rate' must be between 0 and 1"),
        .config("zero response cap", goodConfig + "limits: {max_response_bytes: 0}\n", line: 6, message: "must be at least 1"),
        // Config: backends
        .config(
            "URL without scheme", "backends:\n  - name: a\n    url: localhost:1234/v1\n    model: m\n", line: 3, message: "invalid URL"),
        .config("URL with ftp", "backends:\n  - name: a\n    url: ftp://host/v1\n    model: m\n", line: 3, message: "invalid URL"),
        .config("no URL", "backends:\n  - name: a\n    model: m\n", line: 2, message: "missing required key 'url'"),
        .config("no model", "backends:\n  - name: a\n    kind: mock\n", line: 2, message: "missing required key 'model'"),
        .config(
            "duplicate backend", backend + "  - name: a\n    kind: mock\n    model: m\n", line: 5, message: "duplicate backend name 'a'"),
        .config("empty backends", "backends: []\n", line: 1, message: "'backends' is empty"),
        .config(
            "key instead of variable", backend + "    api_key_env: sk-live-123\n", line: 5, message: "must name an environment variable"),
        .config("unset variable", backend + "    headers: {X-Team: \"${NO_SUCH_VARIABLE_HERE}\"}\n", line: 5, message: "is not set"),
        .config(
            "alias", backend + "    quant: &q 4bit\n  - name: b\n    kind: mock\n    model: m\n    quant: *q\n", line: 9, message: "aliases"
        ),
        // Suites: YAML syntax and whole-file problems
        .suite("bad indentation", "name: s\ncases:\n  - id: one\n   prompt: Hi\n", line: 4, message: "invalid YAML"),
        .suite("unclosed bracket", suiteHead + "    tags: [a, b\n", line: 6, message: "invalid YAML"),
        .suite(
            "duplicate key in a case", "name: s\ncases:\n  - id: one\n    id: two\n    prompt: Hi\n", line: 4, message: "duplicate key 'id'"
        ),
        .suite("empty file", "\n\n", line: 1, message: "the file is empty"),
        Case(name: "suite: not UTF-8", target: .suite(Array(suiteHead.utf8) + [0xC3, 0x28, 0x0A]), line: 5, message: "not valid UTF-8"),
        Case(name: "suite: a directory", target: .suiteDirectory, line: 1, message: "this is a directory"),
        Case(name: "suite: 10 MB", target: .suite(tenMegabyteSuite), line: 1, message: "files over 8.0 MiB are refused"),
        .suite("billion laughs", billionLaughs, line: 4, message: "aliases"),
        .suite("merge key", "name: s\nbase: &b {prompt: Hi}\ncases:\n  - id: one\n    <<: *b\n", line: 5, message: "aliases"),
        .suite(
            "alias in a case", "name: s\ncases:\n  - id: one\n    prompt: &p Hi\n  - id: two\n    prompt: *p\n", line: 6, message: "aliases"
        ),
        // Suites: structure and values
        .suite("no cases", "name: s\n", line: 1, message: "missing required key 'cases'"),
        .suite("empty cases", "name: s\ncases: []\n", line: 2, message: "'cases' is empty"),
        .suite("duplicate case id", suiteHead + "  - id: one\n    prompt: Again?\n", line: 5, message: "duplicate case id 'one'"),
        .suite("neither prompt nor messages", "name: s\ncases:\n  - id: one\n", line: 3, message: "neither 'prompt' nor 'messages'"),
        .suite("case key typo", "name: s\ncases:\n  - id: one\n    promt: Hi\n", line: 4, message: "did you mean 'prompt'?"),
        .suite(
            "regex that does not compile", suiteHead + "    expect: {regex: \"([a-z\"}\n", line: 5, message: "invalid regular expression"),
        .suite("repeat 0", suiteHead + "    repeat: 0\n", line: 5, message: "'repeat' must be at least 1"),
        .suite("messages is a string", "name: s\ncases:\n  - id: one\n    messages: hi\n", line: 4, message: "expected a list"),
        .suite("unknown role", "name: s\ncases:\n  - id: one\n    messages: [{role: robot, content: hi}]\n", line: 4, message: "robot"),
        .suite(
            "tool_choice names no tool", suiteHead + "    tool_choice: {type: function, function: {name: f}}\n", line: 5, message: "'f'"),
        .suite(
            "unknown repeat_seed", "name: s\nrepeat_seed: varry\n" + String(suiteHead.dropFirst("name: s\n".count)), line: 2,
            message: "unknown repeat_seed 'varry'"),
        .suite("a scalar", "just a sentence\n", line: 1, message: "expected a mapping"),
    ]

    @Test(arguments: cases)
    func exitsTwoNamingFileAndLineAndWritesNothing(_ bad: Case) async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        var arguments = ["mini.yaml"]
        switch bad.target {
        case .config(let bytes):
            try Data(bytes).write(to: cli.directory.appendingPathComponent("config.yaml"))
        case .configDirectory:
            try FileManager.default.createDirectory(atPath: cli.path("config.yaml"), withIntermediateDirectories: false)
        case .suite(let bytes):
            try Data(Self.goodConfig.utf8).write(to: cli.directory.appendingPathComponent("config.yaml"))
            try Data(bytes).write(to: cli.directory.appendingPathComponent("bad.yaml"))
            arguments = ["bad.yaml"]
        case .suiteDirectory:
            try Data(Self.goodConfig.utf8).write(to: cli.directory.appendingPathComponent("config.yaml"))
            try FileManager.default.createDirectory(atPath: cli.path("bad.yaml"), withIntermediateDirectories: false)
            arguments = ["bad.yaml"]
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted()
        let result = try await cli.runDetached(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("ailb-eval: \(bad.file):\(bad.line):"), "\(result.stderr)")
        #expect(result.stderr.contains(bad.message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2, "one message, no trace: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted() == before)
    }

    @Test func theTableCoversAtLeastFortyInputs() {
        #expect(Self.cases.count >= 40)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }
}
