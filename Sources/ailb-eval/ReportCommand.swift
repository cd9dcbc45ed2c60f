import AILBEval
import ArgumentParser
import Foundation

/// Where and how a stored run is written, shared by `report` and `export`.
struct ReportArguments: ParsableArguments {
    @Argument(help: "A run id, or latest.")
    var runReference: String = "latest"

    @Option(help: "Output path: a folder for csv, a file otherwise ('-' for standard output). Default: <reports.dir of the run>/run-<id>/.")
    var out: String?

    @Option(help: "Profile for verdicts and statistics: ailb or semantic (default: the run's).")
    var profile: EquivalenceProfile?

    @Option(help: "Backend to measure flips against (default: the run's reports.reference, else the highest-precision quant of each family).")
    var reference: String?

    @Option(help: "Case repeats shown with every answer in the HTML report (the rest get one line each).")
    var detailLimit: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let detailLimit, detailLimit < 0 { throw ValidationError("--detail-limit must be 0 or more") }
    }

    /// Loads the run and writes it in `format`; prints the paths written (or the document, for `--out -`).
    func write(_ format: ReportFileFormat) throws {
        let store = try common.openStoredRuns()
        let record = try store.run(runReference)
        let report = try RunReportData.load(store: store, runID: record.id, profile: profile)
        // The reference, the gate and the report folder are the run's own: no config file is read for them.
        let settings = StoredReportSettings(run: record)
        var options = ReportOptions(settings: settings)
        if let reference {
            options.reference = reference
            options.referenceMustExist = true
        }
        if let detailLimit { options.maxDetailedCases = detailLimit }
        let content = try ReportContent.load(report: report, store: store, options: options)
        if out == "-" {
            guard let document = try ReportWriter.render(format, content: content) else {
                throw ValidationError("--out - needs a single-file format (html, json, junit, markdown), not csv")
            }
            try store.finishReading()
            try StandardOutput.write(document)
            return
        }
        let folder = "\(settings.reportsDir)/run-\(record.id)"
        var path = out ?? (format == .csv ? folder : "\(folder)/\(format.defaultFileName)")
        var isDirectory: ObjCBool = false
        if format != .csv, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path = "\(path)/\(format.defaultFileName)"
        }
        let written = try ReportWriter.write(format, content: content, store: store, to: path)
        try store.finishReading()
        for file in written { try StandardOutput.line(file) }
    }
}

extension ReportFileFormat: ExpressibleByArgument {}

/// `ailb-eval report RUN --format html|csv|json|junit|markdown --out PATH`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a stored run's report: HTML, CSV, JSON, JUnit XML or Markdown.",
        discussion: """
            Examples:
              ailb-eval report latest                              reports/run-<id>/report.html
              ailb-eval report 3 --format csv --out out/           responses, verdicts, backends, by_*, pairs, flips
              ailb-eval report latest --format junit --out junit.xml
              ailb-eval report latest --format markdown --out - >> "$GITHUB_STEP_SUMMARY"
            The HTML file is self-contained (no network) and is also written at the end of every run.
            """)

    @Option(help: "Output format.")
    var format: ReportFileFormat = .html

    @OptionGroup var arguments: ReportArguments

    func run() throws { try arguments.write(format) }
}
