import Foundation
import Testing

@testable import AILBEval

/// A text cell that a spreadsheet would run as a formula is written as text: a leading `'`, and quoted
/// (OWASP CSV injection). Numbers the tool writes itself stay numbers.
@Suite struct CSVInjectionTests {
    @Test func textCellsStartingLikeAFormulaGetAQuote() {
        #expect(CSVWriter.cell("=1+1") == "\"'=1+1\"")
        #expect(CSVWriter.cell("+1") == "\"'+1\"")
        #expect(CSVWriter.cell("-1") == "\"'-1\"")
        #expect(CSVWriter.cell("@SUM(A1:A9)") == "\"'@SUM(A1:A9)\"")
        #expect(CSVWriter.cell("\t=1") == "\"'\t=1\"")
        #expect(CSVWriter.cell("\r=1") == "\"'\r=1\"")
        #expect(CSVWriter.cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")
        #expect(CSVWriter.cell("a=1") == "a=1")
        #expect(CSVWriter.cell("") == "")
        #expect(CSVWriter.cell("x,y") == "\"x,y\"")
    }

    @Test func numbersInNumericColumnsStayNumbers() {
        #expect(CSVWriter.cell("-0.125", numeric: true) == "-0.125")
        #expect(CSVWriter.cell("-3", numeric: true) == "-3")
        #expect(CSVWriter.cell("+1.5e-3", numeric: true) == "+1.5e-3")
        #expect(CSVWriter.cell("0.5", numeric: true) == "0.5")
        // A numeric column still guards what is not a plain number.
        #expect(CSVWriter.cell("-1+cmd|' /C calc'!A0", numeric: true) == "\"'-1+cmd|' /C calc'!A0\"")
        #expect(CSVWriter.cell("-inf", numeric: true) == "\"'-inf\"")
        #expect(CSVWriter.cell("-", numeric: true) == "\"'-\"")
        #expect(CSVExport.numericColumns.isSuperset(of: ["cohen_kappa", "latency_ms", "agreement", "ci95_low", "mcnemar_exact_p"]))
        #expect(!CSVExport.numericColumns.contains("text"))
    }

    @Test func aWriterGuardsTextColumnsAndLeavesNumericOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.csv")
        let writer = try CSVWriter(url: url, numericColumns: ["kappa"], header: ["name", "kappa"])
        try writer.writeRow(["-minus", "-0.25"])
        try writer.writeRow(["@at", nil])
        try writer.close()
        #expect(try String(contentsOf: url, encoding: .utf8) == "name,kappa\r\n\"'-minus\",-0.25\r\n\"'@at\",\r\n")
    }

    /// RFC 4180 rows of `text`.
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\r" {
                continue
            } else if c == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        return rows
    }

    @Test func everyExportedFileIsSafeToOpenInASpreadsheet() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: a, kind: mock, model: "=m", quant: "+8bit", mock: {seed: 1}}
                  - {name: b, kind: mock, model: "=m", quant: "-4bit", mock: {seed: 2}}

                """)
        defer { cli.remove() }
        try Data(
            """
            name: "=suite"
            cases:
              - id: "@SUM(1+1)*cmd|' /C calc'!A0"
                prompt: Give the formula.
                tools: []
                expect: {text: "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"}
                tags: ["+tag", "-tag"]
              - id: "-minus"
                prompt: Give a tab.
                tools: []
                expect: {text: "\\t=1+1"}
                tags: ["=tag"]

            """.utf8
        ).write(to: URL(fileURLWithPath: cli.path("formulas.yaml")))
        let run = try await cli.runDetached(["formulas.yaml", "--quiet", "--out", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        let compare = try await cli.runDetached(["compare", "1", "1", "--format", "csv", "--out", "csv/compare.csv"])
        #expect(compare.status == 0, "\(compare.stderr)")

        let files = try FileManager.default.contentsOfDirectory(atPath: cli.path("csv")).filter { $0.hasSuffix(".csv") }
        // The run's eleven files, the comparison and the comparison's modes side by side.
        #expect(files.count == 13)
        var checked = 0
        for file in files {
            let rows = Self.parse(try String(contentsOfFile: cli.path("csv/\(file)"), encoding: .utf8))
            guard let header = rows.first else { continue }
            for row in rows.dropFirst() {
                for (index, cell) in row.enumerated() {
                    let column = index < header.count ? header[index] : "?"
                    checked += 1
                    if CSVExport.numericColumns.contains(column) && CSVWriter.isPlainNumber(cell) { continue }
                    #expect(!CSVWriter.startsLikeFormula(cell), "\(file) \(column): \(cell)")
                }
            }
        }
        #expect(checked > 100)
        let responses = Self.parse(try String(contentsOfFile: cli.path("csv/responses.csv"), encoding: .utf8))
        let text = responses[0].firstIndex(of: "text")!
        #expect(responses.dropFirst().contains { $0[text] == "'=HYPERLINK(\"http://evil.example\",\"click\")" })
        #expect(responses.dropFirst().contains { $0[text] == "'\t=1+1" })
        let suite = responses[0].firstIndex(of: "suite")!
        #expect(responses.dropFirst().allSatisfy { $0[suite] == "'=suite" })
    }
}
