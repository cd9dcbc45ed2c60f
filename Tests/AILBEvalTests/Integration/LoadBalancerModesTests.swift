import Foundation
import Testing

@testable import AILBEval

/// `race` and `sequence` through an ai-lb load balancer (the imitation, on loopback, in front of mock
/// members): what is sent, what is stored, and what can and cannot be known about the winner.
@Suite(.serialized) struct LoadBalancerModesTests {
    static func suites() throws -> [Suite] {
        [try SuiteLoader.load(path: try CLIHarness.fixture("integration/mini.yaml").path)]
    }

    /// `fast` answers in 20 ms, `slow` in 400 ms with other answers (drift 1).
    static let shared = Task<FakeLoadBalancer, any Error> {
        var fast = MockBehavior()
        fast.latencyMs = 20
        var slow = MockBehavior()
        slow.seed = 9
        slow.drift = 1
        slow.latencyMs = 400
        return try await FakeLoadBalancer.start(aliases: ["fast", "slow"], suites: try suites(), behaviors: [fast, slow])
    }

    static func balancer() async throws -> FakeLoadBalancer {
        let lb = try await shared.value
        lb.behavior.write { $0 = .normal }
        lb.seen.write { $0 = [] }
        return lb
    }

    /// The load balancer alone; `models` says which model each member answers with.
    static func config(_ lb: FakeLoadBalancer, models: Bool) -> String {
        let members =
            models
            ? "    members:\n      fast: {quant: Q8_0, model: \(lb.members[0].model)}\n      slow: {quant: Q2_K, model: \(lb.members[1].model)}\n"
            : "    members:\n      fast: {quant: Q8_0}\n      slow: {quant: Q2_K}\n"
        return """
            backends:
              - name: lb
                kind: ailb
                url: \(lb.baseURL.absoluteString)
                model: qwen2.5-7b-instruct
                execution_timeout: 20
            \(members)defaults: {timeout: 30, retries: 0}
            """
    }

    @Test func aRaceThroughAiLbStoresTheWinnersAnswerAndNamesTheMemberOnlyWhenItsModelTells() async throws {
        for models in [true, false] {
            let lb = try await Self.balancer()
            let cli = try CLIHarness(config: Self.config(lb, models: models))
            defer { cli.remove() }
            let result = try await cli.runDetached(["mini.yaml", "--mode", "race", "--quiet"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(lb.seen.read { $0 }.allSatisfy { $0.headers["x-execution-mode"] == "race" })

            let store = try ResultStore(path: cli.databasePath)
            let run = try store.run("latest")
            var responses: [ResponseRecord] = []
            try store.forEachResponse(runID: run.id, columns: .all) { responses.append($0) }
            // The answer is the load balancer's own: one completion per request, no member rows.
            #expect(!responses.isEmpty)
            #expect(responses.allSatisfy { $0.backend == "lb" && $0.success }, "\(responses.map(\.backend))")
            #expect(try store.backends(runID: run.id).map(\.name) == ["lb"])
            let races = try store.races(runID: run.id)
            #expect(races.count == responses.count)
            for race in races {
                #expect(race.winner == "lb")
                #expect(race.member == (models ? "fast" : nil), "\(race)")
                #expect(race.memberIdentifiedBy == (models ? "model" : nil))
            }
            // ai-lb's headers are kept; a race has no x-fastest-backend.
            let headers = try store.responseHeaders(runID: run.id)
            #expect(headers.count == responses.count)
            #expect(headers.allSatisfy { $0.headers["x-execution-mode"] == "race" && $0.headers["x-fastest-backend"] == nil })
            #expect(headers.allSatisfy { $0.headers["x-backends-count"] == "2" && $0.headers["x-request-id"] != nil })
            if models {
                #expect(result.stdout.contains("answering member fast \(races.count), unknown 0"), "\(result.stdout)")
            } else {
                #expect(result.stdout.contains("unknown \(races.count) (ai-lb's race answer does not name its winner"), "\(result.stdout)")
            }
        }
    }

    @Test func aSequenceThroughAiLbStoresEveryMemberJudgesAndChecksTheFastestHeader() async throws {
        let lb = try await Self.balancer()
        let cli = try CLIHarness(config: Self.config(lb, models: false))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--mode", "sequence", "--quiet"])
        #expect(result.status <= 1, "\(result.stdout)\(result.stderr)")
        #expect(lb.seen.read { $0 }.allSatisfy { $0.headers["x-execution-mode"] == "sequence" })
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        var members: Set<String> = []
        try store.forEachResponse(runID: run.id, columns: .outline) { members.insert($0.backend) }
        #expect(members == ["fast", "slow"])
        #expect(!(try store.verdicts(runID: run.id)).isEmpty)
        let headers = try store.responseHeaders(runID: run.id)
        #expect(!headers.isEmpty)
        for record in headers {
            #expect(record.headers["x-fastest-backend"] == "fast")
            #expect(record.headers[LoadBalancerAnswer.expectedFastestKey] == "fast")
        }
        #expect(
            result.stdout.contains(
                "x-fastest-backend against the latencies it reported: \(headers.count) of \(headers.count) answers agree"),
            "\(result.stdout)")
    }

    @Test func theFastestHeaderIsCheckedAgainstTheLatenciesInTheSameAnswer() {
        let body: JSONValue = [
            "mode": "all",
            "responses": [
                ["backend": "10.0.0.1:1", "alias": "a", "success": true, "latency_ms": 90.0],
                ["backend": "10.0.0.2:1", "alias": .null, "success": true, "latency_ms": 40.0],
                ["backend": "10.0.0.3:1", "alias": "c", "success": false, "latency_ms": 1.0],
                ["backend": "10.0.0.4:1", "alias": "d", "success": true, "latency_ms": 40.0],
            ],
        ]
        // A failure never counts; of two equal latencies the first listed wins; no alias: the address.
        #expect(LoadBalancerAnswer.fastestMember(in: body, mode: .all) == "10.0.0.2:1")
        #expect(LoadBalancerAnswer.fastestMember(in: body, mode: .race) == nil)
        var check = FastestHeaderCheck()
        check.add(header: "10.0.0.2:1", expected: "10.0.0.2:1", at: "case 0 repeat 1")
        check.add(header: "a", expected: "10.0.0.2:1", at: "case 1 repeat 1")
        check.add(header: nil, expected: "a", at: "case 2 repeat 1")
        #expect(check.checked == 2 && check.mismatches == 1)
        #expect(check.examples == ["case 1 repeat 1: header a, latencies 10.0.0.2:1"])
    }
}
