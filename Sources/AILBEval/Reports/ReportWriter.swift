import Foundation

/// The formats a stored run can be written in.
package enum ReportFileFormat: String, Sendable, CaseIterable {
    /// One self-contained page.
    case html
    /// A folder of RFC 4180 files.
    case csv
    /// One document with every statistic and every case.
    case json
    /// JUnit XML: one testcase per case repeat, for CI test reporters.
    case junit
    /// A compact summary for a CI job summary.
    case markdown
    /// The terminal summary `run` prints at its end, with the mode advisor's table (standard output by default).
    case text

    /// The file name used when only a folder is given.
    package var defaultFileName: String {
        switch self {
        case .html: return "report.html"
        case .csv: return ""
        case .json: return "report.json"
        case .junit: return "junit.xml"
        case .markdown: return "summary.md"
        case .text: return "summary.txt"
        }
    }
}

/// Writes reports of stored runs. Every file is an `OutputFile`, written whole (temporary file, then
/// rename), so a reader never sees half a report.
package enum ReportWriter {
    /// Writes the HTML report of `report` to `path` (`reports/run-<id>/report.html` at the end of a run).
    /// `options` carries the config's reference backend and gates (`ReportOptions(config:)`).
    package static func writeHTML(
        report: RunReportData, store: some RunReader, to path: String, options: ReportOptions = ReportOptions()
    ) throws {
        try write(.html, content: ReportContent.load(report: report, store: store, options: options), store: store, to: path)
    }

    /// Writes `format` to `path` (a folder for csv, a file otherwise) and returns the paths written.
    @discardableResult
    package static func write(
        _ format: ReportFileFormat, content: ReportContent, store: some RunReader, to path: String
    )
        throws -> [String]
    {
        switch format {
        case .csv:
            return try CSVExport.write(content: content, store: store, to: path)
        case .html:
            // Streamed: the case list of a large run is tens of megabytes.
            let file = try OutputFile(path: path)
            try HTMLReport.write(content) { try file.write($0) }
            try file.commit()
        case .json:
            try OutputFile.write(JSONReport.render(content, rows: content.allRows()), to: path)
        case .junit:
            try OutputFile.write(JUnitReport.render(content, rows: content.allRows()), to: path)
        case .markdown:
            try OutputFile.write(MarkdownReport.render(content), to: path)
        case .text:
            try OutputFile.write(RunSummary.render(content) + "\n", to: path)
        }
        return [path]
    }

    /// The document of a single-file format; nil for csv, which is a folder of files.
    package static func render(_ format: ReportFileFormat, content: ReportContent) throws -> String? {
        switch format {
        case .html: return HTMLReport.render(content)
        case .json: return try JSONReport.render(content)
        case .junit: return try JUnitReport.render(content)
        case .markdown: return MarkdownReport.render(content)
        case .text: return RunSummary.render(content) + "\n"
        case .csv: return nil
        }
    }
}
