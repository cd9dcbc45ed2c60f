import Foundation

/// The Markdown comparison, sized for a pull-request comment.
extension ComparisonReport {
    static func markdown(_ c: RunComparison, tolerance: Double, maxCases: Int) -> String {
        let e = MarkdownReport.escape
        let regressions = c.regressions(tolerance: tolerance)
        let verdict =
            c.regressionGateNoData != nil ? "not comparable ⚠️" : regressions.isEmpty ? "no regression ✅" : "regression ❌"
        var out = ["## ailb-eval: run \(c.runA) → run \(c.runB) · \(verdict)", ""]
        for note in comparability(c) { out.append("> - \(e(note))") }
        out.append("")
        if let none = c.agreementNoData {
            out.append("**Agreement not compared:** \(e(none))")
        } else {
            out.append(
                "**Agreement \(ReportFormat.percent(c.agreementBefore)) → \(ReportFormat.percent(c.agreementAfter))** "
                    + "(\(delta(c.agreementBefore, c.agreementAfter))) · gained \(c.gained), lost \(c.lost) · \(c.judgedInBoth) case "
                    + "repeats of \(c.casesJudgedInBoth) cases judged in both runs · \(c.matched) matched")
        }
        if let line = consensusLine(c) {
            out.append("")
            out.append(e(line))
        }
        for r in regressions {
            out.append("")
            out.append("- ❌ \(e(r.description))")
        }
        if !c.backends.isEmpty {
            out.append("")
            out.append("| backend | with majority | accuracy | failed | ✓→✗ | ✗→✓ | McNemar p |")
            out.append("|---|---|---|---|---:|---:|---:|")
            for b in c.backends {
                out.append(
                    "| \(e(b.backend)) | \(pair(b.withMajorityBefore, b.withMajorityAfter)) | \(pair(b.accuracyBefore, b.accuracyAfter)) | "
                        + "\(failures(b)) | \(b.correctToWrong) | \(b.wrongToCorrect) | \(ReportFormat.pValue(b.mcnemarP)) |")
            }
        }
        let notes = backendNotes(c)
        if !notes.isEmpty {
            out.append("")
            for note in notes { out.append("- \(e(note))") }
        }
        let modes = modesMarkdown(c)
        if !modes.isEmpty { out += [""] + modes }
        if !c.changes.isEmpty {
            out.append("")
            out.append("<details><summary>\(c.changes.count) changed case repeats</summary>")
            out.append("")
            for change in c.changes.prefix(maxCases) {
                out.append("- \(change.isRegression ? "🔻" : "🔺") \(e(caseName(change))): \(e(changeText(change)))")
            }
            if c.changes.count > maxCases { out.append("- … \(c.changes.count - maxCases) more") }
            out.append("")
            out.append("</details>")
        } else if c.nothingComparable == nil {
            out.append("")
            out.append("No case repeat changed.")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
