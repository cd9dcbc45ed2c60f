import Foundation
import Testing
import Yams

@testable import AILBEval

/// Suites whose cases are in JSON Lines files (`cases: {file: big.jsonl}`): read a line at a time, checked
/// as cases written in YAML are, with every message at the file, line and column.
@Suite struct JSONLinesSuiteTests {
    /// A scratch folder with `files` (path → text) written into it.
    struct Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ailb-jsonl-\(UUID().uuidString)")

        init(_ files: [String: String]) throws {
            for (name, text) in files { try write(name, text) }
        }

        func write(_ name: String, _ text: String) throws {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    /// The four cases of `full-suite.yaml`, one JSON object a line.
    static let fullSuiteLines = [
        #"{"id": "weather", "prompt": "Weather in Paris?", "tags": ["weather", "single"], "repeat": 3, "expect": {"tool_call": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2, "ratio": 1.0, "code": "1", "flag": "no", "date": "2025-07-14", "when": "12:30", "none": null, "ok": true}}}}"#,
        #"{"id": "chat", "messages": [{"role": "system", "content": "Own system prompt."}, {"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Say 4"}], "tools": [{"type": "function", "function": {"name": "echo"}}], "tool_choice": {"type": "function", "function": {"name": "echo"}}, "parameters": {"top_p": 0.5, "max_tokens": 5}, "expect": {"text": 4, "contains": "four", "regex": "^4$"}}"#,
        #"{"id": "parallel", "prompt": "Two calls.", "expect": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "A"}}, {"name": "calculator"}]}}"#,
        #"{"id": "plain", "prompt": "No tool here.", "expect": {"no_tool": true, "contains": ["a", "b"]}}"#,
    ]

    /// `full-suite.yaml` with its cases moved to `cases.jsonl` beside it.
    static func fullSuiteHeader() throws -> String {
        let yaml = try String(contentsOfFile: configFixture("full-suite.yaml"), encoding: .utf8)
        return String(yaml[..<yaml.range(of: "cases:\n")!.lowerBound])
    }

    @Test func aCaseFileGivesTheCasesTheSameSuiteWrittenInYAMLGives() throws {
        let folder = try Folder([
            "suite.yaml": try Self.fullSuiteHeader() + "cases: {file: cases.jsonl}\n",
            "cases.jsonl": Self.fullSuiteLines.joined(separator: "\n") + "\n",
        ])
        defer { folder.remove() }
        let fromLines = try SuiteLoader.load(path: folder.path("suite.yaml"))
        let fromYAML = try SuiteLoader.load(path: configFixture("full-suite.yaml"))
        #expect(fromLines.name == "sample")
        #expect(fromLines.cases.count == 4)
        func withoutLocation(_ suiteCase: SuiteCase) -> SuiteCase {
            var copy = suiteCase
            copy.location = nil
            return copy
        }
        #expect(fromLines.cases.map(withoutLocation) == fromYAML.cases.map(withoutLocation))
        #expect(fromLines.cases[1].location == SourceLocation(file: folder.path("cases.jsonl"), line: 2, column: 1))
    }

    @Test func casesInTheSuiteAndInFilesComeInTheOrderWrittenAndTheHashCoversTheFiles() throws {
        let folder = try Folder([
            "suites/mixed.yaml": "cases:\n  - {id: first, prompt: one}\n  - file: data/more.jsonl\n  - {id: last, prompt: three}\n",
            "suites/data/more.jsonl": "\u{FEFF}{\"id\": \"second\", \"prompt\": 2}\r\n\n   \n{\"id\": \"third\", \"prompt\": \"é\"}",
        ])
        defer { folder.remove() }
        let suite = try SuiteLoader.load(path: folder.path("suites/mixed.yaml"))
        #expect(suite.cases.map(\.id) == ["first", "second", "third", "last"])
        #expect(suite.cases[1].promptText == "2")
        #expect(suite.cases[2].location?.line == 4)
        let yaml = try Data(contentsOf: URL(fileURLWithPath: folder.path("suites/mixed.yaml")))
        let lines = try Data(contentsOf: URL(fileURLWithPath: folder.path("suites/data/more.jsonl")))
        #expect(suite.contentHash == SHA256.hex(Array(yaml) + Array(lines)))

        try folder.write("suites/data/more.jsonl", "{\"id\": \"second\", \"prompt\": 2}\n{\"id\": \"third\", \"prompt\": \"e\"}\n")
        #expect(try SuiteLoader.load(path: folder.path("suites/mixed.yaml")).contentHash != suite.contentHash)
    }

    /// A bad case file, and the error it gives.
    struct BadLines: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: String
        var location: String
        var message: String
        var testDescription: String { name }
    }

    static let badLines: [BadLines] = [
        BadLines(
            name: "unknown key", lines: "{\"id\": \"a\", \"prompt\": \"x\"}\n\n{\"id\": \"b\", \"promt\": \"x\"}\n",
            location: "3:13", message: "unknown key 'promt' in case; did you mean 'prompt'?"),
        BadLines(
            name: "not JSON", lines: "{\"id\": \"a\", \"prompt\": }\n", location: "1:23",
            message: "invalid JSON: unexpected character"),
        BadLines(
            name: "not an object", lines: "[\"a\"]\n", location: "1:1", message: "expected a mapping for case, found a list"),
        BadLines(
            name: "wrong type", lines: "{\"id\": \"a\", \"prompt\": \"x\", \"repeat\": \"twice\"}\n", location: "1:38",
            message: "expected an integer for 'repeat', found a string (\"twice\")"),
        BadLines(
            name: "column in characters", lines: "{\"id\": \"é\", \"prompt\": \"ü\", \"expect\": {}}\n", location: "1:38",
            message: "'expect' has no field; expected one of: tool_call, tool_calls, no_tool, text, contains, regex"),
        BadLines(
            name: "duplicate key", lines: "{\"id\": \"a\", \"prompt\": \"x\", \"prompt\": \"y\"}\n", location: "1:28",
            message: "duplicate key 'prompt' in case (first at line 1)"),
        BadLines(
            name: "expected call without tools",
            lines: "{\"id\": \"a\", \"prompt\": \"x\", \"expect\": {\"tool_call\": {\"name\": \"f\"}}}\n", location: "1:61",
            message: "expects a call to 'f', but the case has no tools"),
        BadLines(
            name: "not UTF-8", lines: "{\"id\": \"a\", \"prompt\": \"x\u{FF}\"}\n", location: "1:25",
            message: "the case file is not valid UTF-8 (byte 0xFF); save it as UTF-8"),
    ]

    @Test(arguments: badLines)
    func aBadLineIsAnErrorAtItsLineAndColumn(_ bad: BadLines) throws {
        let folder = try Folder(["suite.yaml": "cases: {file: big.jsonl}\n"])
        defer { folder.remove() }
        var bytes = Array(bad.lines.utf8)
        // "x\u{FF}" stands for "x" and the byte 0xFF, which is not UTF-8 (a Swift string cannot hold it).
        if let marker = bad.lines.range(of: "x\u{FF}") {
            let offset = bad.lines.utf8.distance(from: bad.lines.startIndex, to: marker.lowerBound) + 1
            bytes.replaceSubrange(offset..<offset + 2, with: [0xFF])
        }
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path("big.jsonl")))
        #expect {
            try SuiteLoader.load(path: folder.path("suite.yaml"))
        } throws: { error in
            (error as? InputError)?.description == "\(folder.path("big.jsonl")):\(bad.location): error: \(bad.message)"
        }
    }

    /// A suite file whose path is one character long (`s`, given relative): its case file is found beside it.
    /// (Foundation's path functions trap on such a path on Linux.)
    @Test func aSuiteNamedByOneLetterFindsItsCaseFile() async throws {
        #expect(SuiteResolver.path(of: "c.jsonl", besides: "s") == "c.jsonl")
        #expect(SuiteResolver.path(of: "c.jsonl", besides: "d/s") == "d/c.jsonl")
        #expect(SuiteResolver.path(of: "/abs/c.jsonl", besides: "d/s") == "/abs/c.jsonl")
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        try "name: one\ncases: {file: c.jsonl}\n".write(toFile: cli.path("s"), atomically: true, encoding: .utf8)
        try #"{"id": "a", "prompt": "Hi"}"#.write(toFile: cli.path("c.jsonl"), atomically: true, encoding: .utf8)
        let result = try await cli.runDetached(["s", "--quiet", "--out", "r"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 cases"), "\(result.stdout)")
    }

    @Test func aMissingEmptyOrMisnamedCaseFileIsAnErrorInTheSuite() throws {
        let folder = try Folder(["empty.jsonl": "\n \n", "dir/.keep": ""])
        defer { folder.remove() }
        let cases: [(String, String)] = [
            (
                "cases: {file: nope.jsonl}\n",
                "1:15: error: no such case file 'nope.jsonl' (looked for \(folder.path("nope.jsonl")))"
            ),
            (
                "cases: {file: empty.jsonl}\n",
                "1:15: error: the case file 'empty.jsonl' holds no case; expected a JSON object a line (\(folder.path("empty.jsonl")))"
            ),
            (
                "cases: {file: dir}\n",
                "1:15: error: the case file 'dir' is a directory; expected a JSON Lines file (\(folder.path("dir")))"
            ),
            ("cases: {files: a.jsonl}\n", "1:9: error: unknown key 'files' in case file; did you mean 'file'?"),
            ("cases:\n  - {file: a.jsonl, id: x}\n", "2:21: error: unknown key 'id' in case file; expected one of: file"),
            ("cases: many\n", "1:8: error: expected a list of cases or {file: …} for 'cases', found a string (\"many\")"),
        ]
        for (yaml, message) in cases {
            try folder.write("suite.yaml", yaml)
            do {
                _ = try SuiteLoader.load(path: folder.path("suite.yaml"))
                Issue.record("\(yaml) loaded")
            } catch {
                #expect("\(error)" == "\(folder.path("suite.yaml")):\(message)")
            }
        }
    }

    @Test func anIdUsedInTheSuiteAndInItsCaseFileIsADuplicate() throws {
        let folder = try Folder([
            "suite.yaml": "cases:\n  - {id: a, prompt: x}\n  - {id: b, prompt: y}\n  - {file: more.jsonl}\n",
            "more.jsonl": "{\"id\": \"c\", \"prompt\": \"z\"}\n{\"id\": \"b\", \"prompt\": \"w\"}\n",
        ])
        defer { folder.remove() }
        #expect {
            try SuiteLoader.load(path: folder.path("suite.yaml"))
        } throws: { error in
            (error as? InputError)?.description
                == "\(folder.path("more.jsonl")):2:8: error: duplicate case id 'b' (first used at line 3 of \(folder.path("suite.yaml")))"
        }
        try folder.write("more.jsonl", "{\"id\": \"c\", \"prompt\": \"z\"}\n{\"id\": \"c\", \"prompt\": \"w\"}\n")
        #expect {
            try SuiteLoader.load(path: folder.path("suite.yaml"))
        } throws: { error in
            (error as? InputError)?.description
                == "\(folder.path("more.jsonl")):2:8: error: duplicate case id 'c' (first used at line 1)"
        }
    }

    @Test func aHundredThousandCaseFileOverTheYAMLSizeLimitLoads() async throws {
        let folder = try Folder(["big.yaml": "name: big\nsystem: Be brief.\ncases: {file: big.jsonl}\n"])
        defer { folder.remove() }
        let count = 100_000
        var text = ""
        for i in 0..<count {
            text += #"{"id": "c\#(i)", "prompt": "Question \#(i): what is \#(i) + \#(i)? Answer with the number only, please.", "#
            text += #""expect": {"contains": ["\#(2 * i)"]}, "tags": ["t\#(i % 7)"]}"# + "\n"
        }
        #expect(text.utf8.count > InputFile.maxBytes)
        try folder.write("big.jsonl", text)
        let path = folder.path("big.yaml")
        let suite = try await offThePool { try SuiteLoader.load(path: path) }
        #expect(suite.cases.count == count)
        let last = suite.cases[count - 1]
        #expect(last.id == "c\(count - 1)")
        #expect(last.messages.first == ["role": "system", "content": "Be brief."])
        #expect(last.expect == Expectation(contains: ["\(2 * (count - 1))"]))
        #expect(last.tags == ["t\((count - 1) % 7)"])
    }

    @Test func aSuiteFileOverTheLimitPointsToCaseFiles() throws {
        let folder = try Folder(["big.yaml": "cases:\n" + String(repeating: "  - {id: x, prompt: y}\n", count: 400_000)])
        defer { folder.remove() }
        #expect {
            try SuiteLoader.load(path: folder.path("big.yaml"))
        } throws: { error in
            "\(error)".hasSuffix("are refused (put its cases in a JSON Lines file: cases: {file: cases.jsonl})")
        }
    }

    @Test func aMarkIsALineAndAColumn() {
        let mark = Mark.at(line: 123_456, column: 78)
        #expect(mark.line == 123_456 && mark.column == 78)
    }
}
