import Foundation
import GRDB
import Testing

@testable import AILBEval

/// `repeat_seed` through the real binary: the seeds the servers receive, repeat by repeat.
@Suite(.serialized) struct RepeatSeedRunTests {
    /// Two OpenAI-compatible backends served by a mock server of the test's own, which keeps every request;
    /// one for the whole (serialized) suite, as starting servers is what suffers most when other suites keep
    /// the concurrency pool busy.
    static let shared = Task<(MockServer, [String]), any Error> {
        let suites = [try SuiteLoader.load(path: try CLIHarness.fixture("integration/mini.yaml").path)]
        let backends = ["a", "b"].map { BackendConfig(name: $0, kind: .mock, model: "m") }
        let server = MockServer(backends: backends, suites: suites, recordsRequests: true)
        _ = try await server.start(listenTimeout: 60)
        return (server, backends.map { server.baseURL(for: $0.name)!.absoluteString })
    }

    /// The shared server, with no request received yet.
    static func start() async throws -> (MockServer, [String]) {
        let (server, urls) = try await shared.value
        server.clearReceivedRequests()
        return (server, urls)
    }

    static func config(_ urls: [String], defaults: String) -> String {
        """
        backends:
          - {name: a, url: "\(urls[0])", model: m, quant: 8bit}
          - {name: b, url: "\(urls[1])", model: m, quant: 4bit}
        defaults: {timeout: 20, retries: 0, \(defaults)}

        """
    }

    /// The seeds each (backend, prompt) received, in order of arrival, sorted (the order of repeats on the
    /// wire is not fixed).
    static func seeds(_ server: MockServer) -> [String: [Int?]] {
        var result: [String: [Int?]] = [:]
        for request in server.receivedRequests {
            let prompt = MockResponder.lastUserText(of: request.body)
            result[request.backend + " " + prompt, default: []].append(request.body["seed"]?.intValue)
        }
        return result.mapValues { $0.sorted { ($0 ?? .min) < ($1 ?? .min) } }
    }

    @Test func varySendsTheConfiguredSeedPlusTheRepeatAndFixedTheSameSeed() async throws {
        let (server, urls) = try await Self.start()
        let cli = try CLIHarness(config: Self.config(urls, defaults: "temperature: 0.7, seed: 42"))
        defer { cli.remove() }

        var result = try await cli.runDetached(["mini.yaml", "--repeat", "3", "--repeat-seed", "vary", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        var seeds = Self.seeds(server)
        #expect(seeds.count == 8)
        #expect(seeds.values.allSatisfy { $0 == [42, 43, 44] }, "\(seeds)")

        server.clearReceivedRequests()
        result = try await cli.runDetached(["mini.yaml", "--repeat", "3", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        seeds = Self.seeds(server)
        #expect(seeds.count == 8 && seeds.values.allSatisfy { $0 == [42, 42, 42] }, "fixed is the default: \(seeds)")
    }

    @Test func atTemperatureZeroEveryRepeatSendsTheSameSeedEvenWithVary() async throws {
        let (server, urls) = try await Self.start()
        let cli = try CLIHarness(config: Self.config(urls, defaults: "temperature: 0, seed: 42, repeat_seed: vary"))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--repeat", "3", "--quiet"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let seeds = Self.seeds(server)
        #expect(seeds.count == 8 && seeds.values.allSatisfy { $0 == [42, 42, 42] }, "\(seeds)")
    }

    @Test func theConfigKeyAndTheSuiteKeyVaryTooAndWithoutASeedTheRepeatIsTheSeed() async throws {
        let (server, urls) = try await Self.start()
        let cli = try CLIHarness(config: Self.config(urls, defaults: "temperature: 0.5, seed: null, repeat_seed: vary"))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--repeat", "2", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        #expect(Self.seeds(server).values.allSatisfy { $0 == [1, 2] }, "\(Self.seeds(server))")

        // A suite's own repeat_seed wins over the config's; the flag over both.
        let suite = try String(contentsOfFile: cli.path("mini.yaml"), encoding: .utf8)
        try ("repeat_seed: fixed\n" + suite).write(toFile: cli.path("fixed.yaml"), atomically: true, encoding: .utf8)
        server.clearReceivedRequests()
        result = try await cli.runDetached(["fixed.yaml", "--repeat", "2", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        #expect(Self.seeds(server).values.allSatisfy { $0 == [nil, nil] }, "\(Self.seeds(server))")
        server.clearReceivedRequests()
        result = try await cli.runDetached(["fixed.yaml", "--repeat", "2", "--repeat-seed", "vary", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        #expect(Self.seeds(server).values.allSatisfy { $0 == [1, 2] }, "\(Self.seeds(server))")
    }

    @Test func resumeSendsTheSeedsTheRunWasStartedWith() async throws {
        let (server, urls) = try await Self.start()
        let cli = try CLIHarness(config: Self.config(urls, defaults: "temperature: 0.7, seed: 100"))
        defer { cli.remove() }
        var result = try await cli.runDetached(["mini.yaml", "--repeat", "3", "--repeat-seed", "vary", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        // As if the run had been interrupted before the third repeat of every case.
        let queue = try DatabaseQueue(path: cli.databasePath)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM responses WHERE repeat = 2")
            try db.execute(sql: "UPDATE runs SET status = 'interrupted', pid = NULL")
        }
        server.clearReceivedRequests()
        result = try await cli.runDetached(["run", "--resume", "latest", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Resuming run 1: 8 of 24 requests to go."), "\(result.stdout)")
        let seeds = Self.seeds(server)
        #expect(seeds.count == 8 && seeds.values.allSatisfy { $0 == [102] }, "\(seeds)")
    }

    @Test func aBadFlagValueIsBadUsage() async throws {
        let cli = try CLIHarness(config: BadInputTests.goodConfig)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--repeat-seed", "random"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--repeat-seed"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }
}
