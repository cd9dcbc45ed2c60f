import Testing

@testable import AILBEval

@Suite struct ProportionTests {
    // Reference values: Wilson score interval, z = 1.959964 (Newcombe 1998, Table I; also
    // statsmodels.stats.proportion.proportion_confint(method="wilson")).
    @Test func wilsonIntervalMatchesPublishedValues() {
        let cases: [(Int, Int, Double, Double)] = [
            (81, 263, 0.2553, 0.3662),  // Newcombe 1998, example (a)
            (15, 148, 0.0624, 0.1605),  // example (b)
            (0, 20, 0.0, 0.1611),  // example (c)
            (1, 29, 0.0061, 0.1718),  // example (d)
        ]
        for (successes, trials, lower, upper) in cases {
            let ci = Proportion(successes: successes, trials: trials).wilson()
            #expect(abs(ci.lower - lower) < 5e-5, "\(successes)/\(trials) lower \(ci.lower)")
            #expect(abs(ci.upper - upper) < 5e-5, "\(successes)/\(trials) upper \(ci.upper)")
        }
    }

    @Test func allSuccessesStillHaveAnIntervalBelowOne() {
        let ci = Proportion(successes: 50, trials: 50).wilson()
        #expect(ci.upper == 1)
        #expect(abs(ci.lower - 0.92865) < 1e-4)
    }

    @Test func noTrialsHasNoValue() {
        #expect(Proportion(successes: 0, trials: 0).value == nil)
        #expect(Proportion(successes: 0, trials: 0).wilson() == (0, 1))
    }
}

@Suite struct PercentileTests {
    @Test func interpolatesBetweenRanksLikeNumPy() {
        // numpy.percentile([1, 2, 3, 4], [50, 95]) == [2.5, 3.85]
        #expect(Percentile.of([4, 1, 3, 2], 50) == 2.5)
        #expect(abs(Percentile.of([4, 1, 3, 2], 95)! - 3.85) < 1e-12)
        #expect(Percentile.of([7], 95) == 7)
        #expect(Percentile.of([], 50) == nil)
    }
}
