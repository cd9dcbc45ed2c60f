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

    /// "100.0% → 75.0%", or `none` when the figure has no data (paired figures have data on both sides or
    /// on neither, so one side is never shown empty).
    static func pair(_ before: Proportion, _ after: Proportion, none: String = "none in both runs") -> String {
        guard before.trials > 0, after.trials > 0 else { return none }
        return "\(ReportFormat.percent(before)) → \(ReportFormat.percent(after))"
    }

    /// "0/4 → 4/4": failed responses over the case repeats with a stored response in both runs.
    static func failures(_ b: RunComparison.BackendTotals) -> String {
        guard b.failuresBefore.trials > 0 else { return "none in both runs" }
        return "\(b.failuresBefore.successes)/\(b.failuresBefore.trials) → \(b.failuresAfter.successes)/\(b.failuresAfter.trials)"
    }

    /// The agreement line: the paired figure with the case repeats behind it, or why there is none.
    static func agreementLine(_ c: RunComparison) -> String {
        if let none = c.agreementNoData { return "Agreement: not compared: \(none)" }
        return "Agreement: \(ReportFormat.percent(c.agreementBefore)) → \(ReportFormat.percent(c.agreementAfter)) "
            + "(\(delta(c.agreementBefore, c.agreementAfter))) · gained \(c.gained), lost \(c.lost) · over \(c.judgedInBoth) "
            + "case repeat\(c.judgedInBoth == 1 ? "" : "s") of \(c.casesJudgedInBoth) case\(c.casesJudgedInBoth == 1 ? "" : "s") judged in both runs"
    }

    /// The consensus line: each standing's count before → after and the share of correct answers, or why
    /// there is none; nil when agreement already said why.
    static func consensusLine(_ c: RunComparison) -> String? {
        if c.agreementNoData != nil { return nil }
        if let none = c.consensusNoData { return "Consensus: not compared: \(none)" }
        let (b, a) = (c.consensusBefore, c.consensusAfter)
        return "Consensus over \(b.total) judged case repeat\(b.total == 1 ? "" : "s") with expect: correct \(b.correct) → \(a.correct), "
            + "wrong \(b.wrong) → \(a.wrong), tie \(b.tie) → \(a.tie), no majority \(b.noMajority) → \(a.noMajority) · "
            + "correct \(ReportFormat.percent(c.consensusCorrectBefore)) → \(ReportFormat.percent(c.consensusCorrectAfter)) "
            + "(\(delta(c.consensusCorrectBefore, c.consensusCorrectAfter)))"
    }

    /// Why a backend figure is empty, one sentence per reason with the backends it applies to; reasons
    /// already given by the agreement line are left out.
    static func backendNotes(_ c: RunComparison) -> [String] {
        var order: [String] = []
        var names: [String: [String]] = [:]
        func add(_ what: String, _ reason: String?, _ backend: String) {
            guard let reason, reason != c.agreementNoData else { return }
            let key = "\(what)\u{1F}\(reason)"
            if names[key] == nil { order.append(key) }
            names[key, default: []].append(backend)
        }
        for b in c.backends {
            add("with majority", b.withMajorityNoData, b.backend)
            add("accuracy", b.accuracyNoData, b.backend)
        }
        return order.map { key in
            let parts = key.components(separatedBy: "\u{1F}")
            return "\(parts[0]) of \(names[key]!.joined(separator: ", ")) not compared: \(parts[1])"
        }
    }

    /// The sentences saying what is compared, or that everything is.
    static func comparability(_ c: RunComparison) -> [String] {
        c.comparability.isEmpty
            ? ["comparable in full: the same case repeats, backends, models, mode, profile and threshold"] : c.comparability
    }

    static func changeText(_ change: RunComparison.CaseChange) -> String {
        change.reasons.joined(separator: "; ")
    }

    static func caseName(_ change: RunComparison.CaseChange) -> String {
        "\(change.suite)/\(change.caseID)" + (change.repeats > 1 || change.repeatIndex > 0 ? "#\(change.repeatIndex + 1)" : "")
    }

    // MARK: Text and Markdown

    static func text(_ c: RunComparison, tolerance: Double, maxCases: Int) -> String {
        var out = [
            "Run \(c.runA) → run \(c.runB) · profile \(c.profile.rawValue) · \(c.matched) matched case repeats"
                + (c.onlyInA + c.onlyInB > 0 ? " (\(c.onlyInA) only in \(c.runA), \(c.onlyInB) only in \(c.runB))" : "")
        ]
        out.append("")
        out.append("What is compared:")
        for note in comparability(c) { out.append("  * \(note)") }
        out.append("")
        out.append(agreementLine(c))
        if let line = consensusLine(c) { out.append(line) }
        out.append("")
        var table = TextTable(
            header: ["backend", "with majority", "accuracy", "failed", "correct→wrong", "wrong→correct", "McNemar p", "left / joined majority"],
            rightAligned: [4, 5, 6])
        for b in c.backends {
            table.add([
                b.backend, pair(b.withMajorityBefore, b.withMajorityAfter), pair(b.accuracyBefore, b.accuracyAfter), failures(b),
                String(b.correctToWrong), String(b.wrongToCorrect), ReportFormat.pValue(b.mcnemarP), "\(b.leftMajority) / \(b.joinedMajority)",
            ])
        }
        if !c.backends.isEmpty { out.append(table.render()) }
        for note in backendNotes(c) { out.append("  \(note)") }
        if !c.changes.isEmpty {
            out.append("")
            out.append("Changed case repeats (\(c.changes.count); regressions first):")
            for change in c.changes.prefix(maxCases) {
                out.append("  \(change.isRegression ? "-" : "+") \(caseName(change)): \(changeText(change))")
            }
            if c.changes.count > maxCases { out.append("  … \(c.changes.count - maxCases) more (use --format json or csv)") }
        } else if c.nothingComparable == nil {
            out.append("")
            out.append("No case repeat changed.")
        }
        let regressions = c.regressions(tolerance: tolerance)
        out.append("")
        if let none = c.regressionGateNoData {
            out.append("Regressions cannot be ruled out: \(none).")
        } else {
            out.append(
                regressions.isEmpty
                    ? String(format: "No regression beyond the tolerance of %.1f points.", tolerance * 100)
                    : regressions.map { "Regression: \($0)" }.joined(separator: "\n"))
        }
        return out.joined(separator: "\n") + "\n"
    }

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

    // MARK: JSON, CSV, JUnit

    static func json(_ c: RunComparison, tolerance: Double) -> JSONValue {
        func flag(_ b: Bool?) -> JSONValue { b.map(JSONValue.bool) ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func counts(_ k: RunComparison.ConsensusCounts) -> JSONValue {
            ["correct": .int(k.correct), "wrong": .int(k.wrong), "tie": .int(k.tie), "no_majority": .int(k.noMajority)]
        }
        func standing(_ s: RunComparison.Standing?) -> JSONValue {
            guard let s else { return .null }
            return [
                "outcome": .string(s.outcome.rawValue), "summary": .string(s.summary), "consensus": text(s.consensus),
                "groups": .array(s.groups.map { .array($0.map(JSONValue.string)) }),
            ]
        }
        return [
            "format": "ailb-eval-comparison", "format_version": 3, "run_a": .int(Int(c.runA)), "run_b": .int(Int(c.runB)),
            "profile": .string(c.profile.rawValue), "comparability": .array(c.comparability.map(JSONValue.string)),
            "nothing_comparable": text(c.nothingComparable), "shared_backends": .array(c.sharedBackends.map(JSONValue.string)),
            "matched": .int(c.matched), "only_in_a": .int(c.onlyInA), "only_in_b": .int(c.onlyInB),
            "judged_in_both": .int(c.judgedInBoth), "cases_judged_in_both": .int(c.casesJudgedInBoth),
            "judged_only_in_a": .int(c.judgedOnlyInA), "judged_only_in_b": .int(c.judgedOnlyInB),
            "identical_regrouped": .int(c.identicalRegrouped),
            "agreement_before": JSONReport.proportion(c.agreementBefore),
            "agreement_after": JSONReport.proportion(c.agreementAfter), "agreement_no_data": text(c.agreementNoData),
            "gained": .int(c.gained), "lost": .int(c.lost),
            "consensus_before": counts(c.consensusBefore), "consensus_after": counts(c.consensusAfter),
            "consensus_correct_before": JSONReport.proportion(c.consensusCorrectBefore),
            "consensus_correct_after": JSONReport.proportion(c.consensusCorrectAfter), "consensus_no_data": text(c.consensusNoData),
            "tolerance": .double(tolerance),
            "regressions": .array(c.regressions(tolerance: tolerance).map { .string($0.description) }),
            "regression_gate_no_data": text(c.regressionGateNoData),
            "backends": .array(
                c.backends.map { b in
                    [
                        "backend": .string(b.backend), "with_majority_before": JSONReport.proportion(b.withMajorityBefore),
                        "with_majority_after": JSONReport.proportion(b.withMajorityAfter),
                        "with_majority_no_data": text(b.withMajorityNoData),
                        "accuracy_before": JSONReport.proportion(b.accuracyBefore),
                        "accuracy_after": JSONReport.proportion(b.accuracyAfter), "accuracy_no_data": text(b.accuracyNoData),
                        "failures_before": JSONReport.proportion(b.failuresBefore),
                        "failures_after": JSONReport.proportion(b.failuresAfter), "correct_to_wrong": .int(b.correctToWrong),
                        "wrong_to_correct": .int(b.wrongToCorrect), "joined_majority": .int(b.joinedMajority),
                        "left_majority": .int(b.leftMajority), "mcnemar_exact_p": .double(b.mcnemarP),
                    ]
                }),
            "changes": .array(
                c.changes.map { change in
                    [
                        "suite": .string(change.suite), "case_id": .string(change.caseID), "repeat": .int(change.repeatIndex + 1),
                        "agreement": .string(change.agreement.rawValue), "regression": .bool(change.isRegression),
                        "reasons": .array(change.reasons.map(JSONValue.string)),
                        "before": standing(change.before), "after": standing(change.after),
                        "backends": .array(
                            change.backends.map { b in
                                [
                                    "backend": .string(b.backend), "reason": .string(b.reason),
                                    "answer_changed": .bool(b.answerChanged),
                                    "with_majority_before": flag(b.withMajorityBefore),
                                    "with_majority_after": flag(b.withMajorityAfter), "correct_before": flag(b.correctBefore),
                                    "correct_after": flag(b.correctAfter), "failed_before": .bool(b.failedBefore),
                                    "failed_after": .bool(b.failedAfter), "error_before": text(b.errorBefore),
                                    "error_after": text(b.errorAfter), "stored_before": .bool(b.storedBefore),
                                    "stored_after": .bool(b.storedAfter),
                                ]
                            }),
                    ]
                }),
        ]
    }

    /// One row per changed case repeat (backend empty, its case-level reasons), then one per backend that
    /// changed (its reason). The comparability sentences are not in the CSV: they are in every other format.
    static func csv(_ c: RunComparison) -> String {
        func flag(_ b: Bool?) -> String { b.map { $0 ? "true" : "false" } ?? "" }
        var lines = [
            "run_a,run_b,suite,case_id,repeat,agreement,consensus_before,consensus_after,backend,"
                + "with_majority_before,with_majority_after,correct_before,correct_after,failed_before,failed_after,reason"
        ]
        func append(_ row: [String]) {
            // The run ids and the repeat are numbers; everything else is text under the formula guard.
            lines.append(row.enumerated().map { CSVWriter.cell($1, numeric: [0, 1, 4].contains($0)) }.joined(separator: ","))
        }
        for change in c.changes {
            let head = [
                String(c.runA), String(c.runB), change.suite, change.caseID, String(change.repeatIndex + 1), change.agreement.rawValue,
                change.consensusBefore ?? "", change.consensusAfter ?? "",
            ]
            let caseReasons = change.reasons.dropLast(change.backends.count)
            if !caseReasons.isEmpty || change.backends.isEmpty {
                append(head + ["", "", "", "", "", "", "", caseReasons.joined(separator: "; ")])
            }
            for b in change.backends {
                append(
                    head + [
                        b.backend, flag(b.withMajorityBefore), flag(b.withMajorityAfter), flag(b.correctBefore), flag(b.correctAfter),
                        flag(b.failedBefore), flag(b.failedAfter), b.reason,
                    ])
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A testcase per changed case repeat (failing when it is a regression) and one, "judged in both runs",
    /// that fails when no case repeat was judged in both; the comparability sentences as properties and in
    /// the suite's system-out.
    static func junit(_ c: RunComparison) -> String {
        let regressions = c.changes.filter(\.isRegression)
        let comparable = c.agreementNoData == nil
        let tests = c.changes.count + 1
        let failures = regressions.count + (comparable ? 0 : 1)
        let notes = comparability(c)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="\(JUnitReport.escape("ailb-eval compare \(c.runA) \(c.runB)"))" tests="\(tests)" failures="\(failures)" errors="0">
              <testsuite name="changes" tests="\(tests)" failures="\(failures)" errors="0" skipped="0">
                <properties>

            """
        for (index, note) in notes.enumerated() {
            out += "      <property name=\"comparability.\(index + 1)\" value=\"\(JUnitReport.escape(note))\"/>\n"
        }
        out += "    </properties>\n"
        out += "    <testcase classname=\"ailb-eval.compare\" name=\"judged in both runs\""
        if let none = c.agreementNoData {
            out += ">\n      <failure type=\"not-comparable\" message=\"\(JUnitReport.escape(none))\"/>\n    </testcase>\n"
        } else {
            out += "/>\n"
        }
        for change in c.changes {
            out += "    <testcase classname=\"\(JUnitReport.escape("ailb-eval.\(change.suite)"))\" name=\"\(JUnitReport.escape(caseName(change)))\""
            if change.isRegression {
                out += ">\n      <failure type=\"regression\" message=\"\(JUnitReport.escape(changeText(change)))\">"
                out += JUnitReport.escape(
                    "before: " + change.groupsBefore.map { $0.joined(separator: "+") }.joined(separator: " | ") + "\nafter: "
                        + change.groupsAfter.map { $0.joined(separator: "+") }.joined(separator: " | "))
                out += "</failure>\n    </testcase>\n"
            } else {
                out += ">\n      <system-out>\(JUnitReport.escape(changeText(change)))</system-out>\n    </testcase>\n"
            }
        }
        var summary = notes.map { "* \($0)" } + [agreementLine(c)]
        if let line = consensusLine(c) { summary.append(line) }
        out += "    <system-out>\(JUnitReport.escape(summary.joined(separator: "\n")))</system-out>\n"
        return out + "  </testsuite>\n</testsuites>\n"
    }

    // MARK: HTML

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
        page += "</section><section class=\"card\"><h2>Changed case repeats</h2>"
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
