import Testing

@testable import AILBEval

@Suite struct GateTests {
    func statistics(agreeing: Int, of trials: Int) -> RunStatistics {
        RunStatistics(
            profile: .ailb, backends: [], agreement: Proportion(successes: agreeing, trials: trials), notComparable: 0,
            perFamily: [GroupAgreement(key: "qwen", backends: ["a"], withMajority: Proportion(successes: 9, trials: 10))],
            perQuant: [GroupAgreement(key: "4bit", backends: ["b"], withMajority: Proportion(successes: 6, trials: 10))],
            consensusAccuracy: Proportion(successes: 0, trials: 0), spurious: Proportion(successes: 2, trials: 10),
            spuriousCauses: [:], totalResponses: 30, totalSuccesses: 30)
    }

    @Test func passesAtAndAboveTheBarAndFailsBelowIt() {
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0.8
        #expect(Gate.evaluate(statistics(agreeing: 80, of: 100), thresholds: thresholds).isEmpty)
        let failures = Gate.evaluate(statistics(agreeing: 72, of: 100), thresholds: thresholds)
        #expect(failures.map(\.bar) == ["agreement"])
        #expect(failures[0].description.contains("0.720"))
        #expect(failures[0].description.contains("below the bar 0.800 by 0.080"))
    }

    @Test func lowerBoundBasisIsStricter() {
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0.8
        #expect(Gate.evaluate(statistics(agreeing: 85, of: 100), thresholds: thresholds, basis: .point).isEmpty)
        #expect(Gate.evaluate(statistics(agreeing: 85, of: 100), thresholds: thresholds, basis: .lowerBound).count == 1)
    }

    @Test func checksPerQuantPerFamilyAndSpuriousBars() {
        var thresholds = GateThresholds()
        thresholds.perQuant = ["4bit": 0.7]
        thresholds.perFamily = ["qwen": 0.85]
        thresholds.maxSpurious = 0.1
        let bars = Gate.evaluate(statistics(agreeing: 9, of: 10), thresholds: thresholds).map(\.bar)
        #expect(bars == ["agreement of quant 4bit", "spurious disagreement"])
    }

    @Test func aBarWithoutDataFailsAndSaysWhy() {
        var thresholds = GateThresholds()
        thresholds.minAccuracy = 0.9
        let failures = Gate.evaluate(statistics(agreeing: 9, of: 10), thresholds: thresholds)
        #expect(failures.map(\.bar) == ["consensus accuracy"])
        #expect(failures.first?.noData?.contains("no judged case repeat has an expected answer") == true)
    }
}
