import Foundation
import Testing

@testable import AILBEval

/// The end of a run reads it once: statistics, analysis, mode table and outlines come from one pass over its
/// case repeats, the rows of the CSV files are written in that pass, and every format is written from it.
@Suite struct ReadOnceTests {
    /// How often each read of a `RunReader` was made.
    final class ReadCounts: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]

        func count(_ read: String) { lock.withLock { counts[read, default: 0] += 1 } }
        subscript(read: String) -> Int { lock.withLock { counts[read] ?? 0 } }
        /// The reads that walk every row of a run (responses, verdicts or case repeats).
        var passes: Int { self["forEachResponse"] + self["forEachVerdict"] + self["forEachCaseRepeat"] }
    }

    /// A reader that hands every read on to `inner` and counts it.
    struct CountingReader<Inner: RunReader>: RunReader {
        let inner: Inner
        let counts = ReadCounts()

        func run(_ reference: String) throws -> RunRecord { try inner.run(reference) }
        func backends(runID: Int64) throws -> [BackendRecord] { try inner.backends(runID: runID) }
        func cases(runID: Int64) throws -> [CaseRecord] {
            counts.count("cases")
            return try inner.cases(runID: runID)
        }
        func forEachCase(runID: Int64, detail: StoredCases.Detail, _ body: (CaseRecord) throws -> Void) throws {
            counts.count("forEachCase")
            try inner.forEachCase(runID: runID, detail: detail, body)
        }
        func cases(runID: Int64, positions: [Int]) throws -> [CaseRecord] {
            counts.count("casesByPosition")
            return try inner.cases(runID: runID, positions: positions)
        }
        func forEachResponse(runID: Int64, columns: ResponseColumns, _ body: (ResponseRecord) throws -> Void) throws {
            counts.count("forEachResponse")
            try inner.forEachResponse(runID: runID, columns: columns, body)
        }
        func forEachVerdict(runID: Int64, _ body: (VerdictRecord) throws -> Void) throws {
            counts.count("forEachVerdict")
            try inner.forEachVerdict(runID: runID, body)
        }
        func forEachCaseRepeat(runID: Int64, columns: ResponseColumns, _ body: (StoredCaseRepeat) throws -> Void) throws {
            counts.count("forEachCaseRepeat")
            try inner.forEachCaseRepeat(runID: runID, columns: columns, body)
        }
        func caseRepeats(runID: Int64, keys: [(casePosition: Int, repeatIndex: Int)]) throws -> [StoredCaseRepeat] {
            counts.count("caseRepeats")
            return try inner.caseRepeats(runID: runID, keys: keys)
        }
        func successfulRawBodies(runID: Int64, casePosition: Int, repeatIndex: Int) throws -> [String: String] {
            try inner.successfulRawBodies(runID: runID, casePosition: casePosition, repeatIndex: repeatIndex)
        }
        func races(runID: Int64) throws -> [RaceRecord] { try inner.races(runID: runID) }
        func responseHeaders(runID: Int64) throws -> [ResponseHeadersRecord] { try inner.responseHeaders(runID: runID) }
        func loadBalancerVerdictCounts(runID: Int64) throws -> (compared: Int, mismatches: Int) {
            counts.count("loadBalancerVerdictCounts")
            return try inner.loadBalancerVerdictCounts(runID: runID)
        }
        func forEachLoadBalancerVerdict(
            runID: Int64, onlyMismatches: Bool, _ body: (LoadBalancerDisagreement) throws -> Void
        ) throws {
            counts.count("forEachLoadBalancerVerdict")
            try inner.forEachLoadBalancerVerdict(runID: runID, onlyMismatches: onlyMismatches, body)
        }
    }

    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    @Test func theSummaryTheCSVFilesAndTheHTMLComeFromOnePassOverTheRun() throws {
        let path = SyntheticRun.temporaryPath("read-once")
        let directory = Self.scratch("read-once-out")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try? FileManager.default.removeItem(atPath: directory)
        }
        let (store, runID) = try SyntheticRun.make(path: path, spec: SyntheticRun.Spec(backends: 3, cases: 40, seed: 5))
        let reader = CountingReader(inner: store)
        let output = CapturedOutput()
        var results = ContinuingOutput(output)
        let (content, files) = try EvalWorkflow.writeReports(
            runID: runID, store: reader, config: EvalConfig(backends: []), directory: directory, retries: nil, results: &results)

        #expect(reader.counts.passes == 1)
        #expect(reader.counts["forEachCaseRepeat"] == 1)
        #expect(reader.counts["forEachCase"] == 1)
        #expect(reader.counts["loadBalancerVerdictCounts"] == 1)
        #expect(results.failure == nil)
        #expect(
            files.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() == [
                "backends.csv", "by_family.csv", "by_quant.csv", "by_suite.csv", "by_tag.csv", "flips.csv", "lb_verdicts.csv",
                "modes.csv", "pairs.csv", "responses.csv", "verdicts.csv",
            ])
        #expect(output.results.hasPrefix(RunSummary.render(content)))
        let html = try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8)
        #expect(html.contains("\(content.data.statistics.totalResponses) (\(content.data.statistics.totalSuccesses) ok)"))

        // The one computation is the one separate reads give.
        let separate = try RunReportData.load(store: store, runID: runID)
        #expect(content.data.statistics.backends == separate.statistics.backends)
        #expect(content.data.statistics.agreement == separate.statistics.agreement)
        #expect(content.data.statistics.answerTime == separate.statistics.answerTime)
        let twoPasses = try ReportContent.load(report: separate, store: store, options: ReportOptions(config: EvalConfig(backends: [])))
        for format in [ReportFileFormat.html, .markdown, .text, .json, .junit] {
            #expect(try ReportWriter.render(format, content: content) == ReportWriter.render(format, content: twoPasses))
        }
        // The rows streamed into the CSV files are every response and every verdict.
        func lines(_ file: String) throws -> Int {
            try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8).components(separatedBy: "\r\n")
                .filter { !$0.isEmpty }.count - 1
        }
        #expect(try lines("responses.csv") == separate.statistics.totalResponses)
        #expect(try lines("verdicts.csv") == store.verdicts(runID: runID).count)
    }

    @Test func aCSVFolderThatCannotBeMadeLeavesTheSummaryAndTheOtherFiles() throws {
        let path = SyntheticRun.temporaryPath("read-once-fail")
        let blocker = Self.scratch("read-once-blocker")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try? FileManager.default.removeItem(atPath: blocker)
        }
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: blocker))
        let (store, runID) = try SyntheticRun.make(path: path, spec: SyntheticRun.Spec(backends: 3, cases: 10))
        let output = CapturedOutput()
        var results = ContinuingOutput(output)
        let (content, files) = try EvalWorkflow.writeReports(
            runID: runID, store: store, config: EvalConfig(backends: []), directory: "\(blocker)/sub", retries: nil, results: &results)
        #expect(files.isEmpty)
        #expect(results.failure != nil)
        #expect(output.results.hasPrefix(RunSummary.render(content)))
        #expect(content.data.statistics.totalResponses == 30)
    }
}
