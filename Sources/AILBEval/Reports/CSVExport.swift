import Foundation

/// Writes a stored run as CSV files: `responses.csv`, `verdicts.csv`, `backends.csv`, `by_family.csv`,
/// `by_quant.csv`, `by_suite.csv`, `by_tag.csv`, `pairs.csv`, `flips.csv`, `lb_verdicts.csv` and `modes.csv`
/// (the mode advisor's table). Responses are streamed from the database for `responses.csv`.
package enum CSVExport {
    /// Writes the files into `directory` (created if needed) and returns their paths; the analysis behind
    /// the pair and flip files uses the defaults of `ReportOptions`. The run is read once: the rows of
    /// `responses.csv` and `verdicts.csv` are written as the statistics are computed.
    @discardableResult
    package static func write(
        report: RunReportData, store: some RunReader, to directory: String, options: ReportOptions = ReportOptions()
    ) throws -> [String] {
        // No case repeat is shown in full in CSV: none is read in full.
        var options = options
        options.maxDetailedCases = 0
        let rows = RowFiles(directory: directory, runID: report.run.id, backends: report.backends)
        let content = try ReportContent.load(
            store: store, runID: report.run.id, profile: report.statistics.profile, options: options,
            columns: RowFiles.columns, visit: rows.add)
        return try write(content: content, rows: rows, store: store)
    }

    /// Writes the files of a loaded report into `directory` and returns their paths, reading the rows of
    /// `responses.csv` and `verdicts.csv` from `store` (`write(content:rows:store:)` takes them as the run is read).
    @discardableResult
    package static func write(content: ReportContent, store: some RunReader, to directory: String) throws -> [String] {
        let rows = RowFiles(directory: directory, runID: content.data.run.id, backends: content.data.backends)
        let cases = content.data.cases
        try store.forEachCaseRepeat(runID: content.data.run.id, columns: RowFiles.columns) { stored in
            rows.add(stored, caseRecord: cases.index(ofPosition: stored.casePosition).map { cases[$0] })
        }
        return try write(content: content, rows: rows, store: store)
    }

    /// Finishes `rows` (written as the run was read) and writes the other files of `content` beside them;
    /// returns the paths. Throws the first write that failed.
    @discardableResult
    package static func write(content: ReportContent, rows: RowFiles, store: some RunReader) throws -> [String] {
        var paths = try rows.close()
        let report = content.data
        let dir = URL(fileURLWithPath: rows.directory, isDirectory: true)
        let runID = report.run.id
        func number(_ value: Double?) -> String? { value.map(FixedDecimal.three) }
        func flag(_ value: Bool?) -> String? { value.map { $0 ? "true" : "false" } }

        let backendsURL = dir.appendingPathComponent("backends.csv")
        let backends = try CSVWriter(
            url: backendsURL, numericColumns: numericColumns,
            header: [
                "run_id", "backend", "kind", "model", "family", "quant", "requests", "successes", "errors",
                "latency_p50_ms", "latency_p95_ms", "ttft_p50_ms", "ttft_p95_ms", "with_majority", "judged",
                "agreement_with_majority", "correct", "scored", "accuracy", "judged_cases", "with_majority_ci95_low",
                "with_majority_ci95_high", "ties", "in_minority", "strict_majority_repeats", "stable_cases",
                "repeated_cases", "prompt_tokens", "completion_tokens", "tokens_per_second", "ms_per_output_token",
                "with_plurality",
            ])
        for b in report.statistics.backends {
            let ci = b.withMajority.wilson()
            try backends.writeRow([
                String(runID), b.name, b.kind.rawValue, b.model, b.family, b.quant, String(b.requests),
                String(b.successes), String(b.errorCount), number(b.latencyP50), number(b.latencyP95),
                number(b.ttftP50), number(b.ttftP95), String(b.withMajority.successes), String(b.withMajority.trials),
                number(b.withMajority.value), String(b.accuracy.successes), String(b.accuracy.trials),
                number(b.accuracy.value), String(b.withMajority.clusters ?? 0),
                b.withMajority.trials > 0 ? number(ci.lower) : nil, b.withMajority.trials > 0 ? number(ci.upper) : nil,
                String(b.ties), String(b.minority.successes), String(b.minority.trials), String(b.repeatStability.successes),
                String(b.repeatStability.trials), String(b.promptTokens), String(b.completionTokens),
                number(b.tokensPerSecond), number(b.timePerOutputTokenMs), String(b.withPlurality.successes),
            ])
        }
        try backends.close()
        paths.append(backendsURL.path)

        for (file, groups) in [("by_family.csv", report.statistics.perFamily), ("by_quant.csv", report.statistics.perQuant)] {
            let url = dir.appendingPathComponent(file)
            let writer = try CSVWriter(
                url: url, numericColumns: numericColumns,
                header: ["run_id", "group", "backends", "with_majority", "judged", "agreement", "ci95_low", "ci95_high"])
            for g in groups {
                let ci = g.withMajority.wilson()
                try writer.writeRow([
                    String(runID), g.key, g.backends.joined(separator: ";"), String(g.withMajority.successes),
                    String(g.withMajority.trials), number(g.withMajority.value), number(ci.lower), number(ci.upper),
                ])
            }
            try writer.close()
            paths.append(url.path)
        }

        for (file, slices) in [("by_suite.csv", content.analysis.perSuite), ("by_tag.csv", content.analysis.perTag)] {
            let url = dir.appendingPathComponent(file)
            let writer = try CSVWriter(
                url: url, numericColumns: numericColumns,
                header: ["run_id", file == "by_suite.csv" ? "suite" : "tag", "agreeing", "judged", "agreement", "ci95_low", "ci95_high"])
            for s in slices {
                let ci = s.agreement.wilson()
                try writer.writeRow([
                    String(runID), s.key, String(s.agreement.successes), String(s.agreement.trials),
                    number(s.agreement.value), number(ci.lower), number(ci.upper),
                ])
            }
            try writer.close()
            paths.append(url.path)
        }

        let pairsURL = dir.appendingPathComponent("pairs.csv")
        let pairs = try CSVWriter(
            url: pairsURL, numericColumns: numericColumns,
            header: [
                "run_id", "profile", "backend_a", "backend_b", "both_answered", "equivalent", "agreement", "ci95_low",
                "ci95_high", "cohen_kappa", "spurious_splits",
            ])
        for p in content.analysis.pairs {
            let ci = p.agreement.wilson()
            try pairs.writeRow([
                String(runID), content.profile.rawValue, p.a, p.b, String(p.agreement.trials),
                String(p.agreement.successes), number(p.agreement.value), p.agreement.trials > 0 ? number(ci.lower) : nil,
                p.agreement.trials > 0 ? number(ci.upper) : nil, number(p.kappa), String(p.spuriousSplits),
            ])
        }
        try pairs.close()
        paths.append(pairsURL.path)

        let flipsURL = dir.appendingPathComponent("flips.csv")
        let flips = try CSVWriter(
            url: flipsURL, numericColumns: numericColumns,
            header: [
                "run_id", "backend", "reference", "both_correct", "correct_to_wrong", "wrong_to_correct", "both_wrong",
                "mcnemar_exact_p",
            ])
        for f in content.analysis.flips {
            try flips.writeRow([
                String(runID), f.backend, f.reference, String(f.bothCorrect), String(f.correctToWrong),
                String(f.wrongToCorrect), String(f.bothWrong), String(format: "%.6g", f.mcnemarP),
            ])
        }
        try flips.close()
        paths.append(flipsURL.path)

        // ai-lb's own verdicts beside ours, one row per compared case repeat (only a header without any).
        let lbURL = dir.appendingPathComponent("lb_verdicts.csv")
        let lb = try CSVWriter(
            url: lbURL,
            header: [
                "run_id", "suite", "case_id", "repeat", "backend", "matches", "differences", "lb_winner", "our_winner",
                "lb_agreement_count", "our_agreement_count", "lb_disagreement", "our_disagreement",
                "lb_comparison_type", "our_comparison_type", "x_disagreement", "lb_oracle", "lb_oracle_agreed",
                "our_successes", "our_winning_group", "our_groups",
            ])
        try store.forEachLoadBalancerVerdict(runID: runID, onlyMismatches: false) { item in
            let v = item.verdicts
            try lb.writeRow([
                String(runID), item.suite, item.caseID, String(v.repeatIndex + 1), v.backend, flag(v.matchesOurs),
                v.differences.joined(separator: "; "), v.winner, v.ours.winner, String(v.agreementCount),
                String(v.ours.agreementCount), flag(v.disagreement), flag(v.ours.disagreement), v.comparisonType,
                v.ours.comparisonType.rawValue, flag(v.xDisagreement), v.oracle, flag(v.oracleAgreed),
                String(v.ours.successes), v.ourWinningGroup.joined(separator: "+"),
                v.ours.groups.map { $0.joined(separator: "+") }.joined(separator: " | "),
            ])
        }
        try lb.close()
        paths.append(lbURL.path)

        let modesURL = dir.appendingPathComponent("modes.csv")
        try ModeAdviceReport.writeCSV(content.modes, runID: runID, to: modesURL)
        paths.append(modesURL.path)
        return paths
    }

    /// The columns that hold numbers the tool formats itself (a negative κ or a fall in agreement stays a number
    /// in a spreadsheet); every other cell is text and gets the formula guard of `CSVWriter`.
    static let numericColumns: Set<String> = [
        "run_id", "repeat", "http_status", "latency_ms", "ttft_ms", "prompt_tokens", "completion_tokens", "attempts",
        "agreement_count", "successes", "requests", "errors", "latency_p50_ms", "latency_p95_ms", "ttft_p50_ms",
        "ttft_p95_ms", "with_majority", "judged", "agreement_with_majority", "correct", "scored", "accuracy",
        "agreeing", "agreement", "ci95_low", "ci95_high", "both_answered", "equivalent", "cohen_kappa",
        "spurious_splits", "both_correct", "correct_to_wrong", "wrong_to_correct", "both_wrong", "mcnemar_exact_p",
        "judged_cases", "with_majority_ci95_low", "with_majority_ci95_high", "ties", "in_minority",
        "strict_majority_repeats", "stable_cases", "repeated_cases", "total_tokens", "tokens_per_second",
        "ms_per_output_token", "with_plurality",
    ]

    /// `responses.csv` and `verdicts.csv`, a row per response and per verdict, written a case repeat at a time
    /// as the run is read (`ReportContent.load(store:runID:profile:options:columns:visit:)`), so no response
    /// is kept. A write that fails is kept as `failure` and the rest of the rows are dropped (their temporary
    /// files removed), so that the reading, and the other reports, go on.
    package final class RowFiles {
        /// The columns the rows need: every one but the raw body.
        package static let columns = ResponseColumns.withoutRawBody

        /// The folder the files go into.
        package let directory: String
        let runID: Int64
        let backends: [String: BackendRecord]
        private var responses: CSVWriter?
        private var verdicts: CSVWriter?
        /// The first write that failed.
        package private(set) var failure: OutputError?

        /// Opens the two files in `directory` (created if needed) for the run `runID` of `backends`.
        package init(directory: String, runID: Int64, backends: [BackendRecord]) {
            self.directory = directory
            self.runID = runID
            self.backends = Dictionary(backends.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            do {
                try OutputDirectory.create(directory)
                let dir = URL(fileURLWithPath: directory, isDirectory: true)
                responses = try CSVWriter(
                    url: dir.appendingPathComponent("responses.csv"), numericColumns: numericColumns,
                    header: [
                        "run_id", "suite", "case_id", "repeat", "backend", "model", "family", "quant", "success",
                        "error_class", "error_message", "http_status", "latency_ms", "ttft_ms", "prompt_tokens",
                        "completion_tokens", "attempts", "text", "tool_calls", "finish_reason", "correct", "total_tokens",
                    ])
                verdicts = try CSVWriter(
                    url: dir.appendingPathComponent("verdicts.csv"), numericColumns: numericColumns,
                    header: [
                        "run_id", "suite", "case_id", "repeat", "profile", "comparison_type", "winner", "agreement_count",
                        "successes", "disagreement", "groups", "consensus_correct", "spurious_causes", "outcome",
                        "answer_groups", "consensus",
                    ])
            } catch {
                abandon(error)
            }
        }

        /// Writes the rows of one stored case repeat (its case nil when the run has no such case).
        package func add(_ stored: StoredCaseRepeat, caseRecord c: CaseRecord?) {
            guard let responses, let verdicts else { return }
            func number(_ value: Double?) -> String? { value.map(FixedDecimal.three) }
            func flag(_ value: Bool?) -> String? { value.map { $0 ? "true" : "false" } }
            let runID = String(self.runID)
            do {
                for r in stored.responses {
                    let b = backends[r.backend]
                    try responses.writeRow([
                        runID, c?.suite, c?.caseID, String(r.repeatIndex + 1), r.backend, b?.model, b?.family, b?.quant,
                        flag(r.success), r.errorClass?.rawValue, r.errorMessage, r.httpStatus.map(String.init),
                        number(r.latencyMs), number(r.ttftMs), r.promptTokens.map(String.init),
                        r.completionTokens.map(String.init), String(r.attempts), r.text, r.toolCalls, r.finishReason,
                        flag(r.correct), r.totalTokens.map(String.init),
                    ])
                }
                for v in [stored.ailb, stored.semantic].compactMap({ $0 }) {
                    try verdicts.writeRow([
                        runID, c?.suite, c?.caseID, String(v.repeatIndex + 1), v.profile.rawValue,
                        // ai-lb's winner of an all-failed repeat is its first backend: no answer won, so none is named.
                        v.verdict.comparisonType.rawValue, v.verdict.successes > 0 ? v.verdict.winner : nil,
                        String(v.verdict.agreementCount), String(v.verdict.successes), flag(v.verdict.disagreement),
                        v.verdict.groups.map { $0.joined(separator: "+") }.joined(separator: " | "),
                        flag(v.consensusCorrect), v.spuriousCauses.joined(separator: ";"), v.verdict.outcome.rawValue,
                        v.verdict.answerGroups.map { $0.joined(separator: "+") }.joined(separator: " | "), v.consensusLabel,
                    ])
                }
            } catch {
                abandon(error)
            }
        }

        /// Moves the two files into place and returns their paths; throws the first write that failed.
        func close() throws(OutputError) -> [String] {
            if let failure { throw failure }
            guard let responses, let verdicts else { return [] }
            try responses.close()
            try verdicts.close()
            return [responses.url.path, verdicts.url.path]
        }

        private func abandon(_ error: OutputError) {
            if failure == nil { failure = error }
            responses = nil
            verdicts = nil
        }
    }
}
