import Testing

@testable import AILBEval

/// The one line of advice: which comparisons it makes, and how honestly it words them.
@Suite struct ModeAdviceWordingTests {
    func row(
        _ mode: AnsweringMode, correct: Int = 0, scored: Int = 0, agreeing: Int = 0, withWinner: Int = 0, p50: Double,
        sameAs: String? = nil
    ) -> ModeRow {
        ModeRow(
            mode: mode, repeats: 100, accuracy: Proportion(successes: correct, trials: scored),
            agreement: Proportion(successes: agreeing, trials: withWinner), latencyP50: p50, latencyP95: p50 * 2, sameAs: sameAs)
    }

    func advice(_ rows: [ModeRow]) -> String {
        ModeAdvice(modes: rows.map(\.mode), rows: rows, reference: nil, repeatCount: 100).advice
    }

    @Test func raceAgainstConsensusGivesTheSpeedRatioAndARealLossWithItsInterval() {
        let text = advice([
            row(.race, correct: 50, scored: 100, p50: 10), row(.consensus, correct: 90, scored: 100, p50: 31),
            row(.backend("a"), correct: 60, scored: 100, p50: 12),
        ])
        #expect(text.hasPrefix("race is 3.1× faster than consensus at p50 (10 vs 31 ms) and loses 40.0 points of accuracy [95% CI "))
        #expect(text.contains("; the best backend alone, a, is 2.6× faster than consensus at p50 (12 vs 31 ms) and loses 30.0 points"))
        #expect(!text.contains("no real difference"))
    }

    @Test func aDifferenceInsideTheIntervalIsCalledNoRealDifference() {
        let text = advice([row(.race, correct: 88, scored: 100, p50: 10), row(.consensus, correct: 90, scored: 100, p50: 30)])
        #expect(text.contains("race is 3.0× faster than consensus at p50"))
        #expect(text.contains("its accuracy differs by -2.0 points [95% CI "))
        #expect(text.contains("within the interval: no real difference"))
        #expect(!text.contains("loses"))
    }

    @Test func aRealGainAndASlowerModeAreSaidAsSuch() {
        let text = advice([row(.race, correct: 95, scored: 100, p50: 40), row(.consensus, correct: 50, scored: 100, p50: 20)])
        #expect(text.contains("race is 2.0× slower than consensus at p50 (40 vs 20 ms) and gains 45.0 points of accuracy"))
        let same = advice([row(.race, correct: 95, scored: 100, p50: 20.4), row(.consensus, correct: 95, scored: 100, p50: 20)])
        #expect(same.contains("race is as fast as consensus at p50"))
    }

    @Test func theBestBackendAloneIsComparedWithConsensusTheFasterOneOnATie() {
        let text = advice([
            row(.race, correct: 80, scored: 100, p50: 10), row(.consensus, correct: 90, scored: 100, p50: 40),
            row(.backend("slow"), correct: 91, scored: 100, p50: 35), row(.backend("fast"), correct: 91, scored: 100, p50: 20),
            row(.backend("weak"), correct: 70, scored: 100, p50: 5),
        ])
        #expect(
            text.contains(
                "; the best backend alone, fast, is 2.0× faster than consensus at p50 (20 vs 40 ms) and its accuracy differs by +1.0 points"
            ))
    }

    @Test func withoutExpectTheAnswersAreComparedByAgreementWithConsensus() {
        let rows = [
            row(.race, agreeing: 92, withWinner: 100, p50: 10), row(.consensus, agreeing: 100, withWinner: 100, p50: 30),
            row(.backend("a"), agreeing: 97, withWinner: 100, p50: 12),
        ]
        let advice = ModeAdvice(modes: rows.map(\.mode), rows: rows, reference: nil, repeatCount: 100)
        #expect(advice.basis == .agreement)
        #expect(advice.advice.hasPrefix("no case has expect, so answers are compared by agreement with the consensus answer; "))
        #expect(
            advice.advice.contains(
                "race is 3.0× faster than consensus at p50 (10 vs 30 ms) and returns the consensus answer in 92.0% of repeats [95% CI"))
        #expect(advice.advice.contains("the best backend alone, a, is 2.5× faster than consensus at p50"))
        #expect(!advice.advice.contains("accuracy"))
    }

    @Test func everyModeThatEqualsABackendOnEveryRepeatIsNamed() {
        let text = advice([
            row(.race, correct: 50, scored: 100, p50: 10, sameAs: "b"), row(.failover, correct: 50, scored: 100, p50: 10, sameAs: "b"),
            row(.consensus, correct: 90, scored: 100, p50: 30), row(.semanticConsensus, correct: 90, scored: 100, p50: 30, sameAs: "a"),
            row(.backend("a"), correct: 90, scored: 100, p50: 30), row(.backend("b"), correct: 50, scored: 100, p50: 10),
        ])
        #expect(
            text.hasSuffix("; race and failover each equal b alone on every repeat; consensus (semantic) equals a alone on every repeat."))
        let single = advice([
            row(.failover, correct: 50, scored: 100, p50: 10, sameAs: "gentoo"), row(.consensus, correct: 50, scored: 100, p50: 10),
        ])
        #expect(single.contains("failover equals gentoo alone on every repeat"))
        #expect(
            !advice([row(.race, correct: 1, scored: 2, p50: 1), row(.consensus, correct: 1, scored: 2, p50: 1)]).contains("alone on every"))
    }

    @Test func missingDataIsSaidRatherThanCompared() {
        #expect(advice([row(.race, p50: 10)]).contains("no consensus verdict is stored, so nothing can be compared with consensus"))
        #expect(advice([row(.race, p50: 10), row(.consensus, p50: 20)]).hasPrefix("no case has expect and consensus never had a winner"))
        let noScore = advice([row(.race, correct: 5, scored: 10, p50: 10), row(.consensus, p50: 20)])
        #expect(noScore.contains("(consensus has no repeat scored against expect, so accuracy cannot be compared)"))
        #expect(ModeAdvice(modes: [.race], rows: [], reference: nil, repeatCount: 0).advice.hasPrefix("No case repeat has a stored answer"))
    }
}

@Suite struct ParetoFrontTests {
    @Test func keepsThePointsNoOtherBeatsOnBothAxesFastestFirst() {
        let points: [(x: Double, y: Double)] = [(30, 0.9), (20, 0.9), (10, 0.8), (15, 0.7), (20, 0.9), (40, 0.95)]
        // (30, .9) is as accurate as (20, .9) but slower; (15, .7) is slower and less accurate than (10, .8);
        // the two (20, .9) are identical and both stay.
        #expect(ParetoFront.indices(points) == [2, 1, 4, 5])
        #expect(ParetoFront.indices([]) == [])
        #expect(ParetoFront.indices([(5, 0.5)]) == [0])
    }
}

@Suite struct ProportionDifferenceTests {
    @Test func newcombesIntervalHoldsTheDifferenceAndZeroOnlyWhenTheDataAllowIt() throws {
        let d = try #require(ProportionDifference(Proportion(successes: 50, trials: 100), minus: Proportion(successes: 90, trials: 100)))
        #expect(abs(d.value + 0.4) < 1e-12)
        #expect(d.lower < d.value && d.value < d.upper && d.upper < 0)
        // Newcombe (1998), method 10, example (h): 56/70 − 48/80 = 0.2000, CI 0.0524 to 0.3339.
        let example = try #require(
            ProportionDifference(Proportion(successes: 56, trials: 70), minus: Proportion(successes: 48, trials: 80)))
        #expect(abs(example.lower - 0.0524) < 0.0005 && abs(example.upper - 0.3339) < 0.0005)
        #expect(
            ProportionDifference(Proportion(successes: 88, trials: 100), minus: Proportion(successes: 90, trials: 100))?.includesZero
                == true)
        #expect(ProportionDifference(Proportion(successes: 0, trials: 0), minus: Proportion(successes: 1, trials: 2)) == nil)
    }
}
