import Foundation

/// The mode advisor's table in each report format: the terminal, Markdown, JSON, CSV and HTML (the last three
/// in their own files). Every format says the same things: the rows, the Pareto front, the advice, or the one
/// sentence saying why a run has no table.
package enum ModeAdviceReport {
    /// The title every format gives the table.
    static let title = "What each ai-lb mode would have returned"

    /// What the table is, in one sentence: how many repeats were replayed and how the rows are scored.
    static func introduction(_ advice: ModeAdvice) -> String {
        let scoring: String
        switch advice.basis {
        case .accuracy?:
            scoring = "accuracy is over the repeats of cases with expect, a failure counting as wrong"
        case .agreement?:
            scoring = "no case has expect, so answers are compared by agreement with the consensus answer"
        case nil:
            scoring = "no case has expect and consensus never had a winner, so only speed and failures compare"
        }
        return "Replayed from the stored answers and latencies of \(advice.repeatCount) case repeat"
            + "\(advice.repeatCount == 1 ? "" : "s") (\(scoring); latency is the time until the answer, or the failure)."
    }

    /// "Pareto front (no other row is at least as fast and as accurate, and better at one): race, b0-8bit", or
    /// nil without one.
    static func frontLine(_ advice: ModeAdvice) -> String? {
        guard !advice.paretoFront.isEmpty else { return nil }
        let figure = advice.basis == .agreement ? "as often with consensus" : "as accurate"
        return "Pareto front (no other row is at least as fast and \(figure), and better at one): "
            + advice.paretoFront.map(\.displayName).joined(separator: ", ")
    }

    /// What the note column says of a row: on the front, and the backend it equals on every repeat.
    static func note(_ row: ModeRow, in advice: ModeAdvice) -> String {
        var parts: [String] = []
        if advice.isOnFront(row.mode) { parts.append("Pareto front") }
        if let same = row.sameAs { parts.append("= \(same) alone") }
        if row.mode.backend != nil && row.mode.backend == advice.reference { parts.append("reference") }
        return parts.joined(separator: "; ")
    }

    static func failureText(_ row: ModeRow) -> String {
        guard let rate = row.failureRate else { return "–" }
        return "\(ReportFormat.percent(rate)) (\(row.failures))"
    }

    /// The table for the terminal, with its introduction, front and advice; the one sentence for a race run.
    package static func text(_ advice: ModeAdvice) -> String {
        if let unavailable = advice.unavailable { return "\(title): \(unavailable)" }
        var lines = ["\(title). \(introduction(advice))"]
        var header = ["mode", "repeats", "accuracy", "95% CI", "with consensus", "p50 ms", "p95 ms", "failed"]
        if let reference = advice.reference { header += ["correct→wrong vs \(reference)", "wrong→correct"] }
        header.append("note")
        var table = TextTable(header: header, rightAligned: Set([1, 2, 4, 5, 6, 7] + (advice.reference == nil ? [] : [8, 9])))
        for row in advice.rows {
            var cells = [
                row.mode.displayName, String(row.repeats), ReportFormat.percent(row.accuracy), ReportFormat.interval(row.accuracy),
                ReportFormat.percent(row.agreement), ReportFormat.ms(row.latencyP50), ReportFormat.ms(row.latencyP95),
                failureText(row),
            ]
            if advice.reference != nil {
                cells += row.flips.map { [String($0.correctToWrong), String($0.wrongToCorrect)] } ?? ["–", "–"]
            }
            cells.append(note(row, in: advice))
            table.add(cells)
        }
        lines.append(table.render())
        if let front = frontLine(advice) { lines.append(front) }
        lines.append("Advice: \(advice.advice)")
        return lines.joined(separator: "\n")
    }

    /// The table as Markdown lines, names escaped with `escape`.
    static func markdown(_ advice: ModeAdvice, escape: (String) -> String) -> [String] {
        var out = ["### \(title)", ""]
        if let unavailable = advice.unavailable { return out + [escape(unavailable)] }
        out.append(escape(introduction(advice)))
        out.append("")
        let flipHeader = advice.reference.map { " ✓→✗ vs \(escape($0)) | ✗→✓ |" } ?? ""
        out.append("| mode | accuracy | 95% CI | with consensus | p50 ms | p95 ms | failed |\(flipHeader) note |")
        out.append("|---|---:|---|---:|---:|---:|---:|\(advice.reference == nil ? "" : "---:|---:|")---|")
        for row in advice.rows {
            let flips =
                advice.reference == nil
                ? "" : row.flips.map { " \($0.correctToWrong) | \($0.wrongToCorrect) |" } ?? " – | – |"
            let name = advice.isOnFront(row.mode) ? "**\(escape(row.mode.displayName))**" : escape(row.mode.displayName)
            out.append(
                "| \(name) | \(ReportFormat.percent(row.accuracy)) | \(ReportFormat.interval(row.accuracy)) | "
                    + "\(ReportFormat.percent(row.agreement)) | \(ReportFormat.ms(row.latencyP50)) | \(ReportFormat.ms(row.latencyP95)) | "
                    + "\(failureText(row)) |\(flips) \(escape(note(row, in: advice))) |")
        }
        out.append("")
        if let front = frontLine(advice) { out.append(escape(front)) }
        out.append("")
        out.append("**Advice:** \(escape(advice.advice))")
        return out
    }
}

extension RunSummary {
    /// The terminal summary of a loaded report: the run's summary, then the mode advisor's table.
    package static func render(_ content: ReportContent) -> String {
        render(content.data) + "\n\n" + ModeAdviceReport.text(content.modes)
    }
}
