import Foundation
import Testing

@testable import AILBEval

@Suite struct RunComparisonTests {
    /// One answer of one backend: its text (a group's members share one by default), correctness, failure.
    struct Answer {
        var text: String?
        var correct: Bool?
        var failed = false
        var rawBody = ""
    }

    /// A case repeat whose stored `ailb` verdict has `groups` (ai-lb's order: winner's group first), whose
    /// backends answered `answers` (by default each group's members one text, "answer of <first member>"), or
    /// that stores no verdict when `groups` is nil.
    func row(
        _ id: String, groups: [[String]]?, correct: [String: Bool] = [:], consensusCorrect: Bool? = nil,
        backends: [String] = ["a", "b", "c"], answers: [String: Answer] = [:], expect: Bool = true, position: Int = 0
    ) -> CaseRepeatRow {
        let record = CaseRecord(
            position: position, suite: "s", caseID: id, prompt: "p", requestJSON: "{}", expectJSON: expect ? "{\"text\":\"x\"}" : nil,
            tags: [], repeats: 1)
        var verdict: VerdictRecord?
        if let groups {
            let successes = groups.reduce(0) { $0 + $1.count }
            verdict = VerdictRecord(
                casePosition: position, repeatIndex: 0, profile: .ailb,
                verdict: Verdict(
                    comparisonType: .hash, winner: groups.first?.first ?? backends[0], agreementCount: groups.first?.count ?? 0,
                    disagreement: (groups.first?.count ?? 0) < successes, groups: groups, successes: successes),
                consensusCorrect: consensusCorrect)
        }
        let responses = backends.map { name in
            let text = groups?.first { $0.contains(name) }.map { "answer of \($0.sorted()[0])" }
            let answer = answers[name] ?? Answer(text: text, correct: expect ? correct[name] : nil)
            return ResponseRecord(
                casePosition: position, repeatIndex: 0, backend: name, success: !answer.failed,
                errorClass: answer.failed ? .timeout : nil, latencyMs: 1, rawBody: answer.rawBody,
                text: answer.failed ? nil : answer.text, correct: answer.failed ? nil : answer.correct)
        }
        return CaseRepeatRow(caseRecord: record, repeatIndex: 0, responses: responses, ailb: verdict, semantic: nil)
    }

    func content(
        _ id: Int64, _ rows: [CaseRepeatRow], backends names: [String] = ["a", "b", "c"], mode: RunMode = .consensus,
        threshold: Double = 0.9
    ) throws -> ReportContent {
        let backends = names.enumerated().map {
            BackendRecord(position: $0, name: $1, kind: .mock, urls: [], model: "m", family: "f", quant: "q-\($1)")
        }
        let run = RunRecord(
            id: id, startedAt: "", finishedAt: nil, status: .completed, toolVersion: ToolInfo.version, mode: mode,
            profile: .ailb, threshold: threshold, configPath: nil, configJSON: "{}", configHash: "", suitesJSON: "[]",
            plannedRequests: rows.count * names.count)
        var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
        for r in rows {
            for response in r.responses { builder.add(response) }
            if let v = r.ailb { builder.add(verdict: v, ailb: v, semantic: nil) }
        }
        let data = RunReportData(run: run, backends: backends, cases: rows.map(\.caseRecord), statistics: builder.build())
        var options = ReportOptions()
        options.bootstrapIterations = 0
        return try ReportContent.make(report: data, rows: rows, options: options)
    }

    /// Every format of `c`.
    func everyFormat(_ c: RunComparison, tolerance: Double = 0) -> [ComparisonReport.Format: String] {
        Dictionary(
            uniqueKeysWithValues: ComparisonReport.Format.allCases.map {
                ($0, ComparisonReport.render(c, format: $0, tolerance: tolerance))
            })
    }

    @Test func findsLostAgreementFlipsAndRegressionsBeyondTheTolerance() throws {
        let all = ["a": true, "b": true, "c": true]
        let before = try content(
            1,
            [
                row("x", groups: [["a", "b", "c"]], correct: all),
                row("y", groups: [["a", "b"], ["c"]], correct: ["a": true, "b": true, "c": false], position: 1),
                row("z", groups: [["a", "b", "c"]], correct: all, position: 2),
            ])
        let after = try content(
            2,
            [
                row("x", groups: [["a", "c"], ["b"]], correct: ["a": true, "b": false, "c": true]),
                row("y", groups: [["a", "b", "c"]], correct: all, position: 1),
                row("z", groups: [["a", "b", "c"]], correct: all, position: 2),
                row("new", groups: [["a", "b", "c"]], correct: all, position: 3),
            ])
        let c = try RunComparison.compute(before, after)
        #expect(c.matched == 3 && c.onlyInB == 1 && c.onlyInA == 0)
        #expect(c.gained == 1 && c.lost == 1)
        #expect(c.agreementBefore.successes == 2 && c.agreementBefore.trials == 3)
        #expect(c.agreementAfter.successes == 2 && c.agreementAfter.trials == 3)
        #expect(c.changes.map(\.caseID) == ["x", "y"])
        #expect(c.changes[0].isRegression)
        let b = c.backends.first { $0.backend == "b" }!
        #expect(b.correctToWrong == 1 && b.wrongToCorrect == 0 && b.leftMajority == 1)
        let cc = c.backends.first { $0.backend == "c" }!
        #expect(cc.wrongToCorrect == 1 && cc.joinedMajority == 1)
        // b's accuracy fell from 3/3 to 2/3: 33 points.
        #expect(c.regressions(tolerance: 0.5).isEmpty)
        #expect(c.regressions(tolerance: 0.1).map(\.what) == ["accuracy of b"])
        let text = ComparisonReport.render(c, format: .text, tolerance: 0.1)
        #expect(
            text.contains("- s/x: agreement lost (all 3 agree → 2 of 3 agree); b answered differently: left the majority, correct→wrong"))
        #expect(
            text.contains(
                "+ s/y: agreement gained (2 of 3 agree → all 3 agree); c answered differently: joined the majority, wrong→correct"))
        #expect(text.contains("Regression: accuracy of b fell from 100.0%"))
        #expect(text.contains("1 only in run 2 are left out of every figure"))
        let json = try JSONValue(parsing: ComparisonReport.render(c, format: .json, tolerance: 0.1))
        #expect(json["lost"]?.intValue == 1)
        #expect(json["changes"]?.arrayValue?.count == 2)
        #expect(json["changes"]?[0]?["reasons"]?[0]?.stringValue == "agreement lost (all 3 agree → 2 of 3 agree)")
        #expect(ComparisonReport.render(c, format: .csv, tolerance: 0).hasPrefix("run_a,run_b,suite,case_id"))
        #expect(ComparisonReport.render(c, format: .junit, tolerance: 0).contains("failures=\"1\""))
        #expect(ComparisonReport.render(c, format: .html, tolerance: 0.1).contains("<span class=\"badge b-bad\">regression</span>"))
    }

    /// The same answers grouped differently by the stored verdicts (another threshold, an earlier version's
    /// verdict) are no change, and no flip.
    @Test func identicalAnswersAreNeverAChange() throws {
        let correct = ["a": true, "b": true, "c": false]
        let same: [String: Answer] = [
            "a": Answer(text: "Tokyo", correct: true), "b": Answer(text: "Tokyo.", correct: true),
            "c": Answer(text: "Kyoto", correct: false),
        ]
        let before = try content(1, [row("x", groups: [["a", "b"], ["c"]], correct: correct, answers: same)], threshold: 0.8)
        let after = try content(2, [row("x", groups: [["a"], ["b"], ["c"]], correct: correct, answers: same)], threshold: 0.99)
        let c = try RunComparison.compute(before, after)
        #expect(c.changes.isEmpty)
        #expect(c.gained == 0 && c.lost == 0)
        #expect(
            c.backends.allSatisfy { $0.correctToWrong == 0 && $0.wrongToCorrect == 0 && $0.leftMajority == 0 && $0.joinedMajority == 0 })
        #expect(c.identicalRegrouped == 1)
        #expect(c.comparability.contains { $0.hasPrefix("the text similarity thresholds differ (0.8 in run 1, 0.99 in run 2)") })
        #expect(c.comparability.contains { $0.hasPrefix("1 case repeat has the same answers in both runs but was grouped differently") })
        // Both sides judged as in run 2: a three-way tie, on both sides.
        #expect(c.consensusBefore.tie == 1 && c.consensusAfter.tie == 1)
        #expect(!ComparisonReport.render(c, format: .text, tolerance: 0).contains("Changed case repeats"))

        // One answer changed: now it is a change, and says which.
        var changed = same
        changed["c"] = Answer(text: "Tokyo!", correct: true)
        let later = try content(3, [row("x", groups: [["a"], ["b"], ["c"]], correct: correct, answers: changed)], threshold: 0.99)
        let d = try RunComparison.compute(before, later)
        #expect(d.changes.count == 1)
        #expect(d.changes[0].reasons.contains("c answered differently: wrong→correct"))
    }

    /// Under `ailb` a difference the stored (semantically normalised) tool calls cannot show, such as 1234
    /// against 1234.0, is read from the raw bodies and stays a change.
    @Test func aRawToolCallDifferenceUnderAILBIsAChange() throws {
        func body(_ arguments: String) -> String {
            #"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"f","arguments":"\#(arguments)"}}]}}]}"#
        }
        let calls = "[{\"arguments\":{\"x\":1234},\"name\":\"f\"}]"
        func answers(_ b: String) -> [String: Answer] {
            [
                "a": Answer(text: "", correct: true, rawBody: body("{\\\"x\\\": 1234}")),
                "b": Answer(text: "", correct: true, rawBody: body(b)),
                "c": Answer(text: "", correct: true, rawBody: body("{\\\"x\\\": 1234}")),
            ]
        }
        func withCalls(_ row: CaseRepeatRow) -> CaseRepeatRow {
            var row = row
            for i in row.responses.indices { row.responses[i].toolCalls = calls }
            return row
        }
        let before = try content(1, [withCalls(row("x", groups: [["a", "b", "c"]], answers: answers("{\\\"x\\\": 1234}")))])
        let after = try content(2, [withCalls(row("x", groups: [["a", "c"], ["b"]], answers: answers("{\\\"x\\\": 1234.0}")))])
        let c = try RunComparison.compute(before, after)
        #expect(c.identicalRegrouped == 0)
        #expect(c.lost == 1)
        #expect(c.changes.first?.reasons == ["agreement lost (all 3 agree → 2 of 3 agree)", "b answered differently: left the majority"])
    }

    /// ai-lb's tie-break (its winner, and the consensus scored on it by earlier versions) is never a flip: a
    /// tie is a tie on both sides.
    @Test func aDifferentTieBreakIsNoFlip() throws {
        let correct = ["a": true, "b": false, "c": false]
        let before = try content(1, [row("x", groups: [["a"], ["b"], ["c"]], correct: correct, consensusCorrect: true)])
        let after = try content(2, [row("x", groups: [["c"], ["b"], ["a"]], correct: correct, consensusCorrect: false)])
        let c = try RunComparison.compute(before, after)
        #expect(c.changes.isEmpty)
        #expect(c.consensusBefore == RunComparison.ConsensusCounts(tie: 1))
        #expect(c.consensusAfter == RunComparison.ConsensusCounts(tie: 1))
        let text = ComparisonReport.render(c, format: .text, tolerance: 0)
        #expect(text.contains("correct 0 → 0, wrong 0 → 0, tie 1 → 1, no majority 0 → 0"))
        #expect(text.contains("No case repeat changed."))

        // A real change into a tie says so.
        let tied = try content(3, [row("x", groups: [["a", "b"], ["c"]], correct: ["a": true, "b": true, "c": false])])
        let d = try RunComparison.compute(tied, after)
        #expect(d.changes.first?.reasons.first == "answers regrouped (2 of 3 agree → tie 1–1–1)")
        #expect(d.changes.first?.reasons.contains("consensus correct→tie") == true)
        #expect(d.changes.first?.isRegression == true)
    }

    /// A backend only in one run is left out of every figure, agreement included, and said so.
    @Test func aBackendInOneRunOnlyIsLeftOutAndNamed() throws {
        let all = ["a": true, "b": true, "c": true, "x": false]
        let before = try content(1, [row("q", groups: [["a", "b", "c"]], correct: all)])
        let after = try content(
            2, [row("q", groups: [["a", "b", "c"], ["x"]], correct: all, backends: ["a", "b", "c", "x"])],
            backends: ["a", "b", "c", "x"])
        let c = try RunComparison.compute(before, after)
        #expect(c.sharedBackends == ["a", "b", "c"])
        #expect(c.changes.isEmpty && c.lost == 0)
        #expect(c.agreementAfter.successes == 1 && c.agreementAfter.trials == 1)
        let sentence =
            "the backends differ (only in run 2: x): every figure, agreement included, is over the backends in both (a, b, c), "
            + "and the others' answers are left out"
        #expect(c.comparability == [sentence])
        for (format, document) in everyFormat(c) where format != .csv {
            #expect(
                document.contains(
                    format == .junit || format == .html
                        ? sentence.replacingOccurrences(of: "'", with: format == .junit ? "&apos;" : "&#39;") : sentence), "\(format)")
        }
        let json = try JSONValue(parsing: ComparisonReport.render(c, format: .json, tolerance: 0))
        #expect(json["comparability"]?.arrayValue?.compactMap(\.stringValue) == [sentence])
        #expect(json["shared_backends"]?.arrayValue?.count == 3)
    }

    /// A side without judged case repeats is never a figure: no "5.3% → – ()", the reason instead, and the
    /// regression gate has nothing to pass on.
    @Test func nothingJudgedInBothRunsSaysWhyAndCannotPass() throws {
        let before = try content(1, [row("x", groups: [["a", "b"], ["c"]], correct: ["a": true, "b": true, "c": false])])
        let after = try content(2, [row("x", groups: nil, correct: ["a": true, "b": true, "c": false])], mode: .all)
        let c = try RunComparison.compute(before, after)
        #expect(c.judgedInBoth == 0 && c.judgedOnlyInA == 1)
        #expect(c.agreementNoData?.contains("run 2 stores no verdict (`ailb-eval run --resume 2` judges what it stored)") == true)
        #expect(c.regressionGateNoData != nil)
        #expect(c.nothingComparable == nil)
        #expect(c.comparability.contains { $0.hasPrefix("run 2 stores no verdict") })
        for (format, document) in everyFormat(c) {
            #expect(!document.contains("→ –") && !document.contains("()") && !document.contains("– →"), "\(format)")
        }
        let text = ComparisonReport.render(c, format: .text, tolerance: 0)
        #expect(text.contains("Agreement: not compared: no case repeat was judged in both runs"))
        #expect(text.contains("Regressions cannot be ruled out:"))
        #expect(text.contains("none in both runs"))
        let junit = ComparisonReport.render(c, format: .junit, tolerance: 0)
        #expect(junit.contains("<failure type=\"not-comparable\""))
        #expect(ComparisonReport.render(c, format: .markdown, tolerance: 0).hasPrefix("## ailb-eval: run 1 → run 2 · not comparable"))

        // Sharing no backend at all is nothing to compare.
        let other = try content(3, [row("x", groups: [["d", "e"]], backends: ["d", "e"])], backends: ["d", "e"])
        let none = try RunComparison.compute(before, other)
        #expect(none.nothingComparable == "runs 1 and 3 share no backend")
        #expect(none.comparability.first == "nothing is comparable: runs 1 and 3 share no backend")
    }

    /// Every listed change says why: a backend that failed, or recovered.
    @Test func failuresAndRecoveriesAreReasons() throws {
        let all = ["a": true, "b": true, "c": true]
        let before = try content(1, [row("x", groups: [["a", "b", "c"]], correct: all)])
        var failed = row("x", groups: [["a", "b"]], correct: all)
        failed.responses[2] = ResponseRecord(
            casePosition: 0, repeatIndex: 0, backend: "c", success: false, errorClass: .http5xx, latencyMs: 1)
        let after = try content(2, [failed])
        let c = try RunComparison.compute(before, after)
        #expect(c.changes.count == 1)
        #expect(c.changes[0].reasons == ["c failed in run 2 (http_5xx)"])
        let back = try RunComparison.compute(after, before)
        #expect(back.changes[0].reasons == ["c recovered (it failed in run 2: http_5xx)"])
        #expect(c.changes[0].isRegression && !back.changes[0].isRegression)
        let cTotals = c.backends.first { $0.backend == "c" }!
        #expect(cTotals.failuresBefore.successes == 0 && cTotals.failuresAfter.successes == 1)
        #expect(c.regressions(tolerance: 0.5).map(\.what) == ["failures of c"])
        #expect(c.regressions(tolerance: 0.5).first?.description.hasPrefix("failures of c rose from 0.0%") == true)
        #expect(c.changes.allSatisfy { !$0.reasons.isEmpty })
    }
}
