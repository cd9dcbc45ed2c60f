import Foundation
import Testing

@testable import AILBEval

/// Size and generation time of the HTML report for 50,000 stored responses (10 backends × 5,000 cases).
/// A measurement, not a check of speed: it runs only with AILB_REPORT_BENCHMARK=1 (scripts/report-benchmark,
/// in release mode) and prints its numbers; the one assertion is the 20 MB ceiling the report promises.
@Suite struct ReportBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["AILB_REPORT_BENCHMARK"] == "1"

    @Test(.enabled(if: enabled, "set AILB_REPORT_BENCHMARK=1 (scripts/report-benchmark) to measure"))
    func reportOfFiftyThousandResponses() throws {
        let path = SyntheticRun.temporaryPath("benchmark")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let clock = ContinuousClock()
        var store: ResultStore!
        var runID: Int64 = 0
        let building = try clock.measure {
            (store, runID) = try SyntheticRun.make(path: path, spec: SyntheticRun.Spec(backends: 10, cases: 5000))
        }
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("benchmark-\(UUID().uuidString).html").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        var responses = 0
        let loading = try clock.measure {
            let report = try RunReportData.load(store: store, runID: runID)
            responses = report.statistics.totalResponses
            try ReportWriter.writeHTML(report: report, store: store, to: target)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        let json = try clock.measure {
            let content = try ReportContent.load(report: RunReportData.load(store: store, runID: runID), store: store)
            _ = try JSONReport.render(content)
        }
        print(
            String(
                format: "report benchmark: %d responses; database built in %.1f s; HTML report %.2f MB written in %.2f s "
                    + "(load, statistics with 1000 bootstrap resamples, render, write); JSON report in %.2f s",
                responses, seconds(building), Double(size) / 1_048_576, seconds(loading), seconds(json)))
        #expect(responses == 50_000)
        #expect(size < 20 * 1_048_576)
    }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
