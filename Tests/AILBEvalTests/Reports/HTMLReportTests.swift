import Foundation
import Testing

@testable import AILBEval

@Suite struct HTMLEscapingTests {
    @Test func interpolatedStringsAreEscapedAndLiteralsAreNot() {
        let hostile = "<script>alert('x')</script> & \"quoted\""
        let fragment: HTML = "<td title=\"\(hostile)\">\(hostile)</td>"
        #expect(
            fragment.markup
                == "<td title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;\">"
                + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;</td>")
        let optional: String? = "<b>"
        let nested: HTML = "<p>\(fragment)\(optional)\(3)\(0.25, digits: 2)</p>"
        #expect(nested.markup.hasSuffix("&lt;b&gt;30.25</p>"))
    }

    @Test func textDiffSplitsIntoSameRemovedAndAdded() {
        let pieces = TextDiff.pieces(from: "The capital is Paris.", to: "The capital is probably Paris!")
        #expect(pieces == [.same("The capital is "), .added("probably "), .same("Paris"), .removed("."), .added("!")])
        #expect(TextDiff.pieces(from: "abc", to: "abc") == [.same("abc")])
        #expect(TextDiff.pieces(from: "", to: "x") == [.added("x")])
    }
}

@Suite struct HTMLReportTests {
    static func content(_ spec: SyntheticRun.Spec, options: ReportOptions = ReportOptions()) throws -> (ReportContent, String) {
        let path = SyntheticRun.temporaryPath()
        let (store, runID) = try SyntheticRun.make(path: path, spec: spec)
        let report = try RunReportData.load(store: store, runID: runID)
        return (try ReportContent.load(report: report, store: store, options: options), path)
    }

    @Test func payloadsInAnswersPromptsTagsAndNamesRenderAsText() throws {
        let (content, path) = try Self.content(SyntheticRun.Spec(backends: 3, cases: 12, payloads: true))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let html = HTMLReport.render(content)
        // The report's own script is the only script element; no payload opens an element of its own.
        #expect(html.components(separatedBy: "<script").count == 2)
        #expect(!html.contains("<img"))
        #expect(!html.contains("<svg onload"))
        #expect(!html.contains("\"><svg"))
        #expect(html.contains("&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;script&#39;)&lt;/script&gt;"))
        #expect(html.contains("&lt;img src=x onerror=&quot;document.body.setAttribute"))
        #expect(html.contains("&lt;/pre&gt;&lt;script&gt;"))
        // Filter data: JSON inside an attribute, escaped.
        #expect(html.contains("data-tags=\"[&quot;tools&quot;,&quot;easy&quot;,&quot;\\&quot;&gt;&lt;svg onload=\\&quot;"))
    }

    @Test func showsTheOddOneOutTheSectionsAndMarksMocks() throws {
        let (content, path) = try Self.content(SyntheticRun.Spec(backends: 3, cases: 60))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(content.minorityBackend?.name == "macbook-4bit")
        let html = HTMLReport.render(content)
        for heading in [
            "The answer at a glance", "Disagreement rate per family and per quantization", "Pairwise agreement",
            "Accuracy against", "Latency and time to first token", "Cases, disagreements first",
        ] {
            #expect(html.contains(heading), "\(heading)")
        }
        #expect(html.contains("<b>macbook-4bit</b> (4bit, mock) is most often in the minority"))
        #expect(html.contains("mock (simulated)"))
        #expect(html.contains("Krippendorff"))
        #expect(html.contains("McNemar"))
        #expect(!html.contains("http://") && !html.contains("https://"), "nothing may be fetched")
    }

    @Test func caseDetailIsCappedAndTextIsClipped() throws {
        var options = ReportOptions()
        options.maxDetailedCases = 5
        options.maxTextCharacters = 10
        let (content, path) = try Self.content(SyntheticRun.Spec(backends: 3, cases: 40), options: options)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let html = HTMLReport.render(content)
        #expect(html.components(separatedBy: "<article class=\"case brief").count - 1 == 35)
        #expect(html.contains("the other 35 are listed on one line each"))
        #expect(html.contains("more characters (full text in the JSON report and the database)"))
        // Disagreements come first, so the detailed ones are disagreements when there are enough of them.
        let firstBrief = html.range(of: "<article class=\"case brief")!.lowerBound
        let disagreeing = try content.rows.filter {
            $0.ailb?.verdict.disagreement == true && ($0.ailb?.verdict.successes ?? 0) >= 2
        }.count
        #expect(html[..<firstBrief].components(separatedBy: "<article class=\"case dis\"").count - 1 == min(5, disagreeing))
    }

    @Test func toolCallArgumentsThatDifferFromTheWinnerAreMarked() {
        let winner = #"[{"arguments":{"city":"Paris","unit":"celsius"},"name":"get_weather"}]"#
        let other = #"[{"arguments":{"city":"Paris","unit":"fahrenheit"},"name":"get_weather"}]"#
        let html = HTMLReport.toolCalls(other, against: winner).markup
        #expect(html.contains("<mark>&quot;unit&quot;: &quot;fahrenheit&quot;</mark>"))
        #expect(html.contains("\n  &quot;city&quot;: &quot;Paris&quot;,"))
        let renamed = HTMLReport.toolCalls(#"[{"arguments":{},"name":"search_web"}]"#, against: winner).markup
        #expect(renamed.contains("<mark class=\"fn\">search_web</mark>"))
        #expect(renamed.contains("(no &quot;city&quot;)") == false)
        #expect(!HTMLReport.toolCalls(winner, against: nil).markup.contains("<mark"))
    }
}
