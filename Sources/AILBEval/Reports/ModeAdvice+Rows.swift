extension ModeAdvice.Builder {
    /// A builder for the run of `report`, with flips against `reference`.
    init(report: RunReportData, reference: String?) {
        self.init(runID: report.run.id, mode: report.run.mode, backends: report.backends, reference: reference)
    }

    /// Adds one stored case repeat (its responses need only the `.outline` columns).
    mutating func add(_ row: CaseRepeatRow) {
        add(
            casePosition: row.caseRecord.position, hasExpect: row.caseRecord.expectJSON != nil,
            answers: row.responses.map {
                ReplayedAnswer(backend: $0.backend, success: $0.success, latencyMs: $0.latencyMs, correct: $0.correct)
            },
            ailb: row.ailb?.verdict, semantic: row.semantic?.verdict)
    }
}

extension ModeAdvice {
    /// The advice for the run of `report`, read from `store` one case repeat at a time (for a caller without a
    /// `ReportContent`, which carries it already).
    public static func load(store: some RunReader, report: RunReportData, reference: String? = nil) throws -> ModeAdvice {
        var builder = Builder(report: report, reference: reference)
        guard report.run.mode != .race else { return builder.build() }
        try CaseRepeatRow.forEach(
            store: store, runID: report.run.id, backends: report.backends, cases: report.cases, columns: .outline
        ) { builder.add($0) }
        return builder.build()
    }
}
