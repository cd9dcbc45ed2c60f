import Testing

@testable import AILBEval

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
        #expect(stats.agreement == Proportion(successes: 1, trials: 3))
        #expect(stats.notComparable == 1)
        #expect(stats.consensusAccuracy == Proportion(successes: 2, trials: 3))
        let b4 = stats.backends.first { $0.name == "b4" }!
        #expect(b4.withMajority == Proportion(successes: 1, trials: 3))
        let a8 = stats.backends.first { $0.name == "a8" }!
        #expect(a8.latencyP50 == 15)
        #expect(a8.accuracy == Proportion(successes: 2, trials: 2))
        #expect(stats.backends.first { $0.name == "c4" }!.errors == [.timeout: 1])
        let quant4 = stats.perQuant.first { $0.key == "4bit" }!
        #expect(quant4.backends == ["b4", "c4"])
        #expect(quant4.withMajority == Proportion(successes: 4, trials: 6))
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
        #expect(stats.spurious == Proportion(successes: 1, trials: 2))
        #expect(stats.spuriousCauses == ["number_formatting": 1])
    }
}
