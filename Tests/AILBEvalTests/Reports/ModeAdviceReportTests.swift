import Foundation
import Testing

@testable import AILBEval

/// The mode advisor's table in the report formats, from runs held in memory.
@Suite struct ModeAdviceReportTests {
    static let spec = SyntheticRun.Spec(backends: 3, cases: 20)

    static func content(mode: RunMode = .consensus, reference: String? = nil) throws -> ReportContent {
        let (plain, _) = try SyntheticRun.inMemory(spec: spec)
        var record = try plain.run("1")
        record.mode = mode
        let (reader, runID) = try SyntheticRun.inMemory(spec: spec, record: record)
        return try ReportContent.load(
            report: RunReportData.load(store: reader, runID: runID), store: reader, options: ReportOptions(reference: reference))
    }

    @Test func theReportCarriesTheTableComputedFromItsOwnRows() throws {
        let content = try Self.content(reference: "b0-8bit")
        let rows = try content.rows
        var builder = ModeAdvice.Builder(runID: 1, mode: .consensus, backends: content.data.backends, reference: "b0-8bit")
        for row in rows { builder.add(row) }
        let direct = builder.build()
        #expect(content.modes.rows == direct.rows)
        #expect(content.modes.repeatCount == 20)
        #expect(content.modes.reference == "b0-8bit")
        // Each backend alone gives the accuracy the backends' table gives, apart from failures (wrong here).
        for b in content.data.statistics.backends {
            let row = try #require(content.modes.row(.backend(b.name)))
            #expect(row.accuracy.successes == b.accuracy.successes)
            #expect(row.accuracy.trials == b.accuracy.trials + row.failures)
        }
    }

    @Test func everyFormatShowsTheTableAndTheAdvice() throws {
        let content = try Self.content()
        let advice = content.modes.advice
        let text = RunSummary.render(content)
        #expect(text.contains("\nmode                  repeats  accuracy"))
        #expect(text.contains("Advice: \(advice)"))
        let markdown = MarkdownReport.render(content)
        #expect(markdown.contains("### What each ai-lb mode would have returned"))
        #expect(markdown.contains("| mode | accuracy | 95% CI | with consensus | p50 ms | p95 ms | failed | note |"))
        #expect(markdown.contains("**Advice:** \(MarkdownReport.escape(advice))"))
        let html = HTMLReport.render(content)
        #expect(html.contains("<section class=\"card\" id=\"modes\">"))
        #expect(html.contains("<svg class=\"mode-plot\""))
        #expect(html.components(separatedBy: "<circle class=\"point\"").count == 8)
        #expect(html.contains(HTML.escape(advice)))
        let json = try JSONReport.document(content)
        #expect(json["modes"]?["rows"]?.arrayValue?.count == 7)
        #expect(json["modes"]?["advice"]?.stringValue == advice)
    }

    @Test func aRaceRunGetsOneSentenceInEveryFormat() throws {
        let content = try Self.content(mode: .race)
        let sentence = try #require(content.modes.unavailable)
        #expect(content.modes.rows.isEmpty)
        #expect(RunSummary.render(content).hasSuffix("What each ai-lb mode would have returned: \(sentence)"))
        #expect(MarkdownReport.render(content).contains("\n\(MarkdownReport.escape(sentence))\n"))
        let html = HTMLReport.render(content)
        #expect(html.contains("<div class=\"callout neutral\">\(HTML.escape(sentence))</div>"))
        #expect(!html.contains("mode-plot"))
        #expect(try JSONReport.document(content)["modes"]?["unavailable"]?.stringValue == sentence)
    }

    @Test func namesInTheSectionAndThePlotAreEscaped() {
        let hostile = "<img src=x onerror=alert(1)>"
        let modes = AnsweringMode.modes + [.backend(hostile)]
        let rows = modes.map {
            ModeRow(mode: $0, repeats: 2, accuracy: Proportion(successes: 1, trials: 2), latencyP50: 10, sameAs: hostile)
        }
        let html = ModeAdviceReport.html(ModeAdvice(modes: modes, rows: rows, reference: hostile, repeatCount: 2)).markup
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test func theScatterPlotsEveryPointAndJoinsTheFrontInOrderOfX() {
        let points = [
            HTMLScatterPlot.Point(label: "slow", x: 100, y: 0.95, emphasised: false, onFront: true, caption: "s"),
            HTMLScatterPlot.Point(label: "fast", x: 10, y: 0.8, emphasised: true, onFront: true, caption: "f"),
            HTMLScatterPlot.Point(label: "worse", x: 50, y: 0.7, emphasised: true, onFront: false, caption: "w"),
        ]
        let svg = HTMLScatterPlot(
            points: points, xTitle: "p50 latency (ms)", yTitle: "accuracy", xFormat: { String(format: "%.0f", $0) },
            yFormat: { ReportFormat.percent($0, digits: 0) }
        )
        .render().markup
        #expect(svg.components(separatedBy: "<circle class=\"point\"").count == 4)
        #expect(svg.components(separatedBy: "<circle class=\"front-mark\"").count == 3)
        // x from 0 to 200 over 560 px from 64; y from 60% to 100% over 300 px from 14.
        #expect(svg.contains("<polyline class=\"front\" points=\"92.0,164.0 344.0,51.5\""))
        #expect(svg.contains(">60%</text>") && svg.contains(">100%</text>") && !svg.contains(">50%</text>"))
        #expect(HTMLScatterPlot.yRange([0.99, 1]) == (0.9, 0.05))
        #expect(HTMLScatterPlot.yRange([0.1]) == (0, 0.2))
    }
}
