import Foundation
import Testing

@testable import AILBEval

@Suite struct VerdictCommandTests {
    @Test func judgesEachLineAndReportsBadLinesWithoutStopping() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let vectors = try String(contentsOf: try CLIHarness.fixture("vectors/consensus.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(20).map(String.init)
        let input = vectors[0..<10].joined(separator: "\n") + "\nthis is not json\n\n" + vectors[10..<20].joined(separator: "\n")
        let result = try await cli.runDetached(["verdict"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 21)
        let outputs = try lines.map { try JSONValue(parsing: $0) }
        #expect(outputs[10]["error"] != nil)
        let judged = Array(outputs[0..<10]) + Array(outputs[11...])
        for (output, vectorLine) in zip(judged, vectors) {
            let vector = try JSONValue(parsing: vectorLine)
            #expect(output["id"] == vector["id"])
            #expect(output["winner"] == vector["expected"]?["winner"], "\(vector["id"]!)")
            #expect(output["comparison_type"] == vector["expected"]?["comparison_type"])
            #expect(output["agreement_count"] == vector["expected"]?["agreement_count"])
        }
        let explained = try await cli.runDetached(["verdict", "--explain"], stdin: vectors[0])
        #expect(explained.stdout.contains("\"pairs\""))
    }
}

@Suite struct SimilarityCommandTests {
    @Test func printsTheExactRatioOfEveryPairAndFlagsBadLines() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let vectors = try String(contentsOf: try CLIHarness.fixture("vectors/similarity.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let result = try await cli.runDetached(["similarity"], stdin: vectors.joined(separator: "\n") + "\n{\"id\": 1, \"a\": 2}\n")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == vectors.count + 1)
        for (line, vectorLine) in zip(lines, vectors) {
            let output = try JSONValue(parsing: line)
            let vector = try JSONValue(parsing: vectorLine)
            #expect(output["id"] == vector["id"])
            let expected = vector["ratio"]!.numberValue!
            #expect(abs(output["ratio"]!.numberValue! - expected) <= 1e-12, "\(vector["id"]!)")
        }
        #expect(try JSONValue(parsing: lines.last!)["error"] != nil)
    }

    @Test func normalizeComparesTheTextsTheConsensusCompares() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let input = #"{"id": "x", "a": "  Paris  ", "b": "Paris"}"#
        #expect(try await cli.runDetached(["similarity"], stdin: input).stdout.contains("\"ratio\":0.7142857142857143"))
        #expect(try await cli.runDetached(["similarity", "--normalize"], stdin: input).stdout.contains("\"ratio\":1.0"))
    }
}
