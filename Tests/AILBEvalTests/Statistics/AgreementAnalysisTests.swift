import Testing

@testable import AILBEval

/// A five-repeat run of three backends, every number worked out by hand in the comments.
@Suite struct AgreementAnalysisTests {
    let observations = [
        CaseRepeatObservation(
            suite: "s1", tags: ["x"], groups: [["a", "b", "c"]], ailbGroups: [["a", "b"], ["c"]],
            semanticGroups: [["a", "b", "c"]], correct: ["a": true, "b": true, "c": false]),
        CaseRepeatObservation(
            suite: "s1", tags: ["x", "y"], groups: [["a", "b"], ["c"]], correct: ["a": true, "b": false, "c": true]),
        CaseRepeatObservation(
            suite: "s2", tags: ["y"], groups: [["a", "c"], ["b"]], correct: ["a": false, "b": true, "c": false]),
        CaseRepeatObservation(suite: "s2", tags: [], groups: [["a", "b"]], correct: ["a": true, "b": true]),
        CaseRepeatObservation(suite: "s2", tags: ["x"], groups: [["a"]]),
    ]

    var analysis: AgreementAnalysis {
        AgreementAnalysis.compute(
            observations, backends: ["a", "b", "c"], references: ["b": "a", "c": "a"], bootstrapIterations: 200)
    }

    @Test func agreementPerSuiteAndTagCountsOnlyJudgedRepeats() {
        // s1: repeats 1 (agree) and 2 (split) → 1/2. s2: 3 (split), 4 (agree), 5 (one answer: not judged) → 1/2.
        #expect(analysis.perSuite.map(\.key) == ["s1", "s2"])
        #expect(analysis.perSuite.map(\.agreement) == [Proportion(successes: 1, trials: 2), Proportion(successes: 1, trials: 2)])
        // x: 1 agree, 2 split → 1/2; y: 2 and 3 split → 0/2.
        #expect(analysis.perTag.map(\.key) == ["x", "y"])
        #expect(analysis.perTag.map(\.agreement) == [Proportion(successes: 1, trials: 2), Proportion(successes: 0, trials: 2)])
    }

    @Test func pairwiseAgreementAndKappaUseEachRepeatsAnswerGroupsAsLabels() {
        // Labels: repeat 1 {abc: L1}, 2 {ab: L2, c: L3}, 3 {ac: L4, b: L5}, 4 {ab: L6}.
        // (a,b): (L1,L1) (L2,L2) (L4,L5) (L6,L6): p_o = 3/4; each rater spreads 1/4 over four labels and
        // they share three, so p_e = 3/16 and κ = (3/4 − 3/16) / (13/16) = 9/13.
        let ab = analysis.pair("a", "b")!
        #expect(ab.agreement == Proportion(successes: 3, trials: 4))
        #expect(abs(ab.kappa! - 9.0 / 13.0) < 1e-12)
        // (a,c): (L1,L1) (L2,L3) (L4,L4): p_o = 2/3, p_e = 2/9, κ = (4/9) / (7/9) = 4/7.
        let ac = analysis.pair("c", "a")!
        #expect(ac.agreement == Proportion(successes: 2, trials: 3))
        #expect(abs(ac.kappa! - 4.0 / 7.0) < 1e-12)
        // (b,c): (L1,L1) (L2,L3) (L5,L4): p_o = 1/3, p_e = 1/9, κ = (2/9) / (8/9) = 1/4.
        let bc = analysis.pair("b", "c")!
        #expect(bc.agreement == Proportion(successes: 1, trials: 3))
        #expect(abs(bc.kappa! - 0.25) < 1e-12)
    }

    @Test func alphaTreatsFailedBackendsAsMissing() {
        // Units {L1,L1,L1} {L2,L2,L3} {L4,L5,L4} {L6,L6,–}; repeat 5 has one value and drops out.
        // d_u = 0, (9−5)/2 = 2, 2, 0; n = 11; n_c = 3,2,1,2,1,2 so Σ n_c² = 23;
        // α = 1 − (n − 1) Σ d_u / (n² − Σ n_c²) = 1 − 10 · 4 / 98 = 29/49.
        let alpha = analysis.alpha
        #expect(abs(alpha.value! - 29.0 / 49.0) < 1e-12)
        #expect(alpha.pairableUnits == 4)
        #expect(alpha.pairableValues == 11)
    }

    @Test func perfectAgreementGivesKappaAndAlphaOfOne() {
        let agreeing = (0..<4).map { _ in CaseRepeatObservation(suite: "s", tags: [], groups: [["a", "b"]]) }
        let result = AgreementAnalysis.compute(agreeing, backends: ["a", "b"], references: [:], bootstrapIterations: 50)
        #expect(result.pairs[0].kappa == 1)
        #expect(result.alpha.value == 1)
    }

    @Test func flipsAgainstTheReferenceAndTheirMcNemarTest() {
        // b against a: 1 both right, 2 a right b wrong, 3 a wrong b right, 4 both right.
        let b = analysis.flips.first { $0.backend == "b" }!
        #expect([b.bothCorrect, b.correctToWrong, b.wrongToCorrect, b.bothWrong] == [2, 1, 1, 0])
        #expect(b.mcnemarP == 1)
        // c against a: 1 a right c wrong, 2 both right, 3 both wrong (4: c did not answer).
        let c = analysis.flips.first { $0.backend == "c" }!
        #expect([c.bothCorrect, c.correctToWrong, c.wrongToCorrect, c.bothWrong] == [1, 1, 0, 1])
        #expect(c.paired == 3)
        #expect(analysis.flips.map(\.backend) == ["b", "c"])
    }

    @Test func spuriousSplitsArePairsTheAilbProfileSplitsAndSemanticJoins() {
        #expect(analysis.pair("a", "b")!.spuriousSplits == 0)
        #expect(analysis.pair("a", "c")!.spuriousSplits == 1)
        #expect(analysis.pair("b", "c")!.spuriousSplits == 1)
    }
}
