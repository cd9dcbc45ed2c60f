import Testing

@testable import AILBEval

/// Intervals over cases, not repeats: references computed by hand from the ANOVA estimator of the
/// intraclass correlation (Donner & Klar 2000, §6.2) and Kish's design effect, and Wilson's interval.
@Suite struct ClusteredProportionTests {
    @Test func identicalRepeatsCountOnceEach() {
        // 18 cases × 5 repeats, never a success: the 18 cases support at most 17.6% (Wilson, n = 18).
        let p = Proportion.clustered(Array(repeating: (successes: 0, trials: 5), count: 18))
        #expect(p.successes == 0 && p.trials == 90 && p.clusters == 18)
        #expect(abs((p.effectiveTrials ?? 0) - 18) < 1e-12)
        #expect(abs(p.wilson().upper - 0.17587922364665765) < 1e-12)
        // Pooled as independent trials the same counts would claim 4.1%.
        #expect(abs(Proportion(successes: 0, trials: 90).wilson().upper - 0.0409) < 1e-3)
    }

    @Test func anovaEstimateOfTheIntraclassCorrelation() {
        // y = 4, 0, 2 of 4: MSB = (5 − 3)/2 = 1, MSW = (6 − 5)/9, m0 = 4, ρ = (1 − 1/9)/(1 + 3/9) = 2/3,
        // n_eff = 12 / (1 + 3·2/3) = 4.
        var summary = ClusterSummary()
        for y in [4, 0, 2] { summary.add(successes: y, trials: 4) }
        #expect(abs((summary.intraclassCorrelation ?? -1) - 2.0 / 3.0) < 1e-12)
        #expect(abs(summary.effectiveTrials - 4) < 1e-12)
        let interval = summary.proportion.wilson()
        #expect(abs(interval.lower - 0.15003898915214947) < 1e-12)
        #expect(abs(interval.upper - 0.8499610108478506) < 1e-12)
    }

    @Test func singleTrialClustersAreIndependentTrials() {
        let p = Proportion.clustered(Array(repeating: (1, 1), count: 9) + [(0, 1)])
        #expect(p.effectiveTrials == 10)
        #expect(abs(p.wilson().lower - 0.5958499732047615) < 1e-12)
        #expect(abs(p.wilson().upper - 0.9821237869049271) < 1e-12)
    }

    @Test func uncorrelatedRepeatsKeepTheirWeight() {
        // Every case has the same share of successes: no variance between cases, ρ clamps to 0.
        var summary = ClusterSummary()
        for _ in 0..<10 { summary.add(successes: 2, trials: 4) }
        #expect(summary.intraclassCorrelation == 0)
        #expect(summary.effectiveTrials == 40)
    }

    @Test func oneCaseIsOneTrialsWorth() {
        let p = Proportion.clustered([(3, 5)])
        #expect(p.effectiveTrials == 1 && p.clusters == 1)
    }
}
