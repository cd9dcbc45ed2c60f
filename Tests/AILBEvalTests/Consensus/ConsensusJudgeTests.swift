import Testing

@testable import AILBEval

extension ConsensusTests {
    @Suite struct ConsensusJudgeTests {
        @Test func reproducesEveryConsensusVector() throws {
            let vectors = try VectorFixtures.load("consensus")
            #expect(vectors.count == 400)
            var failures: [String] = []
            for vector in vectors {
                let request = try VerdictRequest(value: vector, defaultProfile: .ailb, defaultThreshold: 0.9)
                let verdict = ConsensusJudge(profile: request.profile, threshold: request.threshold)
                    .verdict(request.responses)
                let expected = try #require(vector["expected"])
                let actual: JSONValue = [
                    "winner": .string(verdict.winner), "agreement_count": .int(verdict.agreementCount),
                    "disagreement": .bool(verdict.disagreement),
                    "comparison_type": .string(verdict.comparisonType.rawValue),
                ]
                if actual != expected {
                    failures.append(
                        "\(request.id.canonicalText): expected \(expected.canonicalText), got \(actual.canonicalText)")
                }
                #expect(verdict.groups.first?.count ?? 0 == verdict.agreementCount)
                #expect(verdict.groups.flatMap { $0 }.count == verdict.successes)
            }
            #expect(failures.isEmpty, Comment(rawValue: VectorFixtures.report(failures, of: vectors.count)))
        }

        @Test func noSuccessesIsNoneWonByTheFirstBackend() {
            let verdict = ConsensusJudge().verdict([failed("b0"), ok("b1", [:]), failed("b2")])
            #expect(verdict.comparisonType == .none)
            #expect(verdict.winner == "b0")
            #expect(verdict.agreementCount == 0)
            #expect(verdict.disagreement)
            #expect(verdict.groups.isEmpty)
        }

        @Test func anEmptyBodyOrAFailureFlagIsNotASuccess() {
            let notSuccesses = [
                ok("b0", [:]), ok("b1", "text"),
                CandidateResponse(backend: "b2", success: false, latencyMs: 1, json: chatBody("x")),
            ]
            #expect(notSuccesses.allSatisfy { !ConsensusJudge.isSuccess($0) })
            let verdict = ConsensusJudge().verdict(notSuccesses + [ok("b3", chatBody("hi"))])
            #expect(verdict.comparisonType == .single)
            #expect(verdict.winner == "b3")
            #expect(verdict.agreementCount == 1)
            #expect(!verdict.disagreement)
            #expect(verdict.groups == [["b3"]])
        }

        @Test func toolCallsRuleGroupsCallersAndLeavesTextOnlyResponsesAsSingletons() {
            let verdict = ConsensusJudge().verdict([
                ok("b0", chatBody("I would rather not.")),
                ok("b1", chatBody(toolCalls: [toolCall("get_weather", #"{"city": "Oslo"}"#)]), latency: 300),
                ok("b2", chatBody("Calling.", toolCalls: [toolCall("get_weather", #"{"city":"Oslo"}"#)]), latency: 200),
                failed("b3"),
            ])
            #expect(verdict.comparisonType == .toolCalls)
            #expect(verdict.winner == "b2")
            #expect(verdict.agreementCount == 2)
            #expect(verdict.disagreement)
            #expect(verdict.groups == [["b1", "b2"], ["b0"]])
            #expect(verdict.successes == 3)
        }

        @Test func tooFewCallersFallsThroughToTheHashRule() {
            // 1 caller of 3 successes is below ⌊3/2⌋+1, so text and calls are hashed together.
            let verdict = ConsensusJudge().verdict([
                ok("b0", chatBody(toolCalls: [toolCall("f", "{}")])),
                ok("b1", chatBody("Paris"), latency: 50),
                ok("b2", chatBody("  Paris "), latency: 40),
            ])
            #expect(verdict.comparisonType == .hash)
            #expect(verdict.winner == "b2")
            #expect(verdict.agreementCount == 2)
            #expect(verdict.groups == [["b1", "b2"], ["b0"]])
        }

        @Test func withoutAHashMajorityTextIsClusteredByTheThreshold() {
            let responses = [
                ok("b0", chatBody("The capital of France is Paris.")),
                ok("b1", chatBody("Berlin is the capital of Germany, not France.")),
                ok("b2", chatBody("The capital of France is Paris!")),
            ]
            let verdict = ConsensusJudge(threshold: 0.9).verdict(responses)
            #expect(verdict.comparisonType == .text)
            #expect(verdict.groups == [["b0", "b2"], ["b1"]])
            #expect(verdict.agreementCount == 2)
            let strict = ConsensusJudge(threshold: 1.0).verdict(responses)
            #expect(strict.comparisonType == .text)
            #expect(strict.agreementCount == 1)
            #expect(strict.groups == [["b0"], ["b1"], ["b2"]])
        }

        @Test func aTieGoesToTheFirstFormedGroup() {
            let verdict = ConsensusJudge().verdict([
                ok("b0", chatBody(toolCalls: [toolCall("a", "{}")]), latency: 500),
                ok("b1", chatBody(toolCalls: [toolCall("b", "{}")]), latency: 10),
                ok("b2", chatBody(toolCalls: [toolCall("b", "{}")]), latency: 20),
                ok("b3", chatBody(toolCalls: [toolCall("a", "{}")]), latency: 400),
            ])
            #expect(verdict.comparisonType == .toolCalls)
            #expect(verdict.winner == "b3")
            #expect(verdict.groups == [["b0", "b3"], ["b1", "b2"]])
            #expect(verdict.disagreement)
        }

        @Test func theWinnerIsTheFastestOfTheGroupAndTheFirstOnATie() {
            let body = chatBody("same")
            let fastest = ConsensusJudge().verdict([
                ok("b0", body, latency: 30), ok("b1", body, latency: 10), ok("b2", body, latency: 20),
            ])
            #expect(fastest.winner == "b1")
            #expect(!fastest.disagreement)
            let tie = ConsensusJudge().verdict([
                ok("b0", body, latency: 30), ok("b1", body, latency: 10), ok("b2", body, latency: 10),
            ])
            #expect(tie.winner == "b1")
        }

        @Test func failedBackendsDoNotCountTowardsTheMajority() {
            let verdict = ConsensusJudge().verdict([
                failed("b0"), failed("b1"), ok("b2", chatBody("yes")), ok("b3", chatBody("yes")),
            ])
            #expect(verdict.comparisonType == .hash)
            #expect(verdict.agreementCount == 2)
            #expect(!verdict.disagreement)
            #expect(verdict.successes == 2)
            #expect(verdict.groups == [["b2", "b3"]])
        }

        @Test func semanticEquivalencesTurnSpuriousDisagreementsIntoAgreement() {
            let cases: [(String, [CandidateResponse])] = [
                (
                    "argument encoding",
                    [
                        ok("b0", chatBody(toolCalls: [toolCall("f", ["a": 1])])),
                        ok("b1", chatBody(toolCalls: [toolCall("f", #"{"a": 1}"#)])),
                    ]
                ),
                (
                    "number formatting",
                    [
                        ok("b0", chatBody(toolCalls: [toolCall("f", #"{"qty": 2, "x": {"y": [1.0]}}"#)])),
                        ok("b1", chatBody(toolCalls: [toolCall("f", #"{"qty": 2.0, "x": {"y": [1]}}"#)])),
                    ]
                ),
                (
                    "call order",
                    [
                        ok(
                            "b0",
                            chatBody(toolCalls: [
                                toolCall("f", #"{"city":"Oslo"}"#), toolCall("f", #"{"city":"Rome"}"#),
                            ])),
                        ok(
                            "b1",
                            chatBody(toolCalls: [
                                toolCall("f", #"{"city":"Rome"}"#), toolCall("f", #"{"city":"Oslo"}"#),
                            ])),
                    ]
                ),
                (
                    "reasoning tags",
                    [
                        ok("b0", chatBody("<think>Let me add 2 and 2 carefully first.</think>4")),
                        ok("b1", chatBody("4")),
                    ]
                ),
            ]
            for (name, responses) in cases {
                #expect(ConsensusJudge(profile: .ailb).verdict(responses).disagreement, "ailb should split: \(name)")
                #expect(
                    !ConsensusJudge(profile: .semantic).verdict(responses).disagreement,
                    "semantic should agree: \(name)")
            }
        }

        @Test func foldingStringsIsOptIn() {
            let responses = [
                ok("b0", chatBody(toolCalls: [toolCall("f", #"{"city":"Oslo"}"#)])),
                ok("b1", chatBody(toolCalls: [toolCall("f", #"{"city":" oslo "}"#)])),
            ]
            #expect(ConsensusJudge(profile: .semantic).verdict(responses).disagreement)
            #expect(!ConsensusJudge(profile: .semantic, foldStrings: true).verdict(responses).disagreement)
        }

        @Test func pairsExplainEachTwoSuccesses() {
            let judge = ConsensusJudge()
            let pairs = judge.pairs([
                ok("b0", chatBody("Paris")), failed("b1"), ok("b2", chatBody(" Paris")),
                ok("b3", chatBody(toolCalls: [toolCall("f", "{}")])),
            ])
            #expect(pairs.map { [$0.a, $0.b] } == [["b0", "b2"], ["b0", "b3"], ["b2", "b3"]])
            #expect(
                pairs[0] == PairComparison(a: "b0", b: "b2", similarity: 1.0, toolCallsEqual: true, hashEqual: true))
            #expect(pairs[1].similarity == 0.0)
            #expect(!pairs[1].toolCallsEqual)
            #expect(!pairs[1].hashEqual)
        }
    }
}
