import Foundation
import Testing

@testable import AILBEval

/// One hostile backend beside two healthy ones, through the real binary, for every fault a server can
/// commit: the faulty backend's responses carry the right error class, the run completes, the healthy
/// backends are untouched, and every verdict is computed over the successes alone (under `ailb`, over what ai-lb
/// counts as one).
@Suite struct FaultMatrixTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        var name: String
        /// The faulty backend's entry under `backends:`.
        var backend: String
        /// nil: the faulty backend's responses are successes.
        var errorClass: ErrorClass?
        var stream = false
        var timeout = 2.0
        var maxResponseBytes = 8 << 20
        /// Whether ai-lb, which fails a backend only on a transport error, a timeout, 404, 429 or 5xx, would
        /// vote with the faulty answer: a whole 2xx body that is not JSON, not UTF-8, or no chat completion.
        var aiLbVotes = false

        var testDescription: String { name }

        var votingInAiLb: Scenario {
            var scenario = self
            scenario.aiLbVotes = true
            return scenario
        }

        static func mock(_ fault: MockFault, _ errorClass: ErrorClass?, stream: Bool = false) -> Scenario {
            Scenario(
                name: fault.rawValue + (stream ? " (stream)" : ""),
                backend: "  - {name: faulty, kind: mock, model: m, quant: 4bit, mock: {seed: 9, fault: \(fault.rawValue)}}\n",
                errorClass: errorClass, stream: stream)
        }
    }

    static let scenarios: [Scenario] = [
        // Nothing listens on port 1 of the loopback interface: the connection is refused.
        Scenario(
            name: "connection refused",
            backend: "  - {name: faulty, url: \"http://127.0.0.1:1/v1\", model: m, quant: 4bit}\n", errorClass: .connect),
        .mock(.resetMidBody, .badJSON),
        .mock(.resetMidBody, .badSSE, stream: true),
        {
            var s = Scenario.mock(.timeout, .timeout)
            s.timeout = 1
            return s
        }(),
        .mock(.status429, .http429),
        .mock(.status429Date, .http429),
        .mock(.status500, .http5xx),
        .mock(.status502, .http5xx),
        .mock(.status503, .http5xx),
        .mock(.invalidJSON, .badJSON).votingInAiLb,
        .mock(.invalidUTF8, .badJSON).votingInAiLb,
        .mock(.invalidUTF8, .badSSE, stream: true),
        .mock(.noChoices, .badJSON).votingInAiLb,
        .mock(.badArguments, nil),
        .mock(.cutMidEvent, .badSSE, stream: true),
        .mock(.truncatedSSE, .badSSE, stream: true),
        .mock(.noDone, nil, stream: true),
        .mock(.keepAlive, nil, stream: true),
        {
            var s = Scenario.mock(.hugeBody, .tooLarge)
            s.maxResponseBytes = 1 << 20
            return s
        }(),
        {
            var s = Scenario.mock(.dripByte, .timeout)
            s.timeout = 1.5
            return s
        }(),
    ]

    static func config(_ scenario: Scenario) -> String {
        """
        backends:
          - {name: healthy-8bit, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
        \(scenario.backend)  - {name: healthy-q4, kind: mock, model: m, quant: Q4_K_M, mock: {seed: 3}}
        defaults: {timeout: \(scenario.timeout), retries: 1, stream: \(scenario.stream)}
        limits: {max_response_bytes: \(scenario.maxResponseBytes)}

        """
    }

    @Test(arguments: scenarios)
    func oneHostileBackendDoesNotDisturbTheRun(_ scenario: Scenario) async throws {
        let cli = try CLIHarness(config: Self.config(scenario))
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")

        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        #expect(run.status == .completed)
        var byBackend: [String: [ResponseRecord]] = [:]
        try store.forEachResponse(runID: run.id) { byBackend[$0.backend, default: []].append($0) }
        #expect(byBackend.mapValues(\.count) == ["healthy-8bit": 4, "faulty": 4, "healthy-q4": 4])
        for healthy in ["healthy-8bit", "healthy-q4"] {
            #expect(byBackend[healthy]?.allSatisfy { $0.success && $0.correct == true } == true, "\(healthy)")
        }
        let faulty = byBackend["faulty"] ?? []
        if let errorClass = scenario.errorClass {
            for response in faulty {
                #expect(!response.success)
                #expect(response.errorClass == errorClass, "\(response.errorMessage ?? "")")
                #expect(response.errorMessage?.isEmpty == false)
            }
            #expect(result.stdout.contains("\(errorClass.rawValue) 4"), "\(result.stdout)")
        } else {
            #expect(faulty.allSatisfy { $0.success && $0.errorClass == nil }, "\(faulty.compactMap(\.errorMessage))")
        }

        for profile in EquivalenceProfile.allCases {
            // `ailb` votes with what ai-lb votes with; `semantic` only with chat completions.
            let faultyVotes = scenario.errorClass == nil || (profile == .ailb && scenario.aiLbVotes)
            let verdicts = try store.verdicts(runID: run.id, profile: profile)
            #expect(verdicts.count == 4)
            for v in verdicts {
                #expect(v.verdict.successes == (faultyVotes ? 3 : 2))
                let members = Set(v.verdict.groups.flatMap { $0 })
                #expect(members.contains("healthy-8bit") && members.contains("healthy-q4"))
                #expect(members.contains("faulty") == faultyVotes)
                #expect(v.verdict.winner != "faulty" || scenario.errorClass == nil)
                #expect(v.consensusCorrect == true)
            }
        }
        if scenario.backend.contains("badArguments") {
            // Unparsable arguments are the model's answer: they are stored and outvoted on the tool cases.
            let tools = faulty.filter { $0.toolCalls != nil }
            #expect(tools.count == 2)
            #expect(tools.allSatisfy { $0.correct == false })
            let toolVerdicts = try store.verdicts(runID: run.id, profile: .semantic).filter { $0.casePosition < 2 }
            #expect(toolVerdicts.allSatisfy { $0.verdict.disagreement && $0.verdict.agreementCount == 2 })
        }
    }
}
