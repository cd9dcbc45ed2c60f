extension ModeAdvice.Builder {
    /// A builder for the run of `report`, with flips against `reference`.
    init(report: RunReportData, reference: String?) {
        self.init(runID: report.run.id, mode: report.run.mode, backends: report.backends, reference: reference)
    }

    /// Adds one stored case repeat (its responses need only the `.outline` columns).
    mutating func add(_ row: CaseRepeatRow) {
        add(
            casePosition: row.caseRecord.position, hasExpect: row.caseRecord.expectJSON != nil,
            answers: row.responses.map(ReplayedAnswer.init),
            ailb: row.ailb?.verdict, semantic: row.semantic?.verdict)
    }
}

extension ModeAdvice {
    /// The advice for the run of `report`, read from `store` one case repeat at a time (for a caller without a
    /// `ReportContent`, which carries it already).
    package static func load(store: some RunReader, report: RunReportData, reference: String? = nil) throws -> ModeAdvice {
        var builder = Builder(report: report, reference: reference)
        guard report.run.mode != .race else { return builder.build() }
        try CaseRepeatRow.forEach(
            store: store, runID: report.run.id, backends: report.backends, cases: report.cases, columns: .outline
        ) { builder.add($0) }
        return builder.build()
    }
}

extension ReplayedAnswer {
    /// A stored response as the replay needs it.
    init(_ response: ResponseRecord) {
        self.init(
            backend: response.backend, success: response.success, latencyMs: response.latencyMs, correct: response.correct,
            loadBalancerSuccess: response.success
                || LoadBalancerVote.passesOn(
                    errorClass: response.errorClass, httpStatus: response.httpStatus, errorMessage: response.errorMessage)
        )
    }
}
