import Foundation

/// `ailb-eval compare`: what changed between two stored runs, judged under one profile.
package enum CompareWorkflow {
    /// The two runs, how the comparison is written, and whether it is a gate.
    package struct Options: Sendable {
        package var location: StoredRunsLocation
        /// The earlier run: an id, or `latest`.
        package var runA: String
        /// The later run: an id, or `latest`.
        package var runB: String
        package var format: ComparisonReport.Format
        /// The file to write; nil or `-`: the document is returned for standard output. CSV also writes the mode
        /// advisor's tables side by side beside it (`modesCSVPath`).
        package var out: String?
        /// The profile for both runs; nil: RUN_B's.
        package var profile: EquivalenceProfile?
        /// Fail on a regression beyond `tolerance`, or when no case repeat was judged in both runs.
        package var failOnRegression: Bool
        /// The allowed drop, as a fraction.
        package var tolerance: Double
        /// Changed case repeats listed in text and markdown output.
        package var maxCases: Int

        package init(
            location: StoredRunsLocation, runA: String, runB: String = "latest", format: ComparisonReport.Format = .text,
            out: String? = nil, profile: EquivalenceProfile? = nil, failOnRegression: Bool = false,
            tolerance: Double = 0, maxCases: Int = 50
        ) {
            self.location = location
            self.runA = runA
            self.runB = runB
            self.format = format
            self.out = out
            self.profile = profile
            self.failOnRegression = failOnRegression
            self.tolerance = tolerance
            self.maxCases = maxCases
        }
    }

    /// The comparison as written, and the regression gate's verdict.
    package struct Result: Sendable {
        /// The document for standard output, or the file written.
        package var written: WrittenDocument
        /// Why `--fail-on-regression` fails; nil when it passed or was not asked for.
        package var regressionFailure: RegressionGateFailed?
    }

    /// Compares the runs and writes the comparison to `options.out`, if named. A regression gate over two
    /// runs that share nothing is a mistake in the command: it throws `InputError` and writes nothing.
    package static func run(_ options: Options, output: some WorkflowOutput) throws -> Result {
        let store = try options.location.open(output: output)
        let recordB = try store.run(options.runB)
        let recordA = try store.run(options.runA)
        let chosen = options.profile ?? recordB.profile
        var reportOptions = ReportOptions(settings: StoredReportSettings(run: recordB))
        reportOptions.bootstrapIterations = 0
        // Each run read once; with the requests its cases sent, to tell a case asked differently.
        let a = try ReportContent.load(
            store: store, runID: recordA.id, profile: chosen, options: reportOptions, cases: .all)
        let b = try ReportContent.load(
            store: store, runID: recordB.id, profile: chosen, options: reportOptions, cases: .all)
        let comparison = try RunComparison.compute(a, b)
        if options.failOnRegression, let nothing = comparison.nothingComparable {
            try store.finishReading()
            throw InputError("--fail-on-regression: nothing to compare: \(nothing)")
        }
        let document = ComparisonReport.render(
            comparison, format: options.format, tolerance: options.tolerance, maxCases: options.maxCases)
        try store.finishReading()
        let written: WrittenDocument
        if let out = options.out, out != "-" {
            try OutputFile.write(document, to: out)
            var paths = [out]
            if options.format == .csv {
                // A CSV holds one table: the modes side by side go to a file of their own beside it.
                paths.append(modesCSVPath(out))
                try OutputFile.write(ComparisonReport.modesCSV(comparison), to: paths[1])
            }
            written = .files(paths)
        } else {
            written = .document(document)
        }
        return Result(written: written, regressionFailure: regressionFailure(comparison, options))
    }

    /// Where the CSV of the modes side by side goes beside the comparison's CSV at `path`: `x.csv` → `x-modes.csv`.
    static func modesCSVPath(_ path: String) -> String {
        (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + "-modes.csv"
    }

    /// Why the regression gate fails, if asked for and it does.
    static func regressionFailure(_ comparison: RunComparison, _ options: Options) -> RegressionGateFailed? {
        guard options.failOnRegression else { return nil }
        if let none = comparison.regressionGateNoData { return .notCompared(none) }
        let regressions = comparison.regressions(tolerance: options.tolerance)
        return regressions.isEmpty ? nil : .regressions(regressions)
    }
}
