import Foundation
import GRDB
import Testing

@testable import AILBEval

/// `ailb-eval run --resume N --retry-errors` through the real binary, against a server that was down and
/// came back.
@Suite(.serialized) struct RetryErrorsTests {
    /// Backends `a` and `b` on a mock server of the test's own that keeps every request; one for the whole
    /// (serialized) suite, as starting servers is what suffers most when other suites keep the concurrency
    /// pool busy.
    static let shared = Task<MockServer, any Error> {
        let suites = [try SuiteLoader.load(path: try CLIHarness.fixture("integration/mini.yaml").path)]
        let server = MockServer(
            backends: ["a", "b"].map { BackendConfig(name: $0, kind: .mock, model: "m") }, suites: suites,
            recordsRequests: true)
        _ = try await server.start(listenTimeout: 60)
        return server
    }

    /// The shared server, healthy, with no request received yet.
    static func server() async throws -> MockServer {
        let server = try await shared.value
        server.setFault(nil, for: "a")
        server.setFault(nil, for: "b")
        server.clearReceivedRequests()
        return server
    }

    static func responses(_ store: ResultStore, _ runID: Int64) throws -> [ResponseRecord] {
        var all: [ResponseRecord] = []
        try store.forEachResponse(runID: runID) { all.append($0) }
        return all
    }

    @Test func errorsAreSentAgainAndTheFailedAnswersKeptAsHistory() async throws {
        let server = try await Self.server()
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: a, url: "\(server.baseURL(for: "a")!.absoluteString)", model: m, quant: 8bit}
                  - {name: b, url: "\(server.baseURL(for: "b")!.absoluteString)", model: m, quant: 4bit}
                defaults: {timeout: 20, retries: 0}

                """)
        defer { cli.remove() }
        func sentTo(_ backend: String) -> Int { server.receivedRequests.count { $0.backend == backend } }

        // b is down: every one of its answers is an HTTP 500.
        server.setFault(.status500, for: "b")
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        let first = try Self.responses(store, 1)
        #expect(first.filter { $0.backend == "b" }.allSatisfy { $0.errorClass == .http5xx })
        #expect(try store.verdicts(runID: 1, profile: .ailb).allSatisfy { $0.verdict.successes == 1 })

        // A plain resume has nothing to do: errors are answers. It says how to send them again.
        result = try await cli.runDetached(["run", "--resume", "1", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Resuming run 1: 0 of 8 requests to go."), "\(result.stdout)")
        #expect(
            result.stderr.contains("note: 4 requests of run 1 ended in an error and stay as they are; --retry-errors sends them again"),
            "\(result.stderr)")
        #expect(sentTo("b") == 4)

        // Still down: the retry fails again, and the first failure is kept as attempt 1.
        result = try await cli.runDetached(["run", "--resume", "1", "--retry-errors", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("Resuming run 1: 0 of 8 requests to go; 4 that ended in an error are sent again."), "\(result.stdout)")
        #expect(
            result.stdout.contains("Retried 4 requests that had ended in an error: 0 succeeded this time, 4 failed again."),
            "\(result.stdout)")
        #expect(sentTo("a") == 4 && sentTo("b") == 8)
        #expect(try store.responseAttempts(runID: 1).map(\.attempt) == [1, 1, 1, 1])

        // Back up: the retry succeeds; both failures are history, the new answers are the run's.
        server.setFault(nil, for: "b")
        result = try await cli.runDetached(["run", "--resume", "latest", "--retry-errors"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("Retried 4 requests that had ended in an error: 4 succeeded this time, 0 failed again."),
            "\(result.stdout)")
        #expect(result.stderr.contains("8/8 requests answered"), "the progress counts each request once: \(result.stderr)")
        #expect(sentTo("a") == 4 && sentTo("b") == 12, "a's answers were not errors and are not asked again")
        let after = try Self.responses(store, 1)
        #expect(after.count == 8 && after.allSatisfy(\.success))
        // a's answers are untouched.
        #expect(after.filter { $0.backend == "a" } == first.filter { $0.backend == "a" })
        let history = try store.responseAttempts(runID: 1)
        #expect(history.count == 8)
        #expect(history.allSatisfy { $0.response.backend == "b" && $0.response.errorClass == .http5xx && !$0.response.success })
        #expect(history.map(\.attempt) == [1, 2, 1, 2, 1, 2, 1, 2])
        // The first attempts are exactly the rows the first run stored.
        #expect(history.filter { $0.attempt == 1 }.map(\.response) == first.filter { $0.backend == "b" })
        // Verdicts are recomputed over the new answers.
        let verdicts = try store.verdicts(runID: 1, profile: .ailb)
        #expect(verdicts.count == 4 && verdicts.allSatisfy { $0.verdict.successes == 2 })
        #expect(try store.run("1").status == .completed)
        #expect(try store.answeredRequestCount(runID: 1) == 8)
        // Nothing failed any more: another retry sends nothing.
        result = try await cli.runDetached(["run", "--resume", "1", "--retry-errors", "--quiet"])
        #expect(result.stdout.contains("Resuming run 1: 0 of 8 requests to go."), "\(result.stdout)")
        #expect(!result.stdout.contains("Retried"))
        #expect(sentTo("b") == 12)
    }

    @Test func aRunWhereNoBackendAnsweredCanBeRetriedOnceTheyAreUp() async throws {
        let server = try await Self.server()
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: a, url: "\(server.baseURL(for: "a")!.absoluteString)", model: m}
                defaults: {timeout: 20, retries: 0}

                """)
        defer { cli.remove() }
        server.setFault(.status503, for: "a")
        var result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let store = try ResultStore(path: cli.databasePath)
        #expect(try store.run("1").status == .failed)
        server.setFault(nil, for: "a")
        result = try await cli.runDetached(["run", "--resume", "1", "--retry-errors", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("4 succeeded this time, 0 failed again."), "\(result.stdout)")
        #expect(try store.run("1").status == .completed)
        #expect(try store.responseAttempts(runID: 1).count == 4)
    }

    @Test func retryErrorsNeedsResume() async throws {
        let cli = try CLIHarness(config: BadInputTests.goodConfig)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--retry-errors"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--retry-errors only applies with --resume"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }
}
