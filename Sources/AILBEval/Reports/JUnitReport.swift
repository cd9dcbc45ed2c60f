import Foundation

/// JUnit XML for CI test reporters: a testsuite per suite, a testcase per case repeat. A testcase fails when
/// the backends disagree or the consensus answer is wrong, with every backend's answer in the failure text;
/// it is skipped when fewer than two backends answered.
package enum JUnitReport {
    /// The XML document.
    package static func render(_ content: ReportContent) throws -> String {
        render(content, rows: try content.rows)
    }

    /// The XML document for `content` with `rows` (its `allRows()`) as the test cases.
    package static func render(_ content: ReportContent, rows allRows: [CaseRepeatRow]) -> String {
        let profile = content.profile
        var suiteOrder: [String] = []
        var bySuite: [String: [CaseRepeatRow]] = [:]
        for row in allRows {
            if bySuite[row.caseRecord.suite] == nil { suiteOrder.append(row.caseRecord.suite) }
            bySuite[row.caseRecord.suite, default: []].append(row)
        }
        var totals = (tests: 0, failures: 0, skipped: 0, time: 0.0)
        var body = ""
        for suite in suiteOrder {
            let rows = bySuite[suite]!
            var counts = (failures: 0, skipped: 0, time: 0.0)
            var cases = ""
            for row in rows {
                let time = (row.responses.map(\.latencyMs).max() ?? 0) / 1000
                counts.time += time
                let name = row.caseRecord.repeats > 1 ? "\(row.caseRecord.caseID)#\(row.repeatIndex + 1)" : row.caseRecord.caseID
                cases += "    <testcase classname=\"\(escape("ailb-eval.\(suite)"))\" name=\"\(escape(name))\" time=\(quoted(time))"
                let verdict = row.verdict(profile)
                if verdict == nil || verdict!.verdict.successes < 2 {
                    counts.skipped += 1
                    let reason = verdict == nil ? "not judged (no verdict is stored)" : "fewer than two backends answered"
                    cases += ">\n      <skipped message=\"\(escape(reason))\"/>\n\(systemOut(row))    </testcase>\n"
                    continue
                }
                var problems: [String] = []
                if verdict!.verdict.disagreement {
                    problems.append("\(verdict!.verdict.agreementCount)/\(verdict!.verdict.successes) backends agree")
                }
                if verdict!.consensusCorrect == false { problems.append("the consensus answer is wrong") }
                if problems.isEmpty {
                    cases += "/>\n"
                    continue
                }
                counts.failures += 1
                let type = verdict!.verdict.disagreement ? "disagreement" : "wrong_consensus"
                cases += ">\n      <failure type=\"\(type)\" message=\"\(escape(problems.joined(separator: "; ")))\">"
                cases += escape(failureText(row, verdict: verdict!, profile: profile))
                cases += "</failure>\n    </testcase>\n"
            }
            totals.tests += rows.count
            totals.failures += counts.failures
            totals.skipped += counts.skipped
            totals.time += counts.time
            body += """
                  <testsuite name="\(escape(suite))" tests="\(rows.count)" failures="\(counts.failures)" errors="0" \
                skipped="\(counts.skipped)" time=\(quoted(counts.time))>

                """
            body += cases
            body += "  </testsuite>\n"
        }
        if let (suite, counts) = loadBalancerSuite(content) {
            body += suite
            totals.tests += counts.tests
            totals.failures += counts.failures
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="\(escape("ailb-eval run \(content.data.run.id) (\(profile.rawValue))"))" tests="\(totals.tests)" \
            failures="\(totals.failures)" errors="0" skipped="\(totals.skipped)" time=\(quoted(totals.time))>

            """ + body + "</testsuites>\n"
    }

    static func quoted(_ seconds: Double) -> String { String(format: "\"%.3f\"", seconds) }

    /// A testsuite of ai-lb's own verdicts against ours, when any was compared: a failing testcase per case
    /// repeat where they differ, and one passing testcase for all those where they match.
    static func loadBalancerSuite(_ content: ReportContent) -> (String, (tests: Int, failures: Int))? {
        let compared = content.loadBalancerCompared
        guard compared > 0 else { return nil }
        let differing = content.loadBalancerDisagreements
        let matching = compared - differing.count
        let classname = escape("ailb-eval.ai-lb-verdicts")
        var cases = ""
        for item in differing {
            let v = item.verdicts
            let name = "\(item.suite)/\(item.caseID)#\(v.repeatIndex + 1) via \(v.backend)"
            let message = v.differences.joined(separator: "; ")
            let detail = [
                "ai-lb: winner \(v.winner), agreement_count \(v.agreementCount), disagreement \(v.disagreement), "
                    + "comparison_type \(v.comparisonType), x-disagreement \(v.xDisagreement)",
                "ours: winner \(v.ours.winner), agreement_count \(v.ours.agreementCount), disagreement \(v.ours.disagreement), "
                    + "comparison_type \(v.ours.comparisonType.rawValue), groups "
                    + v.ours.groups.map { $0.joined(separator: "+") }.joined(separator: " | "),
            ].joined(separator: "\n")
            cases += "    <testcase classname=\"\(classname)\" name=\"\(escape(name))\" time=\"0.000\">\n"
            cases += "      <failure type=\"lb_mismatch\" message=\"\(escape(message))\">\(escape(detail))</failure>\n"
            cases += "    </testcase>\n"
        }
        if matching > 0 {
            let name = "ai-lb's verdict matches ours on \(matching) of \(compared) case repeats"
            cases += "    <testcase classname=\"\(classname)\" name=\"\(escape(name))\" time=\"0.000\"/>\n"
        }
        let tests = differing.count + (matching > 0 ? 1 : 0)
        let suite = """
              <testsuite name="ai-lb verdicts" tests="\(tests)" failures="\(differing.count)" errors="0" skipped="0" time="0.000">

            """ + cases + "  </testsuite>\n"
        return (suite, (tests, differing.count))
    }

    static func systemOut(_ row: CaseRepeatRow) -> String {
        let failed = row.responses.filter { !$0.success }
        guard !failed.isEmpty else { return "" }
        let lines = failed.map { "\($0.backend): failed (\($0.errorClass?.rawValue ?? "error"))" }
        return "      <system-out>\(escape(lines.joined(separator: "\n")))</system-out>\n"
    }

    /// Every backend's answer, one per line, with its group and correctness.
    static func failureText(_ row: CaseRepeatRow, verdict: VerdictRecord, profile: EquivalenceProfile) -> String {
        var groupOf: [String: Int] = [:]
        let hasMajority = verdict.verdict.outcome.hasMajority
        for (rank, group) in verdict.verdict.answerGroups.enumerated() {
            for backend in group { groupOf[backend] = hasMajority ? rank : rank + 1 }
        }
        let outcome = verdict.verdict.outcome
        var lines = [
            "\(row.caseRecord.suite)/\(row.caseRecord.caseID): \(outcome.rawValue.replacingOccurrences(of: "_", with: " "))"
                + (outcome == .tie ? " (no answer holds a majority)" : "") + ", \(verdict.verdict.comparisonType.rawValue)"
                + (verdict.verdict.successes > 0 ? ", ai-lb's winner \(verdict.verdict.winner)" : "") + ", groups "
                + verdict.verdict.answerGroups.map { $0.joined(separator: "+") }.joined(separator: " | ")
                + (verdict.consensusLabel.map { ", consensus \($0)" } ?? "")
        ]
        for r in row.responses {
            guard r.success else {
                lines.append("\(r.backend): failed (\(r.errorClass?.rawValue ?? "error"))")
                continue
            }
            var tags: [String] = []
            if let rank = groupOf[r.backend] { tags.append(rank == 0 ? "majority" : "group \(rank + 1)") }
            if r.correct == true { tags.append("correct") }
            if r.correct == false { tags.append("wrong") }
            var answer = r.toolCalls ?? ""
            if let text = r.text, !text.isEmpty { answer += (answer.isEmpty ? "" : " ") + text }
            let clipped = answer.count > 600 ? String(answer.prefix(600)) + "…" : answer
            lines.append("\(r.backend) [\(tags.joined(separator: ", "))]: \(clipped)")
        }
        return lines.joined(separator: "\n")
    }

    /// Text for XML content and attributes: the five special characters escaped, and characters XML 1.0
    /// forbids (most C0 controls, unpaired surrogates cannot occur in a String) replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
