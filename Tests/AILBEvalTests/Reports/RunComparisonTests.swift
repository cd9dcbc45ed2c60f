import Foundation
import Testing

@testable import AILBEval

@Suite struct RunComparisonTests {
    func row(_ id: String, groups: [[String]], correct: [String: Bool], consensusCorrect: Bool?) -> CaseRepeatRow {
        let record = CaseRecord(position: 0, suite: "s", caseID: id, prompt: "p", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 1)
        let successes = groups.reduce(0) { $0 + $1.count }
        let verdict = VerdictRecord(
            casePosition: 0, repeatIndex: 0, profile: .ailb,
            verdict: Verdict(
                comparisonType: .hash, winner: groups[0][0], agreementCount: groups[0].count,
                disagreement: groups[0].count < successes, groups: groups, successes: successes),
            consensusCorrect: consensusCorrect)
        let responses = ["a", "b", "c"].map { name in
            ResponseRecord(casePosition: 0, repeatIndex: 0, backend: name, success: true, latencyMs: 1, correct: correct[name])
        }
        return CaseRepeatRow(caseRecord: record, repeatIndex: 0, responses: responses, ailb: verdict, semantic: nil)
    }

    func content(_ id: Int64, _ rows: [CaseRepeatRow]) throws -> ReportContent {
        let backends = ["a", "b", "c"].enumerated().map {
            BackendRecord(position: $0, name: $1, kind: .mock, urls: [], model: "m", family: "f", quant: "q\($0)")
        }
        let run = RunRecord(
            id: id, startedAt: "", finishedAt: nil, status: .completed, toolVersion: ToolInfo.version, mode: .consensus,
            profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "", suitesJSON: "[]",
            plannedRequests: 9)
        var builder = RunStatistics.Builder(profile: .ailb, backends: backends)
        for r in rows { builder.add(verdict: r.ailb!, ailb: r.ailb, semantic: nil) }
        let data = RunReportData(run: run, backends: backends, cases: rows.map(\.caseRecord), statistics: builder.build())
        var options = ReportOptions()
        options.bootstrapIterations = 0
        return try ReportContent.make(report: data, rows: rows, options: options)
    }

    @Test func findsLostAgreementFlipsAndRegressionsBeyondTheTolerance() throws {
        let all = ["a": true, "b": true, "c": true]
        let before = try content(1, [
            row("x", groups: [["a", "b", "c"]], correct: all, consensusCorrect: true),
            row("y", groups: [["a", "b"], ["c"]], correct: ["a": true, "b": true, "c": false], consensusCorrect: true),
            row("z", groups: [["a", "b", "c"]], correct: all, consensusCorrect: true),
        ])
        let after = try content(2, [
            row("x", groups: [["a", "c"], ["b"]], correct: ["a": true, "b": false, "c": true], consensusCorrect: true),
            row("y", groups: [["a", "b", "c"]], correct: all, consensusCorrect: true),
            row("z", groups: [["a", "b", "c"]], correct: all, consensusCorrect: true),
            row("new", groups: [["a", "b", "c"]], correct: all, consensusCorrect: true),
        ])
        let c = try RunComparison.compute(before, after)
        #expect(c.matched == 3 && c.onlyInB == 1 && c.onlyInA == 0)
        #expect(c.gained == 1 && c.lost == 1)
        #expect(c.agreementBefore == Proportion(successes: 2, trials: 3))
        #expect(c.agreementAfter == Proportion(successes: 2, trials: 3))
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
        #expect(text.contains("- s/x: agreement lost; b left the majority, correct→wrong"))
        #expect(text.contains("Regression: accuracy of b fell from 100.0%"))
        let json = try JSONValue(parsing: ComparisonReport.render(c, format: .json, tolerance: 0.1))
        #expect(json["lost"]?.intValue == 1)
        #expect(json["changes"]?.arrayValue?.count == 2)
        #expect(ComparisonReport.render(c, format: .csv, tolerance: 0).hasPrefix("run_a,run_b,suite,case_id"))
        #expect(ComparisonReport.render(c, format: .junit, tolerance: 0).contains("failures=\"1\""))
        #expect(ComparisonReport.render(c, format: .html, tolerance: 0.1).contains("<span class=\"badge b-bad\">regression</span>"))
    }
}
