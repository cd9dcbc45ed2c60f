import Foundation

/// What a workflow that writes a document produced: the document itself, for standard output (`--out -`),
/// or the files it wrote.
package enum WrittenDocument: Sendable, Equatable {
    /// The document, to be printed as it is.
    case document(String)
    /// The paths written, one per line when printed.
    case files([String])
}

/// `ailb-eval report` and `export`: a stored run written as HTML, CSV, JSON, JUnit XML, Markdown or text.
package enum ReportWorkflow {
    /// Which run, and how and where it is written.
    package struct Options: Sendable {
        package var location: StoredRunsLocation
        /// A run id, or `latest`.
        package var runReference: String
        package var format: ReportFileFormat
        /// A folder for CSV, a file otherwise, `-` for standard output; nil: `<reports.dir of the run>/run-<id>/`,
        /// or standard output for text.
        package var out: String?
        /// nil: the run's own profile.
        package var profile: EquivalenceProfile?
        /// The backend to measure flips against; nil: the run's `reports.reference`, else each family's best quant.
        package var reference: String?
        /// Case repeats shown with every answer in the HTML report; nil: the default.
        package var detailLimit: Int?

        package init(
            location: StoredRunsLocation, runReference: String = "latest", format: ReportFileFormat, out: String? = nil,
            profile: EquivalenceProfile? = nil, reference: String? = nil, detailLimit: Int? = nil
        ) {
            self.location = location
            self.runReference = runReference
            self.format = format
            self.out = out
            self.profile = profile
            self.reference = reference
            self.detailLimit = detailLimit
        }
    }

    /// Loads the run and writes it. The reference, the gate and the report folder are the run's own: no
    /// config file is read for them.
    package static func write(_ options: Options, output: some WorkflowOutput) throws -> WrittenDocument {
        let store = try options.location.open(output: output)
        let record = try store.run(options.runReference)
        let settings = StoredReportSettings(run: record)
        var reportOptions = ReportOptions(settings: settings)
        if let reference = options.reference {
            reportOptions.reference = reference
            reportOptions.referenceMustExist = true
        }
        if let detailLimit = options.detailLimit { reportOptions.maxDetailedCases = detailLimit }
        let format = options.format
        if options.out == "-" || (options.out == nil && format == .text) {
            guard format != .csv else {
                throw UsageError("--out - needs a single-file format (html, json, junit, markdown, text), not csv")
            }
            let content = try ReportContent.load(
                store: store, runID: record.id, profile: options.profile, options: reportOptions)
            let document = try ReportWriter.render(format, content: content) ?? ""
            try store.finishReading()
            return .document(document)
        }
        let folder = "\(settings.reportsDir)/run-\(record.id)"
        var path = options.out ?? (format == .csv ? folder : "\(folder)/\(format.defaultFileName)")
        var isDirectory: ObjCBool = false
        if format != .csv, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path = "\(path)/\(format.defaultFileName)"
        }
        let written: [String]
        if format == .csv {
            // The run read once, the rows of the response and verdict files written as it is read.
            reportOptions.maxDetailedCases = 0
            let rows = CSVExport.RowFiles(directory: path, runID: record.id, backends: try store.backends(runID: record.id))
            let content = try ReportContent.load(
                store: store, runID: record.id, profile: options.profile, options: reportOptions,
                columns: CSVExport.RowFiles.columns, visit: rows.add)
            written = try CSVExport.write(content: content, rows: rows, store: store)
        } else {
            let content = try ReportContent.load(
                store: store, runID: record.id, profile: options.profile, options: reportOptions)
            written = try ReportWriter.write(format, content: content, store: store, to: path)
        }
        try store.finishReading()
        return .files(written)
    }
}
