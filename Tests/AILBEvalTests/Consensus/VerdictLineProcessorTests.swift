import Foundation
import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct VerdictLineProcessorTests {
        static let goodLine = #"""
            {"id": "q1", "threshold": 0.9, "profile": "ailb", "responses": [
              {"backend": "b0", "success": true, "latency_ms": 30, "body": {"choices": [{"message": {"content": "Paris"}}]}},
              {"backend": "b1", "success": false, "error": "Timeout", "latency_ms": 0},
              {"backend": "b2", "success": true, "latency_ms": 12.5, "body": {"choices": [{"message": {"content": " Paris "}}]}},
              {"backend": "b3", "success": true, "latency_ms": 5, "body": {"choices": [{"message": {"content": "Rome"}}]}}]}
            """#.split(separator: "\n").joined()

        @Test func writesTheVerdictWithKeysInTheDocumentedOrder() {
            let output = VerdictLineProcessor().process(Self.goodLine)
            #expect(
                output
                    == #"{"id":"q1","winner":"b2","agreement_count":2,"disagreement":true,"comparison_type":"hash","groups":[["b0","b2"],["b3"]]}"#
            )
        }

        @Test func explainAddsEveryPairOfSuccesses() throws {
            let output = try #require(VerdictLineProcessor(explain: true).process(Self.goodLine))
            let value = try JSONValue(parsing: output)
            let pairs = try #require(value["pairs"]?.arrayValue)
            #expect(pairs.count == 3)
            #expect(
                pairs[0] == ["a": "b0", "b": "b2", "similarity": 1.0, "tool_calls_equal": true, "hash_equal": true])
            #expect(pairs[1]["a"] == "b0")
            #expect(pairs[1]["b"] == "b3")
            #expect(pairs[1]["hash_equal"] == false)
            #expect(output.hasSuffix(#""hash_equal":false}]}"#))
            #expect(output.contains(#""groups":[["b0","b2"],["b3"]],"pairs":[{"a":"b0","b":"b2","similarity":1.0,"#))
        }

        @Test func lineSettingsOverrideTheDefaults() throws {
            let line = #"""
                {"id": 7, "profile": "semantic", "responses": [
                {"backend": "x", "success": true, "latency_ms": 1, "body": {"choices": [{"message": {"content": "<think>a</think>ok"}}]}},
                {"backend": "y", "success": true, "latency_ms": 2, "body": {"choices": [{"message": {"content": "ok"}}]}}]}
                """#.split(separator: "\n").joined()
            let semantic = try JSONValue(parsing: try #require(VerdictLineProcessor().process(line)))
            #expect(semantic["id"] == 7)
            #expect(semantic["disagreement"] == false)
            let ailb = line.replacingOccurrences(of: #""profile": "semantic", "#, with: #""threshold": 1, "#)
            let strict = try JSONValue(
                parsing: try #require(VerdictLineProcessor(defaultProfile: .semantic).process(ailb)))
            #expect(strict["disagreement"] == false)
            let ailbDefault = try JSONValue(parsing: try #require(VerdictLineProcessor().process(ailb)))
            #expect(ailbDefault["disagreement"] == true)
        }

        @Test func blankLinesProduceNothing() {
            #expect(VerdictLineProcessor().process("") == nil)
            #expect(VerdictLineProcessor().process("  \t ") == nil)
        }

        @Test(arguments: [
            ("garbage", JSONValue.null),
            ("[1, 2]", .null),
            (#"{"id": "a"}"#, "a"),
            (#"{"id": "a", "responses": {}}"#, "a"),
            (#"{"id": "a", "responses": [1]}"#, "a"),
            (#"{"id": "a", "responses": [{"success": true}]}"#, "a"),
            (#"{"id": "a", "responses": [{"backend": "b", "success": "yes"}]}"#, "a"),
            (#"{"id": "a", "responses": [{"backend": "b", "success": true, "latency_ms": "fast"}]}"#, "a"),
            (#"{"id": 3, "threshold": "high", "responses": []}"#, 3),
            (#"{"id": null, "profile": "strict", "responses": []}"#, .null),
            (#"{"id": "a", "profile": 1, "responses": []}"#, "a"),
            ("{\"id\": \"a\", \"responses\": [" + String(repeating: "[", count: 5000), .null),
        ])
        func malformedLinesGetAnErrorLine(line: String, id: JSONValue) throws {
            let output = try #require(VerdictLineProcessor().process(line))
            let value = try JSONValue(parsing: output)
            #expect(value["id"] == id)
            #expect(value["error"]?.stringValue?.isEmpty == false)
            #expect(value.objectValue?.count == 2)
        }

        @Test func survivesTruncatedAndMutatedLines() throws {
            let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/vectors/consensus.jsonl")
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").prefix(40).map(Array.init)
            let replacements: [Character] = ["\"", "{", "]", "0", "-", "\\", "é", " ", "n"]
            var produced = 0
            for (n, line) in lines.enumerated() {
                for step in 1..<12 {
                    let cut = line.count * step / 12
                    var mutated = line
                    mutated[(cut * 7 + n) % line.count] = replacements[(n + step) % replacements.count]
                    for candidate in [String(line[..<cut]), String(mutated)] {
                        let output = try #require(VerdictLineProcessor(explain: true).process(candidate))
                        let value = try JSONValue(parsing: output)
                        #expect(value["error"] != nil || value["winner"] != nil)
                        produced += 1
                    }
                }
            }
            #expect(produced == 40 * 11 * 2)
        }

        @Test func emptyResponsesAreANoneVerdictNotAnError() throws {
            let output = try #require(VerdictLineProcessor().process(#"{"id": "e", "responses": []}"#))
            #expect(
                output
                    == #"{"id":"e","winner":"","agreement_count":0,"disagreement":true,"comparison_type":"none","groups":[]}"#
            )
        }

        @Test func keepsNonASCIIBackendNamesReadable() {
            let line =
                #"{"id": "ü", "responses": [{"backend": "bé", "success": true, "latency_ms": 1, "body": {"choices": [{"message": {"content": "x"}}]}}]}"#
            #expect(
                VerdictLineProcessor().process(line)
                    == #"{"id":"ü","winner":"bé","agreement_count":1,"disagreement":false,"comparison_type":"single","groups":[["bé"]]}"#
            )
        }

        @Test func reproducesTheVectorsThroughTheLineFormat() throws {
            let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/vectors/consensus.jsonl")
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 400)
            var failures: [String] = []
            for line in lines {
                let input = try JSONValue(parsing: String(line))
                let output = try JSONValue(parsing: try #require(VerdictLineProcessor().process(String(line))))
                for key in ["winner", "agreement_count", "disagreement", "comparison_type"]
                where output[key] != input["expected"]?[key] {
                    failures.append(
                        "\(input["id"]?.stringValue ?? "?"): \(key) \(output[key]?.canonicalText ?? "missing")")
                }
            }
            #expect(failures.isEmpty, Comment(rawValue: VectorFixtures.report(failures, of: lines.count)))
        }
    }
}
