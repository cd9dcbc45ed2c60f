import Foundation
import Testing

@testable import AILBEval

/// Reports read a run through `RunReader`: one held in memory renders without a database, and exactly as
/// the same run stored in SQLite.
@Suite struct RunReaderTests {
    static let spec = SyntheticRun.Spec(backends: 3, cases: 24, payloads: true, seed: 7)

    @Test func aRunInMemoryRendersEveryFormatWithoutADatabase() throws {
        let (reader, runID) = try SyntheticRun.inMemory(spec: Self.spec)
        let report = try RunReportData.load(store: reader, runID: runID)
        #expect(report.statistics.totalResponses == 24 * 3)
        let content = try ReportContent.load(report: report, store: reader)
        let json = try JSONValue(parsing: try #require(try ReportWriter.render(.json, content: content)))
        #expect(json["cases"]?.arrayValue?.count == 24)
        #expect(json["minority_backend"]?.stringValue == "macbook-4bit")
        let html = try #require(try ReportWriter.render(.html, content: content))
        #expect(html.contains("macbook-4bit"))
        #expect(!html.contains(SyntheticRun.scriptPayload))
        #expect(try ReportWriter.render(.markdown, content: content)?.isEmpty == false)
    }

    @Test func aRunInMemoryAndTheSameRunInSQLiteGiveTheSameDocuments() throws {
        let path = SyntheticRun.temporaryPath("reader")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let (store, storedID) = try SyntheticRun.make(path: path, spec: Self.spec)
        let (reader, runID) = try SyntheticRun.inMemory(spec: Self.spec, record: try store.run(String(storedID)))
        let stored = try ReportContent.load(report: RunReportData.load(store: store, runID: storedID), store: store)
        let held = try ReportContent.load(report: RunReportData.load(store: reader, runID: runID), store: reader)
        for format in [ReportFileFormat.json, .junit, .markdown, .html, .text] {
            let (a, b) = (try ReportWriter.render(format, content: stored), try ReportWriter.render(format, content: held))
            #expect(a != nil && a == b, "\(format)")
        }
        let comparisons = try [stored, held].map {
            ComparisonReport.render(try RunComparison.compute($0, $0), format: .json, tolerance: 0.02)
        }
        #expect(comparisons[0] == comparisons[1])

        let folders = [UUID(), UUID()].map { FileManager.default.temporaryDirectory.appendingPathComponent("csv-\($0)").path }
        defer { for folder in folders { try? FileManager.default.removeItem(atPath: folder) } }
        let storedFiles = try ReportWriter.write(.csv, content: stored, store: store, to: folders[0])
        let heldFiles = try ReportWriter.write(.csv, content: held, store: reader, to: folders[1])
        #expect(storedFiles.count == 11)
        #expect(storedFiles.map { ($0 as NSString).lastPathComponent } == heldFiles.map { ($0 as NSString).lastPathComponent })
        for (a, b) in zip(storedFiles, heldFiles) {
            #expect(try String(contentsOfFile: a, encoding: .utf8) == String(contentsOfFile: b, encoding: .utf8), "\(a)")
        }
    }
}
