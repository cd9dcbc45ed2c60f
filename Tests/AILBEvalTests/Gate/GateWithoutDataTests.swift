import Testing

@testable import AILBEval

/// A bar with nothing to measure fails, saying why: a gate must not pass because the servers were down.
@Suite struct GateWithoutDataTests {
    /// Four case repeats, none judged (one answer each): three of four backends down.
    static func serversDown() -> RunStatistics {
        RunStatistics(
            profile: .ailb, backends: [], agreement: Proportion(successes: 0, trials: 0), notComparable: 4,
            perFamily: [GroupAgreement(key: "qwen", backends: ["a", "b"], withMajority: Proportion(successes: 0, trials: 0))],
            perQuant: [GroupAgreement(key: "4bit", backends: ["b"], withMajority: Proportion(successes: 0, trials: 0))],
            consensusAccuracy: Proportion(successes: 0, trials: 0), spurious: Proportion(successes: 0, trials: 0),
            spuriousCauses: [:], totalResponses: 16, totalSuccesses: 4)
    }

    @Test func agreementOverNoJudgedRepeatFails() {
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0.8
        let failures = Gate.evaluate(Self.serversDown(), thresholds: thresholds)
        #expect(failures.map(\.bar) == ["agreement"])
        #expect(
            failures.first?.description
                == "agreement: no case repeat had two successful answers to judge (0 judged of 4), so the bar ≥ 0.800 cannot be met")
        // On the lower-bound basis too.
        #expect(Gate.evaluate(Self.serversDown(), thresholds: thresholds, basis: .lowerBound).count == 1)
    }

    @Test func everyKindOfBarWithoutDataFailsAndIsNamed() {
        var thresholds = GateThresholds()
        thresholds.minAccuracy = 0.5
        thresholds.maxSpurious = 0.1
        thresholds.perFamily = ["qwen": 0.5, "llama": 0.5]
        thresholds.perQuant = ["4bit": 0.5]
        let checks = Gate.checks(Self.serversDown(), thresholds: thresholds)
        #expect(checks.allSatisfy { !$0.passed && $0.result.noData != nil })
        #expect(
            checks.map(\.result.bar) == [
                "consensus accuracy", "agreement of family qwen", "agreement of family llama", "agreement of quant 4bit",
                "spurious disagreement",
            ])
        let llama = checks.first { $0.result.bar == "agreement of family llama" }
        #expect(llama?.result.noData == "no backend of the run is in this family (0 judged)")
    }

    @Test func aFamilyWithoutAJudgedAnswerFailsWhileOthersAreMeasured() {
        var stats = Self.serversDown()
        stats.agreement = Proportion(successes: 3, trials: 3)
        stats.notComparable = 1
        stats.perFamily.append(GroupAgreement(key: "llama", backends: ["c"], withMajority: Proportion(successes: 3, trials: 3)))
        var thresholds = GateThresholds()
        thresholds.perFamily = ["qwen": 0.5, "llama": 0.5]
        let checks = Gate.checks(stats, thresholds: thresholds)
        #expect(checks.map(\.passed) == [false, true])
        #expect(checks[0].result.description.contains("no judged case repeat has an answer from this family (0 judged; backends: a, b)"))
    }

    @Test func aRunWithoutStoredVerdictsFails() {
        var stats = Self.serversDown()
        stats.notComparable = 0
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0
        let failures = Gate.evaluate(stats, thresholds: thresholds)
        #expect(failures.first?.noData == "no case repeat of the run was judged (0 judged; no verdict is stored)")
    }

    @Test func theReportsShowTheBarAsFailed() {
        var thresholds = GateThresholds()
        thresholds.minAgreement = 0.8
        let outcome = GateOutcome(statistics: Self.serversDown(), thresholds: thresholds, basis: .point)
        #expect(!outcome.isEmpty && !outcome.passed && outcome.label == "failed")
    }
}
