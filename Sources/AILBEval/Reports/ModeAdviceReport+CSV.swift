import Foundation

/// The mode advisor's table as `modes.csv`.
extension ModeAdviceReport {
    static let csvHeader = [
        "run_id", "mode", "kind", "repeats", "failures", "failure_rate", "correct", "scored", "accuracy",
        "accuracy_ci95_low", "accuracy_ci95_high", "agreeing", "with_consensus_winner", "agreement",
        "agreement_ci95_low", "agreement_ci95_high", "latency_p50_ms", "latency_p95_ms", "pareto_front", "same_as",
        "reference", "both_correct", "correct_to_wrong", "wrong_to_correct", "both_wrong", "mcnemar_exact_p", "note",
    ]

    static let csvNumericColumns: Set<String> = [
        "run_id", "repeats", "failures", "failure_rate", "correct", "scored", "accuracy", "accuracy_ci95_low",
        "accuracy_ci95_high", "agreeing", "with_consensus_winner", "agreement", "agreement_ci95_low", "agreement_ci95_high",
        "latency_p50_ms", "latency_p95_ms", "both_correct", "correct_to_wrong", "wrong_to_correct", "both_wrong",
        "mcnemar_exact_p",
    ]

    /// One row per mode and backend alone, in the table's order, rates as fractions; for a run that cannot be
    /// replayed, one row whose `note` says why (the only use of `note`).
    static func writeCSV(_ advice: ModeAdvice, runID: Int64, to url: URL) throws(OutputError) {
        let writer = try CSVWriter(url: url, numericColumns: csvNumericColumns, header: csvHeader)
        func number(_ value: Double?) -> String? { value.map { String(format: "%.3f", $0) } }
        func bounds(_ p: Proportion) -> [String?] {
            guard p.trials > 0 else { return [nil, nil] }
            let ci = p.wilson()
            return [number(ci.lower), number(ci.upper)]
        }
        if let unavailable = advice.unavailable {
            try writer.writeRow([String(runID)] + Array(repeating: nil, count: csvHeader.count - 2) + [unavailable])
            try writer.close()
            return
        }
        for row in advice.rows {
            let flips = row.flips
            var cells: [String?] = [String(runID), row.mode.key, row.mode.backend == nil ? "mode" : "backend"]
            cells += [String(row.repeats), String(row.failures), number(row.failureRate)]
            cells += [String(row.accuracy.successes), String(row.accuracy.trials), number(row.accuracy.value)]
            cells += bounds(row.accuracy)
            cells += [String(row.agreement.successes), String(row.agreement.trials), number(row.agreement.value)]
            cells += bounds(row.agreement)
            cells += [number(row.latencyP50), number(row.latencyP95), advice.isOnFront(row.mode) ? "true" : "false", row.sameAs]
            cells += [flips?.reference, flips.map { String($0.bothCorrect) }, flips.map { String($0.correctToWrong) }]
            cells += [flips.map { String($0.wrongToCorrect) }, flips.map { String($0.bothWrong) }]
            cells += [flips.map { String(format: "%.6g", $0.mcnemarP) }, nil]
            try writer.writeRow(cells)
        }
        try writer.close()
    }
}
