import Foundation

/// The end-of-run summary printed to the terminal: per backend, then agreement overall, per family
/// and per quantization.
package enum RunSummary {
    /// The summary text for a run.
    package static func render(_ report: RunReportData) -> String {
        let stats = report.statistics
        let run = report.run
        var out: [String] = []
        out.append(
            "Run \(run.id) · \(run.status.rawValue) · mode \(run.mode.rawValue) · profile \(stats.profile.rawValue) · "
                + "\(report.casesText) · \(stats.totalResponses) responses" + (run.runKey.map { " · run key \($0)" } ?? ""))
        out.append("")
        var backends = TextTable(
            header: [
                "backend", "model", "quant", "ok", "errors", "p50 ms", "p95 ms", "TTFT p50", "tok/s", "with majority",
                "plurality", "ties", "stable", "accuracy",
            ],
            rightAligned: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
        for b in stats.backends {
            let name = b.kind == .mock ? "\(b.name) (mock)" : b.name
            backends.add([
                name, b.model, b.quant.isEmpty ? "-" : b.quant, String(b.successes), errorText(b), ms(b.latencyP50),
                ms(b.latencyP95), ms(b.ttftP50), b.tokensPerSecond.map { String(format: "%.1f", $0) } ?? "-",
                percent(b.withMajority), percent(b.withPlurality), String(b.ties), percent(b.repeatStability),
                percent(b.accuracy),
            ])
        }
        out.append(backends.render())
        out.append("")
        if let race = stats.race {
            out += raceLines(race, stats)
            return out.joined(separator: "\n")
        }
        if run.mode == .sequence, let chain = answerTimeLine(stats.answerTime, mode: run.mode) { out.append(chain) }
        if let check = stats.fastestHeader { out.append(fastestHeaderLine(check)) }
        if !stats.hasVerdicts {
            out.append(
                "No case repeat has a verdict, so there is no agreement to report"
                    + " (`ailb-eval run --resume \(run.id)` judges the stored answers).")
            return out.joined(separator: "\n")
        }
        let a = stats.agreement
        out.append(
            "Agreement: \(a.successes)/\(a.trials) judged case repeats (\(stats.judgedCases) cases) agree = \(percent(a)) "
                + "\(interval(a)) over cases"
                + (stats.notComparable > 0 ? " · \(stats.notComparable) with fewer than 2 answers not judged" : ""))
        out.append("Outcomes: " + outcomeText(stats))
        if stats.consensusAccuracy.trials > 0 || stats.consensusUndecided > 0 {
            out.append(
                "Consensus accuracy: \(percent(stats.consensusAccuracy)) \(interval(stats.consensusAccuracy))"
                    + (stats.consensusUndecided > 0 ? " · \(stats.consensusUndecided) repeats without a majority answer" : ""))
        }
        if stats.spurious.trials > 0 {
            let causes = stats.spuriousCauses.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
            out.append(
                "Spurious disagreements (ailb disagrees, semantic agrees): \(stats.spurious.successes) = \(percent(stats.spurious))"
                    + (causes.isEmpty ? "" : " (\(causes.joined(separator: ", ")))"))
        }
        for (title, groups) in [("family", stats.perFamily), ("quant", stats.perQuant)] where !groups.isEmpty {
            out.append("")
            var table = TextTable(header: [title, "backends", "with majority", "95% CI"], rightAligned: [2])
            for g in groups.sorted(by: { ($0.withMajority.value ?? 1) < ($1.withMajority.value ?? 1) }) {
                table.add([g.key, g.backends.joined(separator: ", "), percent(g.withMajority), interval(g.withMajority)])
            }
            out.append(table.render())
        }
        return out.joined(separator: "\n")
    }

    /// "unanimous 20, majority 9, tie 4, no majority 1": every judged repeat by how its answers stood.
    package static func outcomeText(_ stats: RunStatistics) -> String {
        let parts = [CaseOutcome.unanimous, .majority, .tie, .noMajority].compactMap { outcome -> String? in
            guard let count = stats.outcomes[outcome], count > 0 else { return nil }
            return "\(outcome.rawValue.replacingOccurrences(of: "_", with: " ")) \(count)"
        }
        return parts.isEmpty ? "none judged" : parts.joined(separator: ", ")
    }

    static func errorText(_ b: BackendStatistics) -> String {
        guard b.errorCount > 0 else { return "0" }
        let parts = b.errors.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }
        return "\(b.errorCount) (\(parts.joined(separator: ", ")))"
    }

    static func ms(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }

    static func percent(_ p: Proportion) -> String {
        p.value.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
    }

    static func interval(_ p: Proportion) -> String {
        guard p.trials > 0 else { return "" }
        let ci = p.wilson()
        return String(format: "[%.1f–%.1f]", ci.lower * 100, ci.upper * 100)
    }

    /// The `ailb-eval runs` listing: per run, its answered requests (`ResultStore.answeredRequestCount`: a
    /// load balancer's answer is one request, however many of its members answered) out of those planned.
    /// Runs that are parts of a split run (`--shard`, `--run-key`) add the columns `shard` and `run key`.
    package static func renderRuns(_ runs: [RunRecord], answeredRequests: [Int64: Int]) -> String {
        let split = runs.contains { $0.shard != nil || $0.runKey != nil }
        var table = TextTable(
            header: ["run", "started", "status", "mode", "requests", "suites"] + (split ? ["shard", "run key"] : []),
            rightAligned: [0, 4])
        for run in runs {
            let suites = (try? JSONValue(parsing: run.suitesJSON))?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            table.add(
                [
                    String(run.id), String(run.startedAt.prefix(19)).replacingOccurrences(of: "T", with: " "),
                    run.status.rawValue, run.mode.rawValue, "\(answeredRequests[run.id] ?? 0)/\(run.plannedRequests)",
                    suites.joined(separator: ", "),
                ] + (split ? [run.shard.map(\.description) ?? "-", run.runKey ?? "-"] : []))
        }
        return table.render()
    }
}
