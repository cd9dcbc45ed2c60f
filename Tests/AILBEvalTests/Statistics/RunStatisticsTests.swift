import Testing

@testable import AILBEval

/// A proportion's counts, without its interval details.
func counts(_ p: Proportion) -> (Int, Int) { (p.successes, p.trials) }

@Suite struct RunStatisticsTests {
    let backends = [
        BackendRecord(position: 0, name: "a8", kind: .mock, urls: [], model: "m", family: "qwen", quant: "8bit"),
        BackendRecord(position: 1, name: "b4", kind: .mock, urls: [], model: "m", family: "qwen", quant: "4bit"),
        BackendRecord(position: 2, name: "c4", kind: .openai, urls: [], model: "l", family: "llama", quant: "4bit"),
    ]

    func verdict(_ position: Int, groups: [[String]], profile: EquivalenceProfile = .ailb, correct: Bool? = nil) -> VerdictRecord {
        let successes = groups.reduce(0) { $0 + $1.count }
        let v = Verdict(
            comparisonType: .hash, winner: groups.first?.first ?? "a8", agreementCount: groups.first?.count ?? 0,
            disagreement: (groups.first?.count ?? 0) < successes, groups: groups, successes: successes)
        return VerdictRecord(casePosition: position, repeatIndex: 0, profile: profile, verdict: v, consensusCorrect: correct)
    }

    @Test func countsAgreementAndMinorityPerBackendFamilyAndQuant() {
        var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
        let verdicts = [
            verdict(0, groups: [["a8", "b4", "c4"]], correct: true),
            verdict(1, groups: [["a8", "c4"], ["b4"]], correct: true),
            verdict(2, groups: [["a8", "c4"], ["b4"]], correct: false),
            verdict(3, groups: [["a8"]]),  // one success: not comparable
        ]
        for v in verdicts { builder.add(verdict: v, ailb: v, semantic: nil) }
        for (backend, ok, latency) in [("a8", true, 10.0), ("b4", true, 30.0), ("c4", false, 0.0), ("a8", true, 20.0)] {
            builder.add(
                ResponseRecord(
                    casePosition: 0, repeatIndex: 0, backend: backend, success: ok, errorClass: ok ? nil : .timeout,
                    latencyMs: latency, correct: ok ? backend == "a8" : nil))
        }
        let stats = builder.build()
        #expect(counts(stats.agreement) == (1, 3))
        #expect(stats.notComparable == 1)
        #expect(counts(stats.consensusAccuracy) == (2, 3))
        let b4 = stats.backends.first { $0.name == "b4" }!
        #expect(counts(b4.withMajority) == (1, 3))
        let a8 = stats.backends.first { $0.name == "a8" }!
        #expect(a8.latencyP50 == 15)
        #expect(counts(a8.accuracy) == (2, 2))
        #expect(stats.backends.first { $0.name == "c4" }!.errors == [.timeout: 1])
        let quant4 = stats.perQuant.first { $0.key == "4bit" }!
        #expect(quant4.backends == ["b4", "c4"])
        #expect(counts(quant4.withMajority) == (4, 6))
        #expect(stats.perFamily.map(\.key) == ["qwen", "llama"])
    }

    @Test func spuriousDisagreementNeedsAilbToDisagreeAndSemanticToAgree() {
        var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
        let ailb = verdict(0, groups: [["a8", "c4"], ["b4"]])
        var semantic = verdict(0, groups: [["a8", "b4", "c4"]], profile: .semantic)
        semantic.spuriousCauses = ["number_formatting"]
        builder.add(verdict: ailb, ailb: ailb, semantic: semantic)
        let agreeing = verdict(1, groups: [["a8", "b4", "c4"]])
        builder.add(verdict: agreeing, ailb: agreeing, semantic: agreeing)
        let stats = builder.build()
        #expect(counts(stats.spurious) == (1, 2))
        #expect(stats.spuriousCauses == ["number_formatting": 1])
    }

    @Test func aTieAtTheTopGivesNobodyCreditAndIsCountedAsATie() {
        var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
        // ai-lb's verdict names a8 the winner of a 1–1 split (first formed); the evaluation does not.
        builder.add(verdict: verdict(0, groups: [["a8"], ["b4"]]), ailb: nil, semantic: nil)
        // 2 of 4 is the largest group but not more than half: no majority either.
        let four = Verdict(
            comparisonType: .hash, winner: "a8", agreementCount: 2, disagreement: true, groups: [["a8", "b4"], ["c4"], ["d"]],
            successes: 4)
        builder.add(
            verdict: VerdictRecord(
                casePosition: 1, repeatIndex: 0, profile: .ailb, verdict: four, consensusCorrect: nil, consensusUndecided: true), ailb: nil,
            semantic: nil)
        builder.add(verdict: verdict(2, groups: [["b4", "c4"], ["a8"]], correct: false), ailb: nil, semantic: nil)
        let stats = builder.build()
        #expect(stats.outcomes == [.tie: 1, .noMajority: 1, .majority: 1])
        #expect(stats.ties == 1 && stats.judgedCases == 3 && stats.consensusUndecided == 1)
        let a8 = stats.backends.first { $0.name == "a8" }!
        #expect(counts(a8.withMajority) == (0, 3))
        // The plurality column credits the 2-of-4 group that no majority column does, and still not the tie.
        #expect(counts(a8.withPlurality) == (1, 3))
        #expect(counts(stats.backends.first { $0.name == "c4" }!.withPlurality) == (1, 2))
        #expect(a8.ties == 1)
        // Only the repeat with a strict majority counts for "in the minority".
        #expect(counts(a8.minority) == (1, 1))
        #expect(counts(stats.consensusAccuracy) == (0, 1))
    }

    @Test func repeatsOfOneCaseAreOneClusterAndStabilityIsPerCase() {
        var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
        for repeatIndex in 0..<4 {
            for backend in ["a8", "b4"] {
                let text = backend == "b4" && repeatIndex == 3 ? "drifted" : "same"
                builder.add(
                    ResponseRecord(
                        casePosition: 0, repeatIndex: repeatIndex, backend: backend, success: true, latencyMs: 1000,
                        ttftMs: backend == "a8" ? 200 : nil, promptTokens: 10, completionTokens: 40, text: text))
            }
            let groups = repeatIndex == 3 ? [["a8"], ["b4"]] : [["a8", "b4"]]
            let v = Verdict(
                comparisonType: .hash, winner: "a8", agreementCount: groups[0].count,
                disagreement: groups.count > 1, groups: groups, successes: 2)
            builder.add(
                verdict: VerdictRecord(casePosition: 0, repeatIndex: repeatIndex, profile: .ailb, verdict: v, consensusCorrect: nil),
                ailb: nil, semantic: nil)
        }
        let stats = builder.build()
        #expect(counts(stats.agreement) == (3, 4))
        #expect(stats.agreement.clusters == 1 && stats.agreement.effectiveTrials == 1)
        #expect(stats.judgedCases == 1)
        let a8 = stats.backends.first { $0.name == "a8" }!
        let b4 = stats.backends.first { $0.name == "b4" }!
        #expect(counts(a8.repeatStability) == (1, 1) && counts(b4.repeatStability) == (0, 1))
        // 160 tokens over 4 × (1000 − 200) ms streamed, and over 4 × 1000 ms not streamed.
        #expect(a8.completionTokens == 160 && a8.promptTokens == 40)
        #expect(a8.tokensPerSecond == 50 && a8.timePerOutputTokenMs == 20)
        #expect(b4.tokensPerSecond == 40 && b4.ttftP50 == nil)
    }

    @Test func theOrderOfTheGroupsChangesNoFigure() {
        func stats(_ order: [[[String]]]) -> RunStatistics {
            var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
            for (position, groups) in order.enumerated() {
                builder.add(verdict: verdict(position, groups: groups, correct: true), ailb: nil, semantic: nil)
            }
            return builder.build()
        }
        let a = stats([[["a8", "c4"], ["b4"]], [["b4"], ["c4"]]])
        let b = stats([[["b4"], ["c4", "a8"]], [["c4"], ["b4"]]])
        #expect(a.backends == b.backends)
        #expect(a.outcomes == b.outcomes && a.perQuant == b.perQuant && a.perFamily == b.perFamily)
        #expect(a.agreement == b.agreement && a.consensusAccuracy == b.consensusAccuracy)
    }
}
