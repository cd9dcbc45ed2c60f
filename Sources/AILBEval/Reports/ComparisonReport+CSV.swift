/// The CSV comparison, one row per change.
extension ComparisonReport {
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
}
