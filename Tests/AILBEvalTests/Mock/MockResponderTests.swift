import Foundation
import Testing

@testable import AILBEval

extension Mock {
    @Suite struct MockResponderTests {
        static let tools: [JSONValue] = [
            [
                "type": "function",
                "function": [
                    "name": "get_weather",
                    "parameters": [
                        "type": "object",
                        "properties": [
                            "city": ["type": "string"], "days": ["type": "integer", "minimum": 1],
                            "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]], "verbose": ["type": "boolean"],
                        ],
                        "required": ["city", "days", "unit"],
                    ],
                ],
            ],
            [
                "type": "function",
                "function": [
                    "name": "search_web", "parameters": ["type": "object", "properties": ["q": ["type": "string"]], "required": ["q"]],
                ],
            ],
        ]

        static func toolCase(_ n: Int) -> SuiteCase {
            SuiteCase(
                id: "c\(n)",
                messages: [
                    ["role": "system", "content": "Be brief."], ["role": "user", "content": .string("Weather question number \(n)?")],
                ],
                tools: tools,
                expect: Expectation(toolCalls: [
                    ExpectedToolCall(name: "get_weather", arguments: ["city": .string("City\(n)"), "days": .int(n % 7 + 1)])
                ]))
        }

        static let cases = (0..<2000).map(toolCase)
        static let suite = Suite(name: "synthetic", path: "s.yaml", contentHash: "", cases: cases)
        static let responder = MockResponder(suites: [suite])

        static func request(for c: SuiteCase, seed: JSONValue? = 42) -> JSONValue {
            var body: [String: JSONValue] = ["model": "mock-7b", "messages": .array(c.messages)]
            if let tools = c.tools { body["tools"] = .array(tools) }
            if let seed { body["seed"] = seed }
            return .object(body)
        }

        static func behavior(seed: UInt64 = 1, drift: Double = 0, noise: Double = 0, errorRate: Double = 0) -> MockBehavior {
            var b = MockBehavior()
            b.seed = seed
            b.drift = drift
            b.noise = noise
            b.errorRate = errorRate
            b.errorStatus = 503
            return b
        }

        /// The tool calls of a reply as (name, arguments) with arguments parsed and ints and floats unified:
        /// what a careful person compares.
        static func semanticCalls(_ reply: MockReply) -> [String] {
            let calls = reply.body["choices"]?[0]?["message"]?["tool_calls"]?.arrayValue ?? []
            return calls.map { call -> String in
                var arguments = call["function"]?["arguments"] ?? .null
                if let text = arguments.stringValue { arguments = (try? JSONValue(parsing: text)) ?? .null }
                return (call["function"]?["name"]?.stringValue ?? "") + " " + unified(arguments).canonicalText
            }.sorted()
        }

        static func unified(_ value: JSONValue) -> JSONValue {
            switch value {
            case .double(let d) where d.rounded() == d: return .int(Int(d))
            case .array(let items): return .array(items.map(unified))
            case .object(let members): return .object(members.mapValues(unified))
            default: return value
            }
        }

        static func expectedCalls(_ c: SuiteCase) -> [String] {
            (c.expect?.toolCalls ?? []).map { $0.name + " " + ($0.arguments ?? [:]).canonicalText }.sorted()
        }

        @Test func identicalRequestsGetIdenticalAnswers() {
            let behavior = Self.behavior(drift: 0.3, noise: 0.3)
            for c in Self.cases.prefix(200) {
                let a = Self.responder.reply(to: Self.request(for: c), backend: "q4", behavior: behavior)
                let b = Self.responder.reply(to: Self.request(for: c), backend: "q4", behavior: behavior)
                #expect(a == b)
            }
        }

        @Test func answersTheExpectedToolCallWithoutDriftOrNoise() throws {
            for c in Self.cases.prefix(100) {
                let reply = Self.responder.reply(to: Self.request(for: c), backend: "fp16", behavior: Self.behavior())
                #expect(reply.kind == .expected)
                #expect(reply.status == 200)
                let body = reply.body
                #expect(body["object"] == "chat.completion")
                #expect(body["model"] == "mock-7b")
                #expect(body["choices"]?[0]?["finish_reason"] == "tool_calls")
                #expect(body["usage"]?["total_tokens"]?.intValue ?? 0 > 0)
                let call = try #require(body["choices"]?[0]?["message"]?["tool_calls"]?[0])
                #expect(call["type"] == "function")
                #expect(call["id"]?.stringValue?.hasPrefix("call_") == true)
                #expect(call["function"]?["arguments"]?.stringValue != nil)
                #expect(Self.semanticCalls(reply) == Self.expectedCalls(c))
            }
        }

        @Test func driftShareMatchesTheConfiguredProbability() {
            for drift in [0.05, 0.2, 0.5] {
                let behavior = Self.behavior(seed: 7, drift: drift)
                let deviating = Self.cases.filter { c in
                    let reply = Self.responder.reply(to: Self.request(for: c), backend: "q4", behavior: behavior)
                    return Self.semanticCalls(reply) != Self.expectedCalls(c)
                }.count
                let share = Double(deviating) / Double(Self.cases.count)
                // Four standard errors of a binomial share over 2,000 draws.
                let tolerance = 4 * (drift * (1 - drift) / Double(Self.cases.count)).squareRoot()
                #expect(abs(share - drift) <= tolerance, "drift \(drift): share \(share)")
            }
        }

        @Test func noiseChangesTheFormButNotTheAction() {
            let behavior = Self.behavior(seed: 3, noise: 0.3)
            var noisy = 0
            var variants: Set<String> = []
            for c in Self.cases {
                let plain = Self.responder.reply(to: Self.request(for: c), backend: "q8", behavior: Self.behavior(seed: 3))
                let reply = Self.responder.reply(to: Self.request(for: c), backend: "q8", behavior: behavior)
                #expect(Self.semanticCalls(reply) == Self.expectedCalls(c))
                if reply.kind == .noise {
                    noisy += 1
                    variants.insert(reply.variant)
                    #expect(reply.body["choices"]?[0]?["message"] != plain.body["choices"]?[0]?["message"])
                }
            }
            let share = Double(noisy) / Double(Self.cases.count)
            #expect(abs(share - 0.3) <= 0.05)
            #expect(variants.isSuperset(of: ["int_as_float", "arguments_as_object", "spaced_arguments", "think_prefix"]))
        }

        @Test func backendsDeviateIndependently() {
            let behavior = Self.behavior(drift: 0.5)
            let kinds: (String) -> [MockReply.Kind] = { name in
                Self.cases.prefix(400).map { Self.responder.reply(to: Self.request(for: $0), backend: name, behavior: behavior).kind }
            }
            #expect(kinds("a") != kinds("b"))
        }

        @Test func requestSeedIsPartOfTheDraw() {
            let behavior = Self.behavior(drift: 0.5)
            let draws: (JSONValue?) -> [MockReply.Kind] = { seed in
                Self.cases.prefix(400).map {
                    Self.responder.reply(to: Self.request(for: $0, seed: seed), backend: "a", behavior: behavior).kind
                }
            }
            #expect(draws(1) != draws(2))
            #expect(draws(1) == draws(1))
        }

        @Test func errorRateFailsWithTheConfiguredStatus() {
            let behavior = Self.behavior(errorRate: 0.1)
            let replies = Self.cases.map { Self.responder.reply(to: Self.request(for: $0), backend: "a", behavior: behavior) }
            let failures = replies.filter { $0.kind == .failure }
            #expect(abs(Double(failures.count) / 2000 - 0.1) <= 0.03)
            #expect(failures.allSatisfy { $0.status == 503 && $0.body["error"]?["message"] != nil })
        }

        @Test func latencyAndJitterBoundTheDelay() {
            var behavior = Self.behavior()
            behavior.latencyMs = 100
            behavior.jitterMs = 50
            let delays = Self.cases.prefix(200).map {
                Self.responder.reply(to: Self.request(for: $0), backend: "a", behavior: behavior).delayMs
            }
            #expect(delays.allSatisfy { $0 >= 100 && $0 < 150 })
            #expect(Set(delays).count > 100)
        }

        @Test func synthesisesRequiredArgumentsFromTheSchema() throws {
            let c = SuiteCase(
                id: "x", messages: [["role": "user", "content": "Weather?"]], tools: Self.tools,
                expect: Expectation(toolCalls: [ExpectedToolCall(name: "get_weather")]))
            let responder = MockResponder(suites: [Suite(name: "s", path: "", contentHash: "", cases: [c])])
            let reply = responder.reply(to: Self.request(for: c), backend: "a", behavior: Self.behavior())
            let arguments = try #require(reply.body["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue)
            #expect(try JSONValue(parsing: arguments) == ["city": "example city", "days": 1, "unit": "celsius"])
        }

        @Test func unknownPromptCallsTheFirstToolOrAnswersText() throws {
            let withTools = Self.responder.reply(
                to: ["model": "m", "messages": [["role": "user", "content": "never seen"]], "tools": .array(Self.tools)], backend: "a",
                behavior: Self.behavior())
            #expect(withTools.kind == .unknownPrompt)
            #expect(withTools.body["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["name"] == "get_weather")
            let plain = Self.responder.reply(
                to: ["model": "m", "messages": [["role": "user", "content": "never seen"]]], backend: "a", behavior: Self.behavior())
            #expect(plain.body["choices"]?[0]?["message"]?["content"]?.stringValue?.isEmpty == false)
            #expect(plain.body["choices"]?[0]?["finish_reason"] == "stop")
        }

        @Test func textExpectationsAreSatisfied() throws {
            let cases = [
                SuiteCase(id: "t", messages: [["role": "user", "content": "p1"]], expect: Expectation(text: "Paris.")),
                SuiteCase(id: "c", messages: [["role": "user", "content": "p2"]], expect: Expectation(contains: ["Paris", "France"])),
                SuiteCase(id: "r", messages: [["role": "user", "content": "p3"]], expect: Expectation(regex: #"^\d{3}-[A-Z]+(ok|fine)$"#)),
                SuiteCase(
                    id: "b", messages: [["role": "user", "content": "p4"]], expect: Expectation(contains: ["42"], regex: #"answer is \d+"#)),
            ]
            let responder = MockResponder(suites: [Suite(name: "s", path: "", contentHash: "", cases: cases)])
            func text(_ c: SuiteCase) -> String {
                responder.reply(to: Self.request(for: c), backend: "a", behavior: Self.behavior()).body["choices"]?[0]?["message"]?[
                    "content"]?.stringValue ?? ""
            }
            #expect(text(cases[0]) == "Paris.")
            #expect(text(cases[1]).contains("Paris") && text(cases[1]).contains("France"))
            #expect(text(cases[2]).range(of: #"^\d{3}-[A-Z]+(ok|fine)$"#, options: .regularExpression) != nil)
            #expect(text(cases[3]).contains("42") && text(cases[3]).range(of: #"answer is \d+"#, options: .regularExpression) != nil)
        }

        @Test func driftOnTextChangesTheText() {
            let cases = (0..<200).map {
                SuiteCase(id: "t\($0)", messages: [["role": "user", "content": .string("q\($0)")]], expect: Expectation(text: "Paris."))
            }
            let responder = MockResponder(suites: [Suite(name: "s", path: "", contentHash: "", cases: cases)])
            for c in cases {
                let reply = responder.reply(to: Self.request(for: c), backend: "a", behavior: Self.behavior(drift: 1))
                #expect(reply.kind == .drift)
                #expect(reply.body["choices"]?[0]?["message"]?["content"] != "Paris.")
            }
        }

        @Test func fnvIsTheReferenceFunction() {
            // Reference values of FNV-1a 64.
            #expect(MockResponder.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
            #expect(MockResponder.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
            #expect(MockResponder.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
        }
    }
}
