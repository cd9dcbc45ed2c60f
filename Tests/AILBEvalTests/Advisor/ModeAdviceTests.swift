import Testing

@testable import AILBEval

/// The mode advisor over whole runs: rows, accuracy with failures, agreement, flips, equalities, race runs.
@Suite struct ModeAdviceTests {
    static func backend(_ name: String, _ position: Int, kind: BackendKind = .openai) -> BackendRecord {
        BackendRecord(position: position, name: name, kind: kind, urls: [], model: "m", family: "f", quant: "")
    }

    static let abc = [backend("a", 0), backend("b", 1), backend("c", 2)]

    func ok(_ backend: String, _ latency: Double, correct: Bool? = nil) -> ReplayedAnswer {
        ReplayedAnswer(backend: backend, success: true, latencyMs: latency, correct: correct)
    }

    func failed(_ backend: String, _ latency: Double) -> ReplayedAnswer {
        ReplayedAnswer(backend: backend, success: false, latencyMs: latency)
    }

    func verdict(winner: String, groups: [[String]]) -> Verdict {
        let successes = groups.reduce(0) { $0 + $1.count }
        return Verdict(
            comparisonType: .toolCalls, winner: winner, agreementCount: groups.first?.count ?? 0,
            disagreement: groups.count > 1, groups: groups, successes: successes)
    }

    @Test func rowsAreTheModesThenEachBackendInConfigOrder() {
        let builder = ModeAdvice.Builder(runID: 1, mode: .all, backends: Self.abc.reversed(), reference: nil)
        #expect(builder.build().rows.map(\.mode.key) == ["race", "failover", "consensus", "consensus-semantic", "a", "b", "c"])
    }

    @Test func answersAreReplayedInConfigOrderWhateverOrderTheyComeIn() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .consensus, backends: Self.abc, reference: nil)
        builder.add(
            casePosition: 0, hasExpect: true, answers: [ok("c", 10, correct: false), ok("b", 10, correct: true)], ailb: nil,
            semantic: nil)
        let advice = builder.build()
        // b comes before c in the config: it wins the tie, and failover asks it first.
        #expect(advice.row(.race)?.accuracy.successes == 1)
        #expect(advice.row(.failover)?.sameAs == "b")
        #expect(advice.row(.race)?.sameAs == "b")
    }

    @Test func aFailedModeOnACaseWithExpectCountsAsWrong() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .consensus, backends: Self.abc, reference: nil)
        builder.add(
            casePosition: 0, hasExpect: true, answers: [ok("a", 10, correct: true), failed("b", 5), failed("c", 7)], ailb: nil,
            semantic: nil)
        builder.add(casePosition: 0, hasExpect: true, answers: [failed("a", 10), failed("b", 5), failed("c", 7)], ailb: nil, semantic: nil)
        // A case without expect counts for failures and latency, not for accuracy.
        builder.add(casePosition: 1, hasExpect: false, answers: [failed("a", 1), ok("b", 2), ok("c", 3)], ailb: nil, semantic: nil)
        let advice = builder.build()
        let race = advice.row(.race)!
        #expect(race.repeats == 3)
        #expect(race.failures == 1)
        #expect(race.accuracy.successes == 1 && race.accuracy.trials == 2)
        #expect(advice.row(.backend("b"))?.accuracy.trials == 2)
        #expect(advice.row(.backend("b"))?.accuracy.successes == 0)
        #expect(advice.row(.backend("a"))?.failureRate == 2.0 / 3.0)
        // No verdict was stored: consensus has nothing to replay.
        #expect(advice.row(.consensus)?.repeats == 0)
        #expect(advice.row(.consensus)?.latencyP50 == nil)
    }

    @Test func latencyPercentilesIncludeTheTimeToAFailure() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .all, backends: Self.abc, reference: nil)
        builder.add(casePosition: 0, hasExpect: false, answers: [failed("a", 100), ok("b", 20), ok("c", 30)], ailb: nil, semantic: nil)
        builder.add(casePosition: 1, hasExpect: false, answers: [ok("a", 10), ok("b", 20), ok("c", 30)], ailb: nil, semantic: nil)
        let failover = builder.build().row(.failover)!
        // 120 ms (a failed after 100, then b) and 10 ms.
        #expect(failover.latencyP50 == 65)
        #expect(failover.latencyP95 == 114.5)
    }

    @Test func agreementIsMembershipOfTheAilbWinnersGroup() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .consensus, backends: Self.abc, reference: nil)
        let split = verdict(winner: "a", groups: [["a", "b"], ["c"]])
        builder.add(casePosition: 0, hasExpect: false, answers: [ok("a", 20), ok("b", 30), ok("c", 5)], ailb: split, semantic: split)
        builder.add(
            casePosition: 1, hasExpect: false, answers: [failed("a", 20), failed("b", 30), ok("c", 5)],
            ailb: verdict(winner: "c", groups: [["c"]]), semantic: nil)
        let none = Verdict(comparisonType: .none, winner: "a", agreementCount: 0, disagreement: true, groups: [], successes: 0)
        builder.add(
            casePosition: 2, hasExpect: false, answers: [failed("a", 1), failed("b", 1), failed("c", 1)], ailb: none, semantic: none)
        let advice = builder.build()
        #expect(advice.row(.race)?.agreement.successes == 1)
        #expect(advice.row(.race)?.agreement.trials == 2)
        #expect(advice.row(.failover)?.agreement.successes == 2)
        // a failed in the second repeat, which consensus won: no answer agrees.
        #expect(advice.row(.backend("a"))?.agreement.successes == 1)
        #expect(advice.row(.backend("a"))?.agreement.trials == 2)
        #expect(advice.row(.consensus)?.agreement.value == 1)
        #expect(advice.row(.consensus)?.failures == 1)
        #expect(advice.basis == .agreement)
    }

    @Test func flipsPairEachRowWithTheReferenceAloneFailuresWrong() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .all, backends: Self.abc, reference: "a")
        builder.add(
            casePosition: 0, hasExpect: true, answers: [ok("a", 30, correct: false), ok("b", 10, correct: true), failed("c", 1)],
            ailb: nil, semantic: nil)
        builder.add(
            casePosition: 1, hasExpect: true,
            answers: [ok("a", 30, correct: true), ok("b", 10, correct: true), ok("c", 5, correct: false)],
            ailb: nil, semantic: nil)
        let advice = builder.build()
        #expect(advice.reference == "a")
        #expect(advice.row(.backend("a"))?.flips == nil)
        let race = advice.row(.race)!.flips!
        #expect((race.wrongToCorrect, race.bothCorrect, race.correctToWrong, race.bothWrong) == (1, 0, 1, 0))
        let c = advice.row(.backend("c"))!.flips!
        #expect((c.bothWrong, c.correctToWrong) == (1, 1))
        #expect(ModeAdvice.Builder(runID: 1, mode: .all, backends: Self.abc, reference: "zz").build().reference == nil)
    }

    @Test func aModeEqualsABackendOnlyWhenItReturnedThatBackendsAnswerEveryTime() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .all, backends: Self.abc, reference: nil)
        builder.add(casePosition: 0, hasExpect: false, answers: [ok("a", 30), ok("b", 10), ok("c", 20)], ailb: nil, semantic: nil)
        builder.add(casePosition: 1, hasExpect: false, answers: [failed("a", 30), ok("b", 10), ok("c", 20)], ailb: nil, semantic: nil)
        let advice = builder.build()
        #expect(advice.row(.race)?.sameAs == "b")
        #expect(advice.row(.failover)?.sameAs == nil)
        #expect(advice.row(.backend("b"))?.sameAs == nil)
    }

    @Test func aLoadBalancerIsNoRowAndItsWholeRequestFailureFailsEveryMode() {
        let backends = [
            Self.backend("lb", 0, kind: .ailb), Self.backend("m1", 1, kind: .ailbMember), Self.backend("m2", 2, kind: .ailbMember),
        ]
        var builder = ModeAdvice.Builder(runID: 1, mode: .consensus, backends: backends, reference: nil)
        builder.add(casePosition: 0, hasExpect: true, answers: [failed("lb", 100)], ailb: nil, semantic: nil)
        builder.add(
            casePosition: 1, hasExpect: true, answers: [ok("m1", 10, correct: true), ok("m2", 20, correct: true)], ailb: nil,
            semantic: nil)
        let advice = builder.build()
        #expect(advice.modes.compactMap(\.backend) == ["m1", "m2"])
        let race = advice.row(.race)!
        #expect((race.repeats, race.failures, race.accuracy.successes, race.accuracy.trials) == (2, 1, 1, 2))
        #expect(race.latencyP95 == 95.5)
        #expect(advice.row(.backend("m1"))?.repeats == 1)
    }

    @Test func aRaceRunIsNotReplayedAndSaysWhyInOneSentence() throws {
        var builder = ModeAdvice.Builder(runID: 7, mode: .race, backends: Self.abc, reference: nil)
        builder.add(casePosition: 0, hasExpect: true, answers: [ok("a", 10, correct: true)], ailb: nil, semantic: nil)
        let advice = builder.build()
        #expect(advice.rows.isEmpty)
        #expect(advice.repeatCount == 0)
        #expect(advice.modes.count == 7)
        let sentence = try #require(advice.unavailable)
        #expect(sentence.hasPrefix("Run 7 ran in race mode"))
        #expect(sentence.filter { $0 == "." }.count == 1 && sentence.hasSuffix("."))
        #expect(advice.advice == sentence)
        #expect(advice.unavailableReason?.hasPrefix("run 7 ran in race mode") == true)
    }

    /// From stored rows: a fast HTTP 400 (an error body ai-lb returns as its race's answer) fails the race;
    /// a fast 404 (a failure to ai-lb too) leaves it to the next success.
    @Test func aStoredErrorBodyAiLbPassesOnFailsTheReplayedRace() throws {
        func response(_ position: Int, _ backend: String, _ latency: Double, status: Int) -> ResponseRecord {
            ResponseRecord(
                casePosition: position, repeatIndex: 0, backend: backend, success: status == 200,
                errorClass: status == 200 ? nil : .http4xx, httpStatus: status, latencyMs: latency,
                text: status == 200 ? "Paris" : nil)
        }
        let record = RunRecord(
            id: 1, startedAt: "2025-01-01T00:00:00Z", finishedAt: "2025-01-01T00:01:00Z", status: .completed,
            toolVersion: ToolInfo.version, mode: .all, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}",
            configHash: "h", suitesJSON: "[]", plannedRequests: 6)
        let cases = (0..<2).map {
            CaseRecord(
                position: $0, suite: "s", caseID: "c\($0)", prompt: "p", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 1)
        }
        var run = InMemoryRunReader.Run(record: record, backends: Self.abc, cases: cases)
        run.responses = [
            response(0, "a", 10, status: 400), response(0, "b", 50, status: 200), response(0, "c", 80, status: 200),
            response(1, "a", 10, status: 404), response(1, "b", 50, status: 200), response(1, "c", 80, status: 200),
        ]
        let reader = InMemoryRunReader([run])
        let advice = try ModeAdvice.load(store: reader, report: RunReportData.load(store: reader, runID: 1))
        let race = try #require(advice.row(.race))
        #expect(race.repeats == 2)
        #expect(race.failures == 1)
        #expect(race.latencyP50 == 30)
    }

    @Test func theFrontIsOverTheRowsWithALatencyAndAFigure() {
        var builder = ModeAdvice.Builder(runID: 1, mode: .consensus, backends: Self.abc, reference: nil)
        let all = verdict(winner: "b", groups: [["a", "b", "c"]])
        for position in 0..<4 {
            builder.add(
                casePosition: position, hasExpect: true,
                answers: [ok("a", 50, correct: true), ok("b", 10, correct: position > 0), ok("c", 60, correct: true)], ailb: all,
                semantic: all)
        }
        let advice = builder.build()
        // race is b (fastest, 75%) and failover is a (fastest at 100%): both pairs are on the front; consensus
        // (b's answer after the slowest) and c are slower for no more accuracy.
        #expect(advice.paretoFront == [.race, .backend("b"), .failover, .backend("a")])
        #expect(!advice.isOnFront(.consensus))
    }
}
