import Foundation
import Testing

@testable import AILBEval

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct ReportFormatsTests {
    static func content(
        _ spec: SyntheticRun.Spec = SyntheticRun.Spec(backends: 3, cases: 30, payloads: true)
    )
        throws -> (ReportContent, ResultStore, String)
    {
        let path = SyntheticRun.temporaryPath()
        let (store, runID) = try SyntheticRun.make(path: path, spec: spec)
        let report = try RunReportData.load(store: store, runID: runID)
        return (try ReportContent.load(report: report, store: store), store, path)
    }

    @Test func jsonDocumentHoldsEveryStatisticAndEveryAnswerVerbatim() throws {
        let (content, _, path) = try Self.content()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let doc = try JSONValue(parsing: try JSONReport.render(content))
        #expect(doc["format"]?.stringValue == "ailb-eval-report")
        #expect(doc["agreement"]?["trials"]?.intValue == content.data.statistics.agreement.trials)
        #expect(doc["pairs"]?.arrayValue?.count == 3)
        #expect(doc["per_quant"]?.arrayValue?.count == 3)
        #expect(doc["krippendorff_alpha"]?["value"]?.numberValue == content.analysis.alpha.value)
        #expect(doc["flips"]?.arrayValue?.map { $0["reference"]?.stringValue } == ["b0-8bit", "b0-8bit"])
        #expect(doc["minority_backend"]?.stringValue == "macbook-4bit")
        let cases = doc["cases"]?.arrayValue ?? []
        #expect(cases.count == 30)
        let payloadAnswer = cases[4]["responses"]?.arrayValue?.first { $0["backend"]?.stringValue == "macbook-4bit" }
        #expect(payloadAnswer?["text"]?.stringValue == SyntheticRun.imagePayload + " " + SyntheticRun.scriptPayload)
    }

    @Test func junitIsWellFormedWithAFailurePerDisagreement() throws {
        let (content, _, path) = try Self.content()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let xml = try JUnitReport.render(content)
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        let disagreements = try content.rows.filter {
            guard let v = $0.ailb else { return false }
            return v.verdict.successes >= 2 && (v.verdict.disagreement || v.consensusCorrect == false)
        }.count
        #expect(xml.components(separatedBy: "<failure ").count - 1 == disagreements)
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 30)
        #expect(xml.contains("macbook-4bit [group 2, wrong]") || xml.contains("macbook-4bit [majority"))
        #expect(!xml.contains("<script>"))
    }

    @Test func markdownSummaryIsCompactAndEscapesNames() throws {
        let (content, _, path) = try Self.content()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let md = MarkdownReport.render(content)
        #expect(md.hasPrefix("## ailb-eval run 1 · tools · no gate configured"))
        #expect(md.contains("**Agreement "))
        #expect(md.contains("**Odd one out:** macbook-4bit (4bit)"))
        #expect(md.contains("| macbook-4bit (mock) | 4bit |"))
        #expect(!md.contains("<img") && !md.contains("<script"))
        #expect(md.split(separator: "\n").count < 60)
        #expect(MarkdownReport.escape("a|b<c>") == "a\\|b&lt;c&gt;")
    }

    @Test func csvFolderHasPairsFlipsAndGroupFiles() throws {
        let (content, store, path) = try Self.content()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try ReportWriter.write(.csv, content: content, store: store, to: directory)
        #expect(
            files.map { ($0 as NSString).lastPathComponent }
                == [
                    "responses.csv", "verdicts.csv", "backends.csv", "by_family.csv", "by_quant.csv", "by_suite.csv",
                    "by_tag.csv", "pairs.csv", "flips.csv", "lb_verdicts.csv", "modes.csv",
                ])
        let pairs = try String(contentsOfFile: "\(directory)/pairs.csv", encoding: .utf8).components(separatedBy: "\r\n")
        #expect(
            pairs[0]
                == "run_id,profile,backend_a,backend_b,both_answered,equivalent,agreement,ci95_low,ci95_high,cohen_kappa,spurious_splits")
        #expect(pairs.filter { !$0.isEmpty }.count == 4)
        #expect(pairs[1].hasPrefix("1,ailb,b0-8bit,macbook-4bit,"))
    }

    @Test func unknownReferenceIsAnErrorOnlyWhenTheUserAskedForIt() throws {
        let (content, store, path) = try Self.content()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ReportOptions(reference: "nope")
        #expect(
            try ReportContent.load(report: content.data, store: store, options: options).analysis.references["macbook-4bit"] == "b0-8bit")
        options.referenceMustExist = true
        #expect(throws: InputError.self) { try ReportContent.load(report: content.data, store: store, options: options) }
        options.reference = "macbook-4bit"
        let flips = try ReportContent.load(report: content.data, store: store, options: options).analysis.flips
        #expect(flips.map(\.backend) == ["b0-8bit", "b2-q4_k_m"])
        #expect(flips.allSatisfy { $0.reference == "macbook-4bit" })
    }

    @Test func writeHTMLWritesTheWholeFileAtomically() throws {
        let (content, store, path) = try Self.content()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("r-\(UUID().uuidString)/report.html").path
        defer { try? FileManager.default.removeItem(atPath: (target as NSString).deletingLastPathComponent) }
        try ReportWriter.writeHTML(report: content.data, store: store, to: target, options: ReportOptions())
        let html = try String(contentsOfFile: target, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    }
}
