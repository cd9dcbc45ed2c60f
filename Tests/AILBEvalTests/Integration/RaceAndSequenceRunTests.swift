import Foundation
import Testing

@testable import AILBEval

/// `--mode race` and `--mode sequence` against real mock servers on loopback: each rule of the two modes
/// checked through the CLI and the database it writes.
@Suite struct RaceAndSequenceRunTests {
    static let suite = """
        name: small
        cases:
          - id: weather
            prompt: What is the weather in Paris?
            expect: {contains: Paris}
          - id: capital
            prompt: What is the capital of France?
            expect: {contains: Paris}
          - id: hello
            prompt: Say hello.
        """

    /// Every response of the latest run, in (case, repeat, backend) order.
    static func responses(_ cli: CLIHarness) throws -> (RunRecord, [ResponseRecord], [RaceRecord]) {
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        var responses: [ResponseRecord] = []
        try store.forEachResponse(runID: run.id, columns: .all) { responses.append($0) }
        return (run, responses, try store.races(runID: run.id))
    }

    /// A scratch directory with `config` and the three-case suite as `small.yaml`.
    static func harness(_ config: String) throws -> CLIHarness {
        let cli = try CLIHarness(config: config)
        try suite.write(toFile: cli.path("small.yaml"), atomically: true, encoding: .utf8)
        return cli
    }

    static func timestamp(_ text: String) throws -> Date {
        try Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true))
    }

    @Test func aFailureDoesNotWinTheRaceAndTheSlowerRacerIsCancelled() async throws {
        // `fails` answers first, with an error; `fast` is the first success; `slow` is still running then.
        let config = """
            backends:
              - {name: fails, kind: mock, model: m, mock: {seed: 1, latency_ms: 5, error_rate: 1, error_status: 500}}
              - {name: slow, kind: mock, model: m, mock: {seed: 2, latency_ms: 1500}}
              - {name: fast, kind: mock, model: m, mock: {seed: 3, latency_ms: 150}}
            defaults: {timeout: 20, retries: 0, concurrency: 3}
            """
        let cli = try Self.harness(config)
        defer { cli.remove() }
        let result = try await cli.runDetached([cli.path("small.yaml"), "--mode", "race", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let (run, responses, races) = try Self.responses(cli)
        #expect(run.mode == .race)
        #expect(races.count == 3)
        for race in races {
            #expect(race.winner == "fast", "\(race)")
            #expect(race.stillRunning == ["slow"], "\(race)")
            #expect((race.winnerLatencyMs ?? 0) >= 150)
        }
        let slow = responses.filter { $0.backend == "slow" }
        #expect(slow.count == 3)
        for response in slow {
            #expect(response.errorClass == .cancelledByRace, "\(response.errorClass as Any) \(response.errorMessage ?? "")")
            // Cancelled when `fast` won, well before its own 1.5 s answer.
            #expect(response.latencyMs >= 100 && response.latencyMs < 1400, "\(response.latencyMs)")
            #expect(response.errorMessage?.contains("fast won the race") == true, "\(response.errorMessage ?? "")")
        }
        #expect(responses.filter { $0.backend == "fails" }.allSatisfy { $0.errorClass == .http5xx })
        // The summary says plainly that agreement is not measured, and the failures are not counted as wins.
        #expect(result.stdout.contains("A race keeps only the winner's answer"), "\(result.stdout)")
        #expect(result.stdout.contains("won by fast 3"), "\(result.stdout)")
        #expect(result.stdout.contains("Cancelled when another backend won: slow 3"), "\(result.stdout)")
        let json = try await cli.runDetached(["report", "latest", "--format", "json", "--out", "-"])
        let document = try JSONValue(parsing: json.stdout)
        #expect(document["race"]?["wins"]?["fast"]?.intValue == 3)
        #expect(document["race"]?["accuracy"] != nil)
    }

    @Test func anErrorBodyAiLbPassesOnEndsTheRaceAsItDoesInAiLb() async throws {
        // ai-lb's race returns the first answer it counts as a success, and it counts an HTTP 400 error body as
        // one: the race ends there, without a usable answer.
        let config = """
            backends:
              - {name: rejects, kind: mock, model: m, mock: {seed: 1, latency_ms: 5, error_rate: 1, error_status: 400}}
              - {name: good, kind: mock, model: m, mock: {seed: 2, latency_ms: 1500}}
            defaults: {timeout: 20, retries: 0}
            """
        let cli = try Self.harness(config)
        defer { cli.remove() }
        let result = try await cli.runDetached([cli.path("small.yaml"), "--mode", "race", "--quiet"])
        let (_, responses, races) = try Self.responses(cli)
        #expect(races.count == 3, "\(result.stderr)")
        #expect(races.allSatisfy { $0.winner == "rejects" && $0.stillRunning == ["good"] }, "\(races)")
        #expect(responses.filter { $0.backend == "good" }.allSatisfy { $0.errorClass == .cancelledByRace })
        #expect(result.stdout.contains("Race accuracy (the winner's answer meets expect): 0/2"), "\(result.stdout)")
    }

    @Test func aRaceNobodyWinsIsAFailedCaseAndCancelsNothing() async throws {
        let config = """
            backends:
              - {name: a, kind: mock, model: m, mock: {seed: 1, latency_ms: 5, error_rate: 1, error_status: 503}}
              - {name: b, kind: mock, model: m, mock: {seed: 2, latency_ms: 30, error_rate: 1, error_status: 500}}
            defaults: {timeout: 20, retries: 0}
            """
        let cli = try Self.harness(config)
        defer { cli.remove() }
        let result = try await cli.runDetached([cli.path("small.yaml"), "--mode", "race", "--quiet", "--min-accuracy", "0.5"])
        let (_, responses, races) = try Self.responses(cli)
        #expect(races.count == 3)
        #expect(races.allSatisfy { $0.winner == nil && $0.stillRunning.isEmpty })
        #expect(!responses.contains { $0.errorClass == .cancelledByRace })
        // Every request answered and none usable: the run failed; the accuracy bar has two cases with expect,
        // both without an answer.
        #expect(result.status != 0)
        let gate = try await cli.runDetached(["gate", "latest", "--min-accuracy", "0.5"])
        #expect(gate.status == 1, "\(gate.stdout)\(gate.stderr)")
        #expect(gate.stderr.contains("race accuracy 0.000"), "\(gate.stderr)")
    }

    @Test func anAgreementBarOnARaceIsRefusedNotPassed() async throws {
        let config = """
            backends:
              - {name: a, kind: mock, model: m, mock: {seed: 1}}
              - {name: b, kind: mock, model: m, mock: {seed: 2}}
            gates: {min_agreement: 0.5}
            """
        let cli = try Self.harness(config)
        defer { cli.remove() }
        let fromConfig = try await cli.runDetached([cli.path("small.yaml"), "--mode", "race", "--quiet"])
        #expect(fromConfig.status == 2, "\(fromConfig.stdout)\(fromConfig.stderr)")
        #expect(fromConfig.stderr.contains("min_agreement measures agreement between backends"), "\(fromConfig.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing may be stored for refused input")
        // A race stored without bars, then gated on agreement: refused as well (exit 2), never a pass.
        try "backends:\n  - {name: a, kind: mock, model: m, mock: {seed: 1}}\n  - {name: b, kind: mock, model: m, mock: {seed: 2}}\n"
            .write(toFile: cli.path("plain.yaml"), atomically: true, encoding: .utf8)
        let stored = try await cli.runDetached([cli.path("small.yaml"), "--mode", "race", "--quiet", "--config", cli.path("plain.yaml")])
        #expect(stored.status == 0, "\(stored.stderr)")
        for bar in [["--min-agreement", "0.1"], ["--per-quant", "x=0.1"], ["--max-spurious", "0.9"]] {
            let gate = try await cli.runDetached(["gate", "latest"] + bar)
            #expect(gate.status == 2, "\(bar): \(gate.stdout)\(gate.stderr)")
            #expect(gate.stderr.contains("is a race"), "\(gate.stderr)")
        }
        let latency = try await cli.runDetached(["gate", "latest", "--max-p95-latency-ms", "60000"])
        #expect(latency.status == 0, "\(latency.stderr)")
        #expect(latency.stdout.contains("passed: p95 answer time"), "\(latency.stdout)")
    }

    @Test func aSequenceSendsOneRequestAtATimeInTheGivenOrder() async throws {
        let config = """
            backends:
              - {name: first, kind: mock, model: m, mock: {seed: 1, latency_ms: 40}}
              - {name: second, kind: mock, model: m, mock: {seed: 2, latency_ms: 40}}
              - {name: third, kind: mock, model: m, mock: {seed: 3, latency_ms: 40}}
            defaults: {timeout: 20, retries: 0, concurrency: 16}
            """
        let cli = try Self.harness(config)
        defer { cli.remove() }
        for order in [["first", "second", "third"], ["third", "first", "second"]] {
            let result = try await cli.runDetached([
                cli.path("small.yaml"), "--mode", "sequence", "--repeat", "2", "--order", order.joined(separator: ","), "--quiet",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Chain time per case repeat"), "\(result.stdout)")
            let (run, responses, _) = try Self.responses(cli)
            #expect(run.mode == .sequence)
            #expect(responses.count == 18)
            // Uncontended: no two requests were on the wire at once (a request runs from received_at - latency
            // to received_at), and each case repeat went through the backends in the order given.
            let spans = try responses.map { response -> (start: Date, end: Date, response: ResponseRecord) in
                let end = try Self.timestamp(response.receivedAt)
                return (end.addingTimeInterval(-response.latencyMs / 1000), end, response)
            }.sorted { $0.start < $1.start }
            for (earlier, later) in zip(spans, spans.dropFirst()) {
                // The stored end is taken a little after the latency is measured; 5 ms absorbs that.
                #expect(
                    later.start.timeIntervalSince(earlier.end) > -0.005,
                    "\(later.response.backend) started before \(earlier.response.backend) ended")
            }
            var chains: [String: [String]] = [:]
            for span in spans {
                chains["\(span.response.casePosition)/\(span.response.repeatIndex)", default: []].append(span.response.backend)
            }
            #expect(chains.count == 6)
            #expect(chains.values.allSatisfy { $0 == order }, "\(chains)")
            // The order is the run's backend order too: verdicts and reports list them so.
            let store = try ResultStore(path: cli.databasePath)
            #expect(try store.backends(runID: run.id).map(\.name) == order)
            #expect(!(try store.verdicts(runID: run.id)).isEmpty)
        }
    }

    @Test func orderNamesOnlyBackendsOfTheRun() async throws {
        let cli = try Self.harness("backends:\n  - {name: first, kind: mock, model: m}\n  - {name: second, kind: mock, model: m}\n")
        defer { cli.remove() }
        let typo = try await cli.runDetached([cli.path("small.yaml"), "--order", "secnd", "--quiet"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("did you mean 'second'"), "\(typo.stderr)")
        let twice = try await cli.runDetached([cli.path("small.yaml"), "--order", "first,first", "--quiet"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("names 'first' twice"), "\(twice.stderr)")
    }
}
