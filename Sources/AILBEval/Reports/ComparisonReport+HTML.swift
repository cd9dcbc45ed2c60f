import Foundation

/// The self-contained HTML comparison page.
extension ComparisonReport {
    static func html(_ c: RunComparison, tolerance: Double) -> String {
        let regressions = c.regressions(tolerance: tolerance)
        let badge: HTML =
            c.regressionGateNoData != nil
            ? "<span class=\"badge b-neutral\">not comparable</span>"
            : regressions.isEmpty ? "<span class=\"badge b-ok\">no regression</span>" : "<span class=\"badge b-bad\">regression</span>"
        var page: HTML = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>ailb-eval · run \(Int(c.runA)) → run \(Int(c.runB))</title><style>\(HTMLReport.stylesheet)</style></head><body><main>
            <section class="card"><h1>Run \(Int(c.runA)) → run \(Int(c.runB)) \(badge)</h1>
            <p class="sub">Profile \(c.profile.rawValue) · \(c.matched) matched case repeats · \(c.onlyInA) only in run \(Int(c.runA)) · \(c.onlyInB) only in run \(Int(c.runB))</p>
            <h2>What is compared</h2><ul class="comparability">

            """
        for note in comparability(c) { page += "<li>\(note)</li>\n" }
        page += "</ul><ul class=\"facts\"><li>\(agreementLine(c))</li>\n"
        if let line = consensusLine(c) { page += "<li>\(line)</li>\n" }
        page += "</ul>\n"
        if let none = c.regressionGateNoData {
            page += "<div class=\"callout neutral\">Regressions cannot be ruled out: \(none).</div>\n"
        }
        for r in regressions { page += "<div class=\"callout\">\(r.description)</div>\n" }
        page += """
            </section><section class="card"><h2>Backends</h2><table><thead><tr><th>backend</th><th>with majority</th><th>accuracy</th>\
            <th>failed</th><th class="num">✓→✗</th><th class="num">✗→✓</th><th class="num">McNemar p</th><th class="num">left / joined majority</th></tr></thead><tbody>

            """
        for b in c.backends {
            page += """
                <tr><td>\(b.backend)</td><td>\(pair(b.withMajorityBefore, b.withMajorityAfter))</td>\
                <td>\(pair(b.accuracyBefore, b.accuracyAfter))</td><td>\(failures(b))</td><td class="num">\(b.correctToWrong)</td>\
                <td class="num">\(b.wrongToCorrect)</td><td class="num">\(ReportFormat.pValue(b.mcnemarP))</td><td class="num">\(b.leftMajority) / \(b.joinedMajority)</td></tr>

                """
        }
        page += "</tbody></table>\n"
        for note in backendNotes(c) { page += "<p class=\"note\">\(note)</p>\n" }
        page += "</section>\n"
        page += modesHTML(c)
        page += "<section class=\"card\"><h2>Changed case repeats</h2>"
        if c.changes.isEmpty {
            page += "<p class=\"sub\">No case repeat changed.</p>"
        }
        page += "<table><thead><tr><th>case</th><th>why</th><th>before</th><th>after</th></tr></thead><tbody>\n"
        for change in c.changes {
            page += """
                <tr><td\(change.isRegression ? HTML(" class=\"err\"") : "")>\(caseName(change))</td><td>\(changeText(change))</td>\
                <td class="mono">\(change.before?.summary ?? "no verdict") · \(change.groupsBefore.map { $0.joined(separator: "+") }.joined(separator: " | "))</td>\
                <td class="mono">\(change.after?.summary ?? "no verdict") · \(change.groupsAfter.map { $0.joined(separator: "+") }.joined(separator: " | "))</td></tr>

                """
        }
        page += "</tbody></table></section></main></body></html>\n"
        return page.markup
    }
}
