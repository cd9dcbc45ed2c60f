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

    @Test func pairwiseAgreementAndKappaUseGroupRanksAsLabels() {
        // (a,b): labels (0,0) (0,0) (0,1) (0,0): p_o = 3/4; a is always 0, so p_e = 1 · 3/4 and κ = 0.
        let ab = analysis.pair("a", "b")!
        #expect(ab.agreement == Proportion(successes: 3, trials: 4))
        #expect(abs(ab.kappa! - 0) < 1e-12)
        // (a,c): (0,0) (0,1) (0,0): 2/3, κ = 0.
        #expect(analysis.pair("c", "a")!.agreement == Proportion(successes: 2, trials: 3))
        // (b,c): (0,0) (0,1) (1,0): p_o = 1/3; marginals 2/3, 1/3 each, p_e = 4/9 + 1/9 = 5/9;
        // κ = (1/3 − 5/9) / (4/9) = −1/2.
        let bc = analysis.pair("b", "c")!
        #expect(bc.agreement == Proportion(successes: 1, trials: 3))
        #expect(abs(bc.kappa! + 0.5) < 1e-12)
    }

    @Test func alphaTreatsFailedBackendsAsMissing() {
        // Units [0,0,0] [0,0,1] [0,1,0] [0,0,–]; [0,–,–] has one value and drops out. d_u = 0, 2, 2, 0;
        // n = 11, n_0 = 9, n_1 = 2; α = 1 − 10 · 4 / (121 − 85) = −1/9.
        let alpha = analysis.alpha
        #expect(abs(alpha.value! + 1.0 / 9.0) < 1e-12)
        #expect(alpha.pairableUnits == 4)
        #expect(alpha.pairableValues == 11)
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
