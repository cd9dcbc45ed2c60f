import AILBEval

extension ReportArguments {
    /// Writes the run in `format`; prints the paths written (or the document, for `--out -`).
    func run(format: ReportFileFormat) throws {
        let options = ReportWorkflow.Options(
            location: common.storedRuns, runReference: runReference, format: format, out: out, profile: profile,
            reference: reference, detailLimit: detailLimit)
        try ReportWorkflow.write(options, output: StandardStreams()).print()
    }
}
