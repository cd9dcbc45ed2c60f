import Foundation

/// `compare` output in each format: the totals, each backend's changes, and the case repeats that changed.
public enum ComparisonReport {
    /// The formats `compare` writes.
    public enum Format: String, Sendable, CaseIterable {
        case text, markdown, json, csv, junit, html
    }

    /// The document in `format`.
    public static func render(_ c: RunComparison, format: Format, tolerance: Double, maxCases: Int = 50) -> String {
        switch format {
        case .text: return text(c, tolerance: tolerance, maxCases: maxCases)
        case .markdown: return markdown(c, tolerance: tolerance, maxCases: maxCases)
        case .json: return JSONWriter.compactUnicode.string(json(c, tolerance: tolerance)) + "\n"
        case .csv: return csv(c)
        case .junit: return junit(c)
        case .html: return html(c, tolerance: tolerance)
        }
    }

    static func delta(_ before: Proportion, _ after: Proportion) -> String {
        guard let b = before.value, let a = after.value else { return "" }
        return String(format: "%+.1f pts", (a - b) * 100)
    }

    static func changeText(_ change: RunComparison.CaseChange) -> String {
        var parts: [String] = []
        switch change.agreement {
        case .gained: parts.append("agreement gained")
        case .lost: parts.append("agreement lost")
        default: break
        }
        if change.consensusCorrectBefore != change.consensusCorrectAfter,
            let before = change.consensusCorrectBefore, let after = change.consensusCorrectAfter
        {
            parts.append("consensus " + (before ? "correct→wrong" : "wrong→correct"))
        }
        for b in change.backends {
            var items: [String] = []
            if let m = b.majorityChange { items.append(m) }
            if let f = b.flip { items.append(f) }
            if b.failedBefore != b.failedAfter { items.append(b.failedAfter ? "now fails" : "no longer fails") }
            parts.append("\(b.backend) " + items.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }

    static func caseName(_ change: RunComparison.CaseChange) -> String {
        "\(change.suite)/\(change.caseID)" + (change.repeats > 1 || change.repeatIndex > 0 ? "#\(change.repeatIndex + 1)" : "")
    }

    // MARK: Text and Markdown

    static func text(_ c: RunComparison, tolerance: Double, maxCases: Int) -> String {
        var out = ["Run \(c.runA) → run \(c.runB) · profile \(c.profile.rawValue) · \(c.matched) matched case repeats"
            + (c.onlyInA + c.onlyInB > 0 ? " (\(c.onlyInA) only in \(c.runA), \(c.onlyInB) only in \(c.runB))" : "")]
        out.append("")
        out.append(
            "Agreement: \(ReportFormat.percent(c.agreementBefore)) → \(ReportFormat.percent(c.agreementAfter)) "
                + "(\(delta(c.agreementBefore, c.agreementAfter))) · gained \(c.gained), lost \(c.lost)")
        if c.consensusAccuracyBefore.trials + c.consensusAccuracyAfter.trials > 0 {
            out.append(
                "Consensus accuracy: \(ReportFormat.percent(c.consensusAccuracyBefore)) → \(ReportFormat.percent(c.consensusAccuracyAfter)) "
                    + "(\(delta(c.consensusAccuracyBefore, c.consensusAccuracyAfter)))")
        }
        out.append("")
        var table = TextTable(
            header: ["backend", "with majority", "accuracy", "correct→wrong", "wrong→correct", "McNemar p", "left / joined majority"],
            rightAligned: [3, 4, 5])
        for b in c.backends {
            table.add([
                b.backend, "\(ReportFormat.percent(b.withMajorityBefore)) → \(ReportFormat.percent(b.withMajorityAfter))",
                "\(ReportFormat.percent(b.accuracyBefore)) → \(ReportFormat.percent(b.accuracyAfter))", String(b.correctToWrong),
                String(b.wrongToCorrect), ReportFormat.pValue(b.mcnemarP), "\(b.leftMajority) / \(b.joinedMajority)",
            ])
        }
        out.append(table.render())
        if !c.changes.isEmpty {
            out.append("")
            out.append("Changed case repeats (\(c.changes.count); regressions first):")
            for change in c.changes.prefix(maxCases) {
                out.append("  \(change.isRegression ? "-" : "+") \(caseName(change)): \(changeText(change))")
            }
            if c.changes.count > maxCases { out.append("  … \(c.changes.count - maxCases) more (use --format json or csv)") }
        }
        let regressions = c.regressions(tolerance: tolerance)
        out.append("")
        out.append(
            regressions.isEmpty
                ? String(format: "No regression beyond the tolerance of %.1f points.", tolerance * 100)
                : regressions.map { "Regression: \($0)" }.joined(separator: "\n"))
        return out.joined(separator: "\n") + "\n"
    }

    static func markdown(_ c: RunComparison, tolerance: Double, maxCases: Int) -> String {
        let e = MarkdownReport.escape
        let regressions = c.regressions(tolerance: tolerance)
        var out = ["## ailb-eval: run \(c.runA) → run \(c.runB) · \(regressions.isEmpty ? "no regression ✅" : "regression ❌")", ""]
        out.append(
            "**Agreement \(ReportFormat.percent(c.agreementBefore)) → \(ReportFormat.percent(c.agreementAfter))** "
                + "(\(delta(c.agreementBefore, c.agreementAfter))) · gained \(c.gained), lost \(c.lost) · \(c.matched) matched case repeats")
        if c.consensusAccuracyBefore.trials + c.consensusAccuracyAfter.trials > 0 {
            out.append("")
            out.append(
                "Consensus accuracy \(ReportFormat.percent(c.consensusAccuracyBefore)) → \(ReportFormat.percent(c.consensusAccuracyAfter))")
        }
        for r in regressions {
            out.append("")
            out.append("- ❌ \(e(r.description))")
        }
        out.append("")
        out.append("| backend | with majority | accuracy | ✓→✗ | ✗→✓ | McNemar p |")
        out.append("|---|---|---|---:|---:|---:|")
        for b in c.backends {
            out.append(
                "| \(e(b.backend)) | \(ReportFormat.percent(b.withMajorityBefore)) → \(ReportFormat.percent(b.withMajorityAfter)) | "
                    + "\(ReportFormat.percent(b.accuracyBefore)) → \(ReportFormat.percent(b.accuracyAfter)) | \(b.correctToWrong) | "
                    + "\(b.wrongToCorrect) | \(ReportFormat.pValue(b.mcnemarP)) |")
        }
        if !c.changes.isEmpty {
            out.append("")
            out.append("<details><summary>\(c.changes.count) changed case repeats</summary>")
            out.append("")
            for change in c.changes.prefix(maxCases) {
                out.append("- \(change.isRegression ? "🔻" : "🔺") \(e(caseName(change))): \(e(changeText(change)))")
            }
            out.append("")
            out.append("</details>")
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: JSON, CSV, JUnit

    static func json(_ c: RunComparison, tolerance: Double) -> JSONValue {
        func flag(_ b: Bool?) -> JSONValue { b.map(JSONValue.bool) ?? .null }
        return [
            "format": "ailb-eval-comparison", "format_version": 2, "run_a": .int(Int(c.runA)), "run_b": .int(Int(c.runB)),
            "profile": .string(c.profile.rawValue), "matched": .int(c.matched), "only_in_a": .int(c.onlyInA),
            "only_in_b": .int(c.onlyInB), "agreement_before": JSONReport.proportion(c.agreementBefore),
            "agreement_after": JSONReport.proportion(c.agreementAfter), "gained": .int(c.gained), "lost": .int(c.lost),
            "consensus_accuracy_before": JSONReport.proportion(c.consensusAccuracyBefore),
            "consensus_accuracy_after": JSONReport.proportion(c.consensusAccuracyAfter),
            "tolerance": .double(tolerance),
            "regressions": .array(c.regressions(tolerance: tolerance).map { .string($0.description) }),
            "backends": .array(
                c.backends.map { b in
                    [
                        "backend": .string(b.backend), "with_majority_before": JSONReport.proportion(b.withMajorityBefore),
                        "with_majority_after": JSONReport.proportion(b.withMajorityAfter),
                        "accuracy_before": JSONReport.proportion(b.accuracyBefore),
                        "accuracy_after": JSONReport.proportion(b.accuracyAfter), "correct_to_wrong": .int(b.correctToWrong),
                        "wrong_to_correct": .int(b.wrongToCorrect), "joined_majority": .int(b.joinedMajority),
                        "left_majority": .int(b.leftMajority), "mcnemar_exact_p": .double(b.mcnemarP),
                    ]
                }),
            "changes": .array(
                c.changes.map { change in
                    [
                        "suite": .string(change.suite), "case_id": .string(change.caseID), "repeat": .int(change.repeatIndex + 1),
                        "agreement": .string(change.agreement.rawValue), "regression": .bool(change.isRegression),
                        "consensus_correct_before": flag(change.consensusCorrectBefore),
                        "consensus_correct_after": flag(change.consensusCorrectAfter),
                        "groups_before": .array(change.groupsBefore.map { .array($0.map(JSONValue.string)) }),
                        "groups_after": .array(change.groupsAfter.map { .array($0.map(JSONValue.string)) }),
                        "backends": .array(
                            change.backends.map { b in
                                [
                                    "backend": .string(b.backend), "with_majority_before": flag(b.withMajorityBefore),
                                    "with_majority_after": flag(b.withMajorityAfter), "correct_before": flag(b.correctBefore),
                                    "correct_after": flag(b.correctAfter), "failed_before": .bool(b.failedBefore),
                                    "failed_after": .bool(b.failedAfter),
                                ]
                            }),
                    ]
                }),
        ]
    }

    static func csv(_ c: RunComparison) -> String {
        func flag(_ b: Bool?) -> String { b.map { $0 ? "true" : "false" } ?? "" }
        var lines = [
            "run_a,run_b,suite,case_id,repeat,agreement,consensus_correct_before,consensus_correct_after,backend,"
                + "with_majority_before,with_majority_after,correct_before,correct_after,failed_before,failed_after"
        ]
        for change in c.changes {
            let head = [
                String(c.runA), String(c.runB), change.suite, change.caseID, String(change.repeatIndex + 1), change.agreement.rawValue,
                flag(change.consensusCorrectBefore), flag(change.consensusCorrectAfter),
            ]
            let backends = change.backends.isEmpty ? [nil] : change.backends.map { Optional($0) }
            for b in backends {
                let tail =
                    b.map {
                        [$0.backend, flag($0.withMajorityBefore), flag($0.withMajorityAfter), flag($0.correctBefore),
                         flag($0.correctAfter), flag($0.failedBefore), flag($0.failedAfter)]
                    } ?? ["", "", "", "", "", "", ""]
                let row = head + tail
                // The run ids and the repeat are numbers; everything else is text under the formula guard.
                lines.append(
                    row.enumerated().map { CSVWriter.cell($1, numeric: [0, 1, 4].contains($0)) }.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func junit(_ c: RunComparison) -> String {
        let regressions = c.changes.filter(\.isRegression)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="\(JUnitReport.escape("ailb-eval compare \(c.runA) \(c.runB)"))" tests="\(c.changes.count)" failures="\(regressions.count)" errors="0">
              <testsuite name="changes" tests="\(c.changes.count)" failures="\(regressions.count)" errors="0" skipped="0">

            """
        for change in c.changes {
            out += "    <testcase classname=\"\(JUnitReport.escape("ailb-eval.\(change.suite)"))\" name=\"\(JUnitReport.escape(caseName(change)))\""
            if change.isRegression {
                out += ">\n      <failure type=\"regression\" message=\"\(JUnitReport.escape(changeText(change)))\">"
                out += JUnitReport.escape(
                    "before: " + change.groupsBefore.map { $0.joined(separator: "+") }.joined(separator: " | ") + "\nafter: "
                        + change.groupsAfter.map { $0.joined(separator: "+") }.joined(separator: " | "))
                out += "</failure>\n    </testcase>\n"
            } else {
                out += "/>\n"
            }
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    // MARK: HTML

    static func html(_ c: RunComparison, tolerance: Double) -> String {
        let regressions = c.regressions(tolerance: tolerance)
        var page: HTML = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>ailb-eval · run \(Int(c.runA)) → run \(Int(c.runB))</title><style>\(HTMLReport.stylesheet)</style></head><body><main>
            <section class="card"><h1>Run \(Int(c.runA)) → run \(Int(c.runB)) \
            \(regressions.isEmpty ? HTML("<span class=\"badge b-ok\">no regression</span>") : HTML("<span class=\"badge b-bad\">regression</span>"))</h1>
            <p class="sub">Profile \(c.profile.rawValue) · \(c.matched) matched case repeats · \(c.onlyInA) only in run \(Int(c.runA)) · \(c.onlyInB) only in run \(Int(c.runB))</p>
            <ul class="facts"><li>Agreement <b>\(ReportFormat.percent(c.agreementBefore)) → \(ReportFormat.percent(c.agreementAfter))</b> \
            (\(delta(c.agreementBefore, c.agreementAfter))): gained \(c.gained), lost \(c.lost)</li>
            <li>Consensus accuracy \(ReportFormat.percent(c.consensusAccuracyBefore)) → \(ReportFormat.percent(c.consensusAccuracyAfter))</li></ul>

            """
        for r in regressions { page += "<div class=\"callout\">\(r.description)</div>\n" }
        page += """
            </section><section class="card"><h2>Backends</h2><table><thead><tr><th>backend</th><th>with majority</th><th>accuracy</th>\
            <th class="num">✓→✗</th><th class="num">✗→✓</th><th class="num">McNemar p</th><th class="num">left / joined majority</th></tr></thead><tbody>

            """
        for b in c.backends {
            page += """
                <tr><td>\(b.backend)</td><td>\(ReportFormat.percent(b.withMajorityBefore)) → \(ReportFormat.percent(b.withMajorityAfter))</td>\
                <td>\(ReportFormat.percent(b.accuracyBefore)) → \(ReportFormat.percent(b.accuracyAfter))</td><td class="num">\(b.correctToWrong)</td>\
                <td class="num">\(b.wrongToCorrect)</td><td class="num">\(ReportFormat.pValue(b.mcnemarP))</td><td class="num">\(b.leftMajority) / \(b.joinedMajority)</td></tr>

                """
        }
        page += "</tbody></table></section><section class=\"card\"><h2>Changed case repeats</h2><table><thead><tr><th>case</th><th>change</th><th>groups before</th><th>groups after</th></tr></thead><tbody>\n"
        for change in c.changes {
            page += """
                <tr><td\(change.isRegression ? HTML(" class=\"err\"") : "")>\(caseName(change))</td><td>\(changeText(change))</td>\
                <td class="mono">\(change.groupsBefore.map { $0.joined(separator: "+") }.joined(separator: " | "))</td>\
                <td class="mono">\(change.groupsAfter.map { $0.joined(separator: "+") }.joined(separator: " | "))</td></tr>

                """
        }
        page += "</tbody></table></section></main></body></html>\n"
        return page.markup
    }
}
