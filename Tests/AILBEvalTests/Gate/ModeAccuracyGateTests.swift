import Testing

@testable import AILBEval

/// `--min-mode-accuracy MODE=X` checked against the mode advisor's rows.
@Suite struct ModeAccuracyGateTests {
    static let modes: [AnsweringMode] = AnsweringMode.modes + [.backend("a")]

    func advice(race: Proportion, consensusRepeats: Int = 10) -> ModeAdvice {
        let rows = Self.modes.map { mode -> ModeRow in
            switch mode {
            case .race: return ModeRow(mode: mode, repeats: 10, accuracy: race, latencyP50: 5)
            case .consensus, .semanticConsensus:
                return ModeRow(mode: mode, repeats: consensusRepeats, accuracy: Proportion(successes: 0, trials: 0))
            default: return ModeRow(mode: mode, repeats: 10, accuracy: Proportion(successes: 9, trials: 10), latencyP50: 9)
            }
        }
        return ModeAdvice(modes: Self.modes, rows: rows, reference: nil, repeatCount: 10)
    }

    @Test func aModeOrABackendPassesAtTheBarAndFailsBelowIt() {
        let checks = Gate.modeAccuracyChecks(advice(race: Proportion(successes: 85, trials: 100)), bars: ["race": 0.85, "a": 0.95])
        #expect(checks.map(\.result.bar) == ["accuracy of race", "accuracy of a alone"])
        #expect(checks.map(\.passed) == [true, false])
        #expect(checks[1].result.description.contains("accuracy of a alone 0.900"))
        #expect(checks[1].result.description.contains("below the bar 0.950 by 0.050"))
    }

    @Test func theLowerBoundBasisTestsTheWilsonBound() {
        let race = Proportion(successes: 85, trials: 100)
        #expect(Gate.modeAccuracyChecks(advice(race: race), bars: ["race": 0.8], basis: .point).map(\.passed) == [true])
        let strict = Gate.modeAccuracyChecks(advice(race: race), bars: ["race": 0.8], basis: .lowerBound)
        #expect(strict.map(\.passed) == [false])
        #expect(abs(strict[0].result.value - race.wilson().lower) < 1e-12)
        #expect(strict[0].result.observed == 0.85)
    }

    @Test func aBarWithNothingToScoreFailsAndSaysWhy() {
        let checks = Gate.modeAccuracyChecks(
            advice(race: Proportion(successes: 0, trials: 0), consensusRepeats: 0), bars: ["race": 0.5, "consensus-semantic": 0.5])
        #expect(checks.map(\.passed) == [false, false])
        #expect(checks[0].result.noData == "no case repeat has an expected answer (expect) to score (0 of 10 repeats)")
        #expect(checks[1].result.noData?.contains("no case repeat has a consensus verdict") == true)
        #expect(checks[1].result.bar == "accuracy of consensus (semantic)")

        let race = ModeAdvice.Builder(runID: 4, mode: .race, backends: [], reference: nil).build()
        let raceCheck = Gate.modeAccuracyChecks(race, bars: ["failover": 0.1])
        #expect(raceCheck.map(\.passed) == [false])
        #expect(
            raceCheck[0].result.description
                == "accuracy of failover: run 4 ran in race mode, which keeps only the first successful answer of each case "
                + "repeat, so the bar ≥ 0.100 cannot be met")
    }
}
