import Foundation
import Testing

@testable import AILBEval

/// A run judges the answers as ai-lb reads them, from the bytes the servers sent: every digit of a number and
/// the error bodies ai-lb votes with, not the parsed values a run keeps for everything else.
@Suite struct ExactBodyRunTests {
    /// A chat completion calling `lookup` with `arguments`, a JSON object given as an object, not as the
    /// usual JSON string: numbers outside a string are what a parsed body loses.
    static func toolCall(_ arguments: String) -> String {
        #"{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","#
            + #""content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","#
            + #""arguments":\#(arguments)}}]},"finish_reason":"tool_calls"}]}"#
    }

    /// Serves each backend's answer under `/<name>/v1/chat/completions`: status and body.
    static func serve(_ answers: [String: (status: Int, body: String)]) async throws -> (LoopbackHTTPServer, UInt16) {
        let server = LoopbackHTTPServer { request in
            let name = request.path.split(separator: "/").first.map(String.init) ?? ""
            guard let answer = answers[name] else { return LoopbackHTTPResponse(status: .notFound, bytes: []) }
            return LoopbackHTTPResponse(
                status: .init(statusCode: answer.status), headers: ["Content-Type": "application/json"],
                bytes: Array(answer.body.utf8))
        }
        return (server, try await server.start())
    }

    static func config(port: UInt16, names: [String]) -> String {
        "backends:\n"
            + names.map { "  - {name: \($0), url: \"http://127.0.0.1:\(port)/\($0)/v1\", model: m}\n" }.joined()
            + "defaults: {timeout: 20, retries: 0}\n"
    }

    static func verdicts(_ cli: CLIHarness) throws -> (ailb: [VerdictRecord], semantic: [VerdictRecord]) {
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        return (try store.verdicts(runID: run.id, profile: .ailb), try store.verdicts(runID: run.id, profile: .semantic))
    }

    /// Two integers that are the same double: ai-lb's canonical JSON keeps every digit, so they differ.
    @Test func integersBeyondADoublesPrecisionAreComparedDigitByDigit() async throws {
        let (server, port) = try await Self.serve([
            "a": (200, Self.toolCall(#"{"id": 12345678901234567890123}"#)),
            "b": (200, Self.toolCall(#"{"id": 12345678901234567890124}"#)),
            "c": (200, Self.toolCall(#"{"id": 12345678901234567890123}"#)),
        ])
        let cli = try CLIHarness(config: Self.config(port: port, names: ["a", "b", "c"]))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        await server.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let (ailb, _) = try Self.verdicts(cli)
        #expect(!ailb.isEmpty)
        for verdict in ailb {
            #expect(verdict.verdict.comparisonType == .toolCalls)
            #expect(verdict.verdict.groups.map { Set($0) }.contains(["a", "c"]), "\(verdict.verdict.groups)")
            #expect(verdict.verdict.agreementCount == 2 && verdict.verdict.disagreement)
        }
    }

    /// A 400's error body is a vote to ai-lb: against one real answer it is a 1–1 tie, which ai-lb gives to
    /// the first-formed group, the error body's.
    @Test func aRunVotesWithA400ErrorBodyAsAiLbDoes() async throws {
        let (server, port) = try await Self.serve([
            "rejects": (400, #"{"error": {"message": "bad tool schema", "type": "invalid_request_error"}}"#),
            "answers": (
                200,
                #"{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":"#
                    + #"{"role":"assistant","content":"Paris"},"finish_reason":"stop"}]}"#
            ),
        ])
        let cli = try CLIHarness(config: Self.config(port: port, names: ["rejects", "answers"]))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        await server.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let (ailb, semantic) = try Self.verdicts(cli)
        #expect(!ailb.isEmpty && ailb.count == semantic.count)
        for verdict in ailb {
            #expect(verdict.verdict.successes == 2 && verdict.verdict.winner == "rejects" && verdict.verdict.disagreement)
        }
        for verdict in semantic {
            #expect(verdict.verdict.successes == 1 && verdict.verdict.winner == "answers")
            #expect(verdict.spuriousCauses == [CaseAssessor.errorBodyCause])
        }
        #expect(result.stdout.contains("error_body"), "\(result.stdout)")
    }
}
