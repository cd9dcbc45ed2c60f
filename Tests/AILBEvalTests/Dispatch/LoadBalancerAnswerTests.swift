import Foundation
import Testing

@testable import AILBEval

/// Taking ai-lb's multi-backend bodies apart (AILB-API.md), without a network.
@Suite struct LoadBalancerAnswerTests {
    static let naming = MemberNaming(
        loadBalancer: "lb", backends: [BackendConfig(name: "lb", kind: .ailb, model: "m"), BackendConfig(name: "m2", model: "m")])

    static func completion(_ text: String) -> JSONValue {
        ["id": "x", "model": "qwen:7b", "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)]]]]
    }

    static func answer(_ body: JSONValue, headers: [String: String] = [:]) -> BackendResponse {
        var response = BackendResponse(httpStatus: 200, latencyMs: 900, body: body, rawBody: body.compactText)
        response.headers = headers
        return response
    }

    @Test(arguments: [
        ("Timeout", ErrorClass.timeout), ("HTTP 429 Rate Limited", .http429), ("HTTP 500", .http5xx),
        ("HTTP 503", .http5xx), ("Backend at capacity", .http5xx), ("Model at capacity", .http5xx),
        ("HTTP 404", .http4xx), ("ClientConnectorError: Cannot connect to host", .connect), ("", .upstream), (" ", .upstream),
    ])
    func mapsAiLbErrorStrings(_ error: String, _ expected: ErrorClass) {
        #expect(LoadBalancerAnswer.errorClass(forLoadBalancerError: error) == expected)
    }

    @Test func anEmptyErrorIsATimeoutOnlyWhenTheLatencyReachedOneOfAiLbsTimeouts() {
        func member(error: JSONValue, latency: Double, timeouts: LoadBalancerTimeouts) -> BackendResponse {
            let item: JSONValue = [
                "backend": "10.0.0.2:11434", "alias": "gentoo", "success": false, "latency_ms": .double(latency),
                "error": error, "response": .null,
            ]
            let answer = LoadBalancerAnswer.interpret(
                Self.answer(["mode": "all", "responses": [item]]), mode: .all, naming: Self.naming, timeouts: timeouts)
            return answer.members[0].response
        }
        let defaults = LoadBalancerTimeouts()
        #expect(defaults.request == 60 && defaults.execution == 60)
        // REQUEST_TIMEOUT_SECS (default 60) reached: ai-lb's HTTP client timed out.
        var response = member(error: "", latency: 60_004, timeouts: defaults)
        #expect(response.errorClass == .timeout)
        #expect(response.errorMessage == "ai-lb gave no error text after 60.0 s: ai-lb's request timeout (request_timeout 60 s)")
        response = member(error: "", latency: 10_020, timeouts: LoadBalancerTimeouts(execution: 30, request: 10))
        #expect(response.errorClass == .timeout)
        // The execution timeout reached.
        response = member(error: "", latency: 20_001, timeouts: LoadBalancerTimeouts(execution: 20, request: 60))
        #expect(response.errorClass == .timeout)
        #expect(response.errorMessage?.hasSuffix("the execution timeout (execution_timeout 20 s)") == true)
        // Neither reached: a failure without a reason, never a connection error.
        for error: JSONValue in ["", .null, "  "] {
            response = member(error: error, latency: 1_500, timeouts: LoadBalancerTimeouts(execution: 20, request: 10))
            #expect(response.errorClass == .upstream)
            #expect(response.errorMessage == "ai-lb gave no error text")
            #expect(response.httpStatus == nil)
        }
        #expect(member(error: "Timeout", latency: 0, timeouts: defaults).errorClass == .timeout)
    }

    @Test func namesMembersByAliasElseAddressAndPrefixesTakenNames() {
        #expect(Self.naming.name(alias: "gentoo", address: "10.0.0.2:11434") == "gentoo")
        #expect(Self.naming.name(alias: nil, address: "10.0.0.2:11434") == "10.0.0.2:11434")
        #expect(Self.naming.name(alias: "", address: "10.0.0.2:11434") == "10.0.0.2:11434")
        #expect(Self.naming.name(alias: "m2", address: "10.0.0.1:1234") == "lb/m2")
        let two = MemberNaming(
            loadBalancer: "a",
            backends: [BackendConfig(name: "a", kind: .ailb, model: "m"), BackendConfig(name: "b", kind: .ailb, model: "m")])
        #expect(two.name(alias: "gentoo", address: "h:1") == "a/gentoo")
    }

    @Test func aTimeoutWithoutAliasIsNamedByTheAliasKnownAtItsAddress() {
        let timeout: JSONValue = [
            "backend": "10.0.0.1:1234", "alias": .null, "success": false, "latency_ms": 0.0, "error": "Timeout",
            "response": .null,
        ]
        let answered: JSONValue = [
            "backend": "10.0.0.1:1234", "alias": "m2", "success": true, "latency_ms": 5.0, "error": .null,
            "response": Self.completion("x"),
        ]
        // Unknown address: named by it.
        var naming = Self.naming
        let alone = LoadBalancerAnswer.interpret(
            Self.answer(["mode": "all", "responses": [timeout]]), mode: .all, naming: naming)
        #expect(alone.members.map(\.name) == ["10.0.0.1:1234"])
        // Seen with its alias earlier in the run (the collector learns it), or in the same answer.
        naming.learn(alias: "m2", address: "10.0.0.1:1234")
        let later = LoadBalancerAnswer.interpret(
            Self.answer(["mode": "all", "responses": [timeout]]), mode: .all, naming: naming)
        #expect(later.members.map(\.name) == ["lb/m2"])
        #expect(later.members.map(\.alias) == ["m2"])
        #expect(later.members[0].response.errorClass == .timeout)
        let consensus: JSONValue = [
            "mode": "consensus", "winner": ["backend": "10.0.0.1:1234", "alias": .null, "response": .null, "latency_ms": 0.0],
            "agreement_count": 0, "disagreement": true, "comparison_type": "none",
            "all_responses": [timeout, ["backend": "10.0.0.9:1", "alias": "b", "success": false, "error": "HTTP 500"]],
        ]
        let judged = LoadBalancerAnswer.interpret(Self.answer(consensus), mode: .consensus, naming: naming)
        #expect(judged.verdict?.winner == "lb/m2")
        let same = LoadBalancerAnswer.interpret(
            Self.answer(["mode": "all", "responses": [timeout, answered]]), mode: .all, naming: Self.naming)
        #expect(same.members.map(\.name) == ["lb/m2", "lb/m2#2"])

        // `members:` gives the address: known before any answer.
        var lb = BackendConfig(name: "lb", kind: .ailb, model: "m")
        lb.ailbOptions = AILBOptions(members: ["gentoo": AILBMember(quant: "Q4_K_M", address: "10.0.0.2:11434")])
        let configured = MemberNaming(loadBalancer: "lb", backends: [lb])
        #expect(configured.name(alias: nil, address: "10.0.0.2:11434") == "gentoo")
        #expect(configured.name(alias: "", address: "10.0.0.3:1") == "10.0.0.3:1")

        // A resumed run knows the aliases of the members it stored.
        var resumed = MemberNaming(loadBalancer: "lb", backends: [lb, BackendConfig(name: "m2", model: "m")])
        resumed.learn(stored: [
            BackendRecord(
                position: 2, name: "lb/m2", kind: .ailbMember, urls: ["10.0.0.1:1234"], model: "m", family: "f", quant: "", via: "lb"),
            BackendRecord(
                position: 3, name: "10.0.0.4:1", kind: .ailbMember, urls: ["10.0.0.4:1"], model: "m", family: "f", quant: "", via: "lb"),
        ])
        #expect(resumed.name(alias: nil, address: "10.0.0.1:1234") == "lb/m2")
        #expect(resumed.name(alias: nil, address: "10.0.0.4:1") == "10.0.0.4:1")
    }

    @Test func readsAConsensusBodyWithItsVerdictAndHeader() {
        let body: JSONValue = [
            "mode": "consensus", "winner": ["backend": "10.0.0.1:1234", "alias": "m2", "response": .null, "latency_ms": 800.0],
            "agreement_count": 1, "disagreement": true, "comparison_type": "text",
            "all_responses": [
                [
                    "backend": "10.0.0.1:1234", "alias": "m2", "success": true, "latency_ms": 800.0, "error": .null,
                    "response": Self.completion("Tokyo"),
                ],
                [
                    "backend": "10.0.0.2:11434", "alias": .null, "success": true, "latency_ms": 500.0, "error": .null,
                    "response": ["error": ["message": "tools unsupported"]],
                ],
                [
                    "backend": "10.0.0.3:8080", "alias": "c", "success": false, "latency_ms": 0.0, "error": "HTTP 502",
                    "response": .null,
                ],
            ],
        ]
        let answer = LoadBalancerAnswer.interpret(
            Self.answer(body, headers: ["x-disagreement": "true"]), mode: .consensus, naming: Self.naming)
        #expect(answer.failure == nil)
        #expect(answer.members.map(\.name) == ["lb/m2", "10.0.0.2:11434", "c"])
        #expect(answer.members.map(\.response.isSuccess) == [true, false, false])
        #expect(answer.members.map(\.loadBalancerSuccess) == [true, true, false])
        #expect(answer.members[0].model == "qwen:7b")
        #expect(answer.members[0].response.latencyMs == 800)
        #expect(answer.members[1].response.errorClass == .http4xx)
        #expect(answer.members[2].response.errorClass == .http5xx)
        #expect(answer.members[2].response.httpStatus == 502)
        #expect(answer.members[2].response.errorMessage == "HTTP 502")
        #expect(
            answer.verdict
                == ReportedVerdict(winner: "lb/m2", agreementCount: 1, disagreement: true, comparisonType: "text", xDisagreement: true))
    }

    @Test func aBodyOfTheWrongShapeIsAFailureOfTheWholeRequest() {
        let plain = LoadBalancerAnswer.interpret(Self.answer(Self.completion("hi")), mode: .all, naming: Self.naming)
        #expect(plain.failure?.errorClass == .badJSON)
        #expect(plain.members.isEmpty)
        let empty = LoadBalancerAnswer.interpret(Self.answer(["mode": "all", "responses": []]), mode: .all, naming: Self.naming)
        #expect(empty.failure?.errorMessage == "ai-lb reported no backend at all in 'responses'")
        let nameless = LoadBalancerAnswer.interpret(
            Self.answer(["mode": "all", "responses": [["success": true]]]), mode: .all, naming: Self.naming)
        #expect(nameless.failure?.errorMessage == "ai-lb's responses[0] has no 'backend'")
        var refused = BackendResponse(errorClass: .connect, errorMessage: "could not connect", latencyMs: 1)
        refused.url = "http://lb/v1/chat/completions"
        #expect(LoadBalancerAnswer.interpret(refused, mode: .all, naming: Self.naming).failure?.errorClass == .connect)
    }

    @Test func theSameBackendTwiceGetsTwoRows() {
        let item: JSONValue = ["backend": "h:1", "alias": "a", "success": true, "latency_ms": 1.0, "response": Self.completion("x")]
        let answer = LoadBalancerAnswer.interpret(
            Self.answer(["mode": "all", "responses": [item, item]]), mode: .all, naming: Self.naming)
        #expect(answer.members.map(\.name) == ["a", "a#2"])
    }
}
