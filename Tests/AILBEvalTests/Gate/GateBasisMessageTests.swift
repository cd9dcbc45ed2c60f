import Testing

@testable import AILBEval

@Suite struct GateBasisMessageTests {
    func statistics() -> RunStatistics {
        RunStatistics(
            profile: .ailb, backends: [], agreement: Proportion(successes: 85, trials: 100), notComparable: 0,
            perFamily: [], perQuant: [GroupAgreement(key: "4bit", backends: ["b"], withMajority: Proportion(successes: 9, trials: 10))],
            consensusAccuracy: Proportion(successes: 0, trials: 0), spurious: Proportion(successes: 1, trials: 100),
            spuriousCauses: [:], totalResponses: 300, totalSuccesses: 300)
    }

    // Wilson 95% for 85/100: 0.7672–0.9069 (Newcombe 1998's formula; statsmodels gives the same).
    @Test func lowerBoundFailureNamesTheBoundTheObservedRateTheIntervalAndTheBar() {
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0.8
        let failures = Gate.evaluate(statistics(), thresholds: thresholds, basis: .lowerBound)
        #expect(failures.count == 1)
        let text = failures[0].description
        #expect(text.hasPrefix("agreement 0.767 (Wilson 95% lower bound; observed 0.850, CI 0.767–0.907)"), "\(text)")
        #expect(text.hasSuffix("is below the bar 0.800 by 0.033"))
    }

    @Test func checksListPassingBarsToo() {
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0.8
        thresholds.perQuant = ["4bit": 0.95]
        thresholds.maxSpurious = 0.05
        let checks = Gate.checks(statistics(), thresholds: thresholds)
        #expect(checks.map(\.result.bar) == ["agreement", "agreement of quant 4bit", "spurious disagreement"])
        #expect(checks.map(\.passed) == [true, false, true])
        let outcome = GateOutcome(statistics: statistics(), thresholds: thresholds, basis: .point)
        #expect(outcome.label == "failed")
        #expect(GateOutcome(statistics: statistics(), thresholds: GateThresholds(), basis: .point).label == "not configured")
    }
}
