import Foundation

/// The mode advisor's section of the HTML report: the advice, the table and the plot of accuracy against
/// p50 latency with its Pareto front.
extension ModeAdviceReport {
    static func html(_ advice: ModeAdvice) -> HTML {
        var out: HTML = "<section class=\"card\" id=\"modes\"><h2>\(title)</h2>\n"
        if let unavailable = advice.unavailable {
            out += "<div class=\"callout neutral\">\(unavailable)</div></section>\n"
            return out
        }
        out += """
            <p class="sub">\(introduction(advice)) Race: the fastest success (config order on a tie). Failover: the \
            first success in config order, after the time of every failed attempt before it. Consensus: ai-lb's \
            winner, once the slowest answer is in.</p>
            <div class="callout neutral"><b>Advice:</b> \(advice.advice)</div>
            \(table(advice))
            """
        if let plot = plot(advice) {
            out += "<h3>\(figureName(advice)) against p50 latency</h3>\n\(plot)\n"
            out += """
                <p class="note">Blue: the modes; grey: each backend alone. Ringed and joined: the Pareto front — no \
                other row is at least as fast and \(advice.basis == .agreement ? "as often with consensus" : "as accurate"), \
                and better at one.</p>

                """
        }
        out += "</section>\n"
        return out
    }

    /// "Accuracy", or "Agreement with consensus" without `expect`.
    static func figureName(_ advice: ModeAdvice) -> String {
        advice.basis == .agreement ? "Agreement with consensus" : "Accuracy"
    }

    static func table(_ advice: ModeAdvice) -> HTML {
        var out: HTML = """
            <table class="modes"><thead><tr><th>mode</th><th class="num">repeats</th><th>accuracy [95% CI]</th>\
            <th class="num">with consensus</th><th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">failed</th>
            """
        if let reference = advice.reference {
            out += "<th class=\"num\">✓→✗ vs \(reference)</th><th class=\"num\">✗→✓</th><th class=\"num\">McNemar p</th>"
        }
        out += "<th>note</th></tr></thead><tbody>\n"
        for row in advice.rows {
            let name: HTML = row.mode.backend == nil ? "<b>\(row.mode.displayName)</b>" : "\(row.mode.displayName)"
            let front: HTML = advice.isOnFront(row.mode) ? " <span class=\"badge b-ok\">Pareto front</span>" : ""
            out += """
                <tr data-mode="\(row.mode.key)"><td>\(name)</td><td class="num">\(row.repeats)</td>\
                <td class="ci">\(ReportFormat.percent(row.accuracy)) <span class="sub">\(ReportFormat.interval(row.accuracy))</span></td>\
                <td class="num">\(ReportFormat.percent(row.agreement))</td><td class="num">\(ReportFormat.ms(row.latencyP50))</td>\
                <td class="num">\(ReportFormat.ms(row.latencyP95))</td><td class="num\(row.failures > 0 ? " err" : "")">\(failureText(row))</td>
                """
            if advice.reference != nil {
                if let f = row.flips {
                    out += """
                        <td class="num">\(f.correctToWrong)</td><td class="num">\(f.wrongToCorrect)</td>\
                        <td class="num">\(ReportFormat.pValue(f.mcnemarP))</td>
                        """
                } else {
                    out += "<td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td>"
                }
            }
            var notes: [String] = []
            if let same = row.sameAs { notes.append("= \(same) alone") }
            if row.mode.backend != nil && row.mode.backend == advice.reference { notes.append("reference") }
            out += "<td>\(notes.joined(separator: "; "))\(front)</td></tr>\n"
        }
        out += "</tbody></table>\n"
        return out
    }

    /// The plot, or nil when no row has both a p50 latency and a figure to plot.
    static func plot(_ advice: ModeAdvice) -> HTML? {
        guard let basis = advice.basis else { return nil }
        let points = advice.rows.compactMap { row -> HTMLScatterPlot.Point? in
            guard let x = row.latencyP50, let y = row.figure(basis).value else { return nil }
            return HTMLScatterPlot.Point(
                label: row.mode.displayName, x: x, y: y, emphasised: row.mode.backend == nil,
                onFront: advice.isOnFront(row.mode),
                caption: "\(row.mode.displayName): \(ReportFormat.percent(y)) at \(ReportFormat.ms(x)) ms p50")
        }
        guard !points.isEmpty else { return nil }
        return HTMLScatterPlot(
            points: points, xTitle: "p50 latency (ms)", yTitle: figureName(advice).lowercased(),
            xFormat: { String(format: "%.0f", $0) }, yFormat: { ReportFormat.percent($0, digits: 0) }
        )
        .render()
    }
}
