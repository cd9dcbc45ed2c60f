import Foundation

/// The two runs' mode advisor tables side by side, in each comparison format. Each table is over its own
/// run's case repeats: these are two tables next to each other, not paired figures.
extension ComparisonReport {
    /// Every row key of either run with its row in each: the modes, then run B's backends, then run A's others.
    static func modeRows(_ c: RunComparison) -> [(mode: AnsweringMode, a: ModeRow?, b: ModeRow?)] {
        let (a, b) = (c.modesA, c.modesB)
        var modes: [AnsweringMode] = []
        for mode in AnsweringMode.modes + (b?.modes ?? []) + (a?.modes ?? []) where !modes.contains(mode) {
            modes.append(mode)
        }
        return modes.map { ($0, a?.row($0), b?.row($0)) }
    }

    /// One line per run: its advice, or the sentence saying why it has no table.
    static func modeAdviceLines(_ c: RunComparison) -> [String] {
        [(c.runA, c.modesA), (c.runB, c.modesB)].compactMap { id, advice in
            guard let advice else { return nil }
            if let unavailable = advice.unavailable { return unavailable }
            let front =
                advice.paretoFront.isEmpty ? "" : " (Pareto front: \(advice.paretoFront.map(\.displayName).joined(separator: ", ")))"
            return "Advice for run \(id)\(front): \(advice.advice)"
        }
    }

    static func modesText(_ c: RunComparison) -> [String] {
        guard c.modesA != nil || c.modesB != nil else { return [] }
        let (a, b) = (String(c.runA), String(c.runB))
        var table = TextTable(
            header: [
                "mode", "accuracy \(a)", "accuracy \(b)", "with consensus \(a)", "with consensus \(b)", "p50 ms \(a)",
                "p50 ms \(b)", "p95 ms \(a)", "p95 ms \(b)", "failed \(a)", "failed \(b)",
            ],
            rightAligned: Set(1...10))
        for (mode, rowA, rowB) in modeRows(c) {
            table.add(
                [mode.displayName] + [rowA, rowB].map { ReportFormat.percent($0?.accuracy.value) }
                    + [rowA, rowB].map { ReportFormat.percent($0?.agreement.value) }
                    + [rowA, rowB].map { ReportFormat.ms($0?.latencyP50) } + [rowA, rowB].map { ReportFormat.ms($0?.latencyP95) }
                    + [rowA, rowB].map { ReportFormat.percent($0?.failureRate) })
        }
        return ["\(ModeAdviceReport.title), run \(a) and run \(b) side by side (each over its own case repeats):", table.render()]
            + modeAdviceLines(c)
    }

    static func modesMarkdown(_ c: RunComparison) -> [String] {
        guard c.modesA != nil || c.modesB != nil else { return [] }
        let e = MarkdownReport.escape
        let (a, b) = (c.runA, c.runB)
        var out = [
            "### \(ModeAdviceReport.title): run \(a) and run \(b)", "",
            "| mode | accuracy \(a) | accuracy \(b) | with consensus \(a) | with consensus \(b) | p50 ms \(a) | p50 ms \(b) | failed \(a) | failed \(b) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for (mode, rowA, rowB) in modeRows(c) {
            let cells =
                [rowA, rowB].map { ReportFormat.percent($0?.accuracy.value) }
                + [rowA, rowB].map { ReportFormat.percent($0?.agreement.value) }
                + [rowA, rowB].map { ReportFormat.ms($0?.latencyP50) } + [rowA, rowB].map { ReportFormat.percent($0?.failureRate) }
            out.append("| \(e(mode.displayName)) | " + cells.joined(separator: " | ") + " |")
        }
        out.append("")
        for line in modeAdviceLines(c) { out.append("- \(e(line))") }
        return out
    }

    static func modesJSON(_ c: RunComparison) -> JSONValue {
        [
            "run_a": c.modesA.map(ModeAdviceReport.json) ?? .null,
            "run_b": c.modesB.map(ModeAdviceReport.json) ?? .null,
        ]
    }

    static func modesHTML(_ c: RunComparison) -> HTML {
        guard c.modesA != nil || c.modesB != nil else { return "" }
        var out: HTML = """
            <section class="card" id="modes"><h2>\(ModeAdviceReport.title)</h2>
            <p class="sub">Each run's table over its own case repeats, side by side.</p><div class="two">

            """
        for (id, advice) in [(c.runA, c.modesA), (c.runB, c.modesB)] {
            out += "<div><h3>Run \(Int(id))</h3>\n"
            if let advice, let unavailable = advice.unavailable {
                out += "<div class=\"callout neutral\">\(unavailable)</div>"
            } else if let advice {
                out += "<div class=\"callout neutral\"><b>Advice:</b> \(advice.advice)</div>\n\(ModeAdviceReport.table(advice))"
            }
            out += "</div>\n"
        }
        out += "</div></section>\n"
        return out
    }

    /// The side-by-side table as its own CSV document (the comparison's CSV holds one row per change): per
    /// row key, each run's figures; a run without a table has its sentence in its `note`.
    package static func modesCSV(_ c: RunComparison) -> String {
        var header = ["run_a", "run_b", "mode", "kind"]
        let figures = [
            "repeats", "accuracy", "accuracy_ci95_low", "accuracy_ci95_high", "agreement", "latency_p50_ms", "latency_p95_ms",
            "failure_rate", "pareto_front", "same_as", "note",
        ]
        header += figures.map { "\($0)_a" } + figures.map { "\($0)_b" }
        func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "" }
        func cells(_ row: ModeRow?, _ advice: ModeAdvice?) -> [String] {
            guard let row, let advice else {
                return Array(repeating: "", count: figures.count - 1) + [advice?.unavailable ?? ""]
            }
            let ci = row.accuracy.trials > 0 ? row.accuracy.wilson() : nil
            return [
                String(row.repeats), number(row.accuracy.value), number(ci?.lower), number(ci?.upper), number(row.agreement.value),
                number(row.latencyP50), number(row.latencyP95), number(row.failureRate), advice.isOnFront(row.mode) ? "true" : "false",
                row.sameAs ?? "", "",
            ]
        }
        // Numbers the tool formats stay numbers; every other cell gets the formula guard.
        let textFigures: Set<String> = ["mode", "kind", "pareto_front", "same_as", "note"]
        let numeric = header.map { name in
            !textFigures.contains(name.replacingOccurrences(of: #"_[ab]$"#, with: "", options: .regularExpression))
        }
        var lines = [header.joined(separator: ",")]
        for (mode, rowA, rowB) in modeRows(c) {
            let row =
                [String(c.runA), String(c.runB), mode.key, mode.backend == nil ? "mode" : "backend"]
                + cells(rowA, c.modesA) + cells(rowB, c.modesB)
            lines.append(row.enumerated().map { CSVWriter.cell($1, numeric: numeric[$0]) }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
