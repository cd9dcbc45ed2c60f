import Testing

@testable import AILBEval

extension ConsensusTests {
    /// Evaluation figures must not depend on the order of the backends in the config: ai-lb's winner does
    /// (first-formed group, greedy text clustering), the answer groups and outcomes must not.
    @Suite struct OrderIndependenceTests {
        /// Answers chosen so that every rule is exercised: tool calls (equal, reordered keys, another
        /// name), exact texts, and texts near each other around the 0.9 threshold (a chain a~b~c with a≁c).
        static let pool: [JSONValue] = [
            chatBody(toolCalls: [toolCall("get_weather", #"{"city":"Oslo","days":3}"#)]),
            chatBody(toolCalls: [toolCall("get_weather", #"{"days": 3, "city": "Oslo"}"#)]),
            chatBody(toolCalls: [toolCall("send_mail", #"{"to":"a@b.c"}"#)]),
            chatBody("The capital of France is Paris, a city on the Seine."),
            chatBody("The capital of France is Paris, a city on the Seine!"),
            chatBody("The capital of France is Paris, the city on the Seine river."),
            chatBody("Capital: Paris (France), the city on the river Seine."),
            chatBody("I do not know."),
        ]

        @Test func answerGroupsOutcomesAndScoresAreTheSameInEveryOrder() async {
            var random = SeededGenerator(seed: 20_261_126)
            var checked = 0
            for _ in 0..<400 {
                await Task.yield()
                let count = 2 + random.below(4)
                var responses: [CandidateResponse] = []
                var scores: [String: Bool] = [:]
                for index in 0..<count {
                    let name = "b\(index)"
                    if random.below(8) == 0 {
                        responses.append(failed(name))
                        continue
                    }
                    responses.append(ok(name, Self.pool[random.below(Self.pool.count)], latency: Double(random.below(50))))
                    scores[name] = random.below(2) == 0
                }
                for profile in EquivalenceProfile.allCases {
                    let judge = ConsensusJudge(profile: profile)
                    let reference = judge.verdict(responses)
                    for _ in 0..<3 {
                        var permuted = responses
                        permuted.shuffle(using: &random)
                        let verdict = judge.verdict(permuted)
                        #expect(verdict.answerGroups == reference.answerGroups, "\(profile): \(permuted.map(\.backend))")
                        #expect(verdict.outcome == reference.outcome)
                        let a = CaseAssessor.consensusScore(reference, scores: scores, hasExpect: true)
                        let b = CaseAssessor.consensusScore(verdict, scores: scores, hasExpect: true)
                        #expect(a.correct == b.correct && a.undecided == b.undecided)
                        checked += 1
                    }
                }
            }
            #expect(checked == 2400)
        }

        @Test func aChainOfSimilarTextsIsOneAnswerWhateverTheOrder() {
            let a = ok("a", chatBody(.string(String(repeating: "alpha beta gamma delta ", count: 3) + "one")))
            let b = ok("b", chatBody(.string(String(repeating: "alpha beta gamma delta ", count: 3) + "one two three")))
            let c = ok("c", chatBody(.string(String(repeating: "alpha beta gamma delta ", count: 3) + "two three four five")))
            let judge = ConsensusJudge(profile: .ailb)
            let forward = judge.verdict([a, b, c])
            let backward = judge.verdict([c, a, b])
            #expect(forward.answerGroups == backward.answerGroups)
            // ai-lb's own groups are allowed to differ with the order; that is why they are not used.
            #expect(forward.comparisonType == .text)
        }
    }
}
