import Foundation

/// A compact Markdown summary, sized for a CI job summary (`>> $GITHUB_STEP_SUMMARY`): the verdict, the
/// odd one out, per-backend and per-group numbers, the first disagreements, and what each ai-lb mode would
/// have returned. Model output is left out.
package enum MarkdownReport {
    /// The summary.
    package static func render(_ content: ReportContent, maxCases: Int = 10) -> String {
        let stats = content.data.statistics
        let run = content.data.run
        var out: [String] = []
        let gate = content.gate
        let gateText = gate.isEmpty ? "no gate configured" : (gate.passed ? "gate passed ✅" : "gate failed ❌")
        let suites = content.suites.map(\.name).joined(separator: ", ")
        out.append("## ailb-eval run \(run.id) · \(escape(suites)) · \(gateText)")
        out.append("")
        out.append(
            "Mode \(run.mode.rawValue) · profile \(content.profile.rawValue) · "
                + (content.data.shareText.map { "\(escape($0)) · " } ?? "") + "\(content.caseRepeatCount) case repeats · "
                + "\(stats.totalResponses) responses (\(stats.totalSuccesses) ok) · \(content.data.backends.count) backends")
        out.append("")
        if let race = stats.race {
            out.append("> " + RunSummary.raceAdvisory)
            out.append("")
            for line in RunSummary.raceLines(race, stats).dropFirst() { out.append("- \(escape(line))") }
            out.append("")
        }
        if stats.hasVerdicts {
            var facts = [
                "**Agreement \(ReportFormat.percent(stats.agreement))** \(ReportFormat.interval(stats.agreement)) of \(stats.agreement.trials) judged case repeats (\(stats.judgedCases) cases)",
                "outcomes: \(RunSummary.outcomeText(stats))",
            ]
            if stats.consensusAccuracy.trials > 0 || stats.consensusUndecided > 0 {
                facts.append(
                    "consensus accuracy \(ReportFormat.percent(stats.consensusAccuracy)) \(ReportFormat.interval(stats.consensusAccuracy))"
                        + (stats.consensusUndecided > 0 ? " (\(stats.consensusUndecided) without a majority answer)" : ""))
            }
            if stats.spurious.trials > 0 {
                facts.append("spurious disagreements \(stats.spurious.successes) (\(ReportFormat.percent(stats.spurious)))")
            }
            facts.append("Krippendorff's α \(ReportFormat.decimal(content.analysis.alpha.value))")
            out.append(facts.joined(separator: " · "))
            if let odd = content.minorityBackend, (odd.minority.value ?? 0) > 0 {
                out.append("")
                out.append(
                    "**Odd one out:** \(escape(odd.name)) (\(escape(odd.quant.isEmpty ? odd.model : odd.quant))) is outside the majority in "
                        + "\(ReportFormat.percent(odd.minority.value)) of the repeats with a strict majority that it answered.")
            }
        }
        if !gate.failureLines.isEmpty {
            out.append("")
            for failure in gate.failureLines { out.append("- ❌ \(escape(failure))") }
        }
        out.append("")
        out.append("| backend | quant | with majority | ties | outside majority | stable | accuracy | p50 ms | TTFT p50 | tok/s | errors |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for b in stats.backends {
            let outside = b.minority.value.map { ReportFormat.percent($0) } ?? "–"
            let tokens = b.tokensPerSecond.map { String(format: "%.1f", $0) } ?? "–"
            out.append(
                "| \(escape(b.name))\(b.kind == .mock ? " (mock)" : "") | \(escape(b.quant.isEmpty ? "–" : b.quant)) | "
                    + "\(ReportFormat.percent(b.withMajority)) | \(b.ties) | \(outside) | \(ReportFormat.percent(b.repeatStability)) | "
                    + "\(ReportFormat.percent(b.accuracy)) | \(ReportFormat.ms(b.latencyP50)) | \(ReportFormat.ms(b.ttftP50)) | \(tokens) | \(b.errorCount) |"
            )
        }
        if stats.hasVerdicts {
            for (title, groups) in [("family", stats.perFamily), ("quant", stats.perQuant)] where groups.count > 1 {
                out.append("")
                out.append("| \(title) | disagreement | 95% CI |")
                out.append("|---|---:|---|")
                for g in groups.sorted(by: { ($0.withMajority.value ?? 1) < ($1.withMajority.value ?? 1) }) {
                    let ci = g.withMajority.wilson()
                    let interval =
                        g.withMajority.trials > 0 ? String(format: "%.1f–%.1f%%", (1 - ci.upper) * 100, (1 - ci.lower) * 100) : ""
                    out.append("| \(escape(g.key)) | \(g.withMajority.value.map { ReportFormat.percent(1 - $0) } ?? "–") | \(interval) |")
                }
            }
            // Disagreements come first in the concern order: the first few are kept, the rest counted.
            var disagreementCount = 0
            var disagreements: [CaseRepeatOutline] = []
            for outline in content.outlinesByConcern {
                guard let v = outline.verdict, v.disagreement, v.successes >= 2 else { continue }
                disagreementCount += 1
                if disagreements.count < maxCases { disagreements.append(outline) }
            }
            if disagreementCount > 0 {
                out.append("")
                out.append(
                    "<details><summary>\(disagreementCount) disagreeing case repeats (first \(min(maxCases, disagreementCount)))</summary>")
                out.append("")
                out.append("| case | agree | groups |")
                out.append("|---|---:|---|")
                for row in disagreements {
                    let v = row.verdict!
                    let name =
                        row.caseRecord.suite + "/" + row.caseRecord.caseID
                        + (row.caseRecord.repeats > 1 ? "#\(row.repeatIndex + 1)" : "")
                    out.append(
                        "| \(escape(name)) | \(v.agreementCount)/\(v.successes) | "
                            + "\(escape(v.groups.map { $0.joined(separator: "+") }.joined(separator: " / "))) |")
                }
                out.append("")
                out.append("</details>")
            }
        }
        out.append("")
        out += ModeAdviceReport.markdown(content.modes, escape: escape)
        out += loadBalancer(content, maxCases: maxCases)
        return out.joined(separator: "\n") + "\n"
    }

    /// ai-lb's own verdicts against ours: the count, and the first mismatches with what differs.
    static func loadBalancer(_ content: ReportContent, maxCases: Int) -> [String] {
        let compared = content.loadBalancerCompared
        guard compared > 0 else { return [] }
        let differing = content.loadBalancerDisagreements
        var out = [
            "",
            "**ai-lb's verdict against ours:** matched on \(compared - differing.count) of \(compared) case repeats"
                + (differing.isEmpty ? "." : ", **\(differing.count) mismatches**."),
        ]
        guard !differing.isEmpty else { return out }
        out.append("")
        out.append("| case | repeat | ai-lb | what differs |")
        out.append("|---|---:|---|---|")
        for item in differing.prefix(maxCases) {
            let v = item.verdicts
            out.append(
                "| \(escape(item.suite + "/" + item.caseID)) | \(v.repeatIndex + 1) | \(escape(v.backend)) | "
                    + "\(escape(v.differences.joined(separator: "; "))) |")
        }
        if differing.count > maxCases {
            out.append("")
            out.append("…and \(differing.count - maxCases) more (see lb_verdicts.csv).")
        }
        return out
    }

    /// Text safe inside Markdown and its tables: no HTML, no table breaks, no emphasis or links.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|", "\\", "`", "*", "_", "[", "]", "#": out += "\\\(ch)"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}
