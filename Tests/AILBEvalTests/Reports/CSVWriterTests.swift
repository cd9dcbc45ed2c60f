import Foundation
import Testing

@testable import AILBEval

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhatRFC4180Requires() {
        #expect(CSVWriter.escape("plain") == "plain")
        #expect(CSVWriter.escape("a,b") == "\"a,b\"")
        #expect(CSVWriter.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.escape("two\nlines") == "\"two\nlines\"")
        #expect(CSVWriter.escape("crlf\r\nend") == "\"crlf\r\nend\"")
        #expect(CSVWriter.escape("ünïcode") == "ünïcode")
    }

    @Test func writesHeaderAndRowsWithCRLFAndReplacesAtomically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.csv")
        try Data("old".utf8).write(to: url)
        let writer = try CSVWriter(url: url, header: ["a", "b"])
        try writer.writeRow(["1", nil])
        try writer.writeRow(["x,y", "z"])
        #expect(try String(contentsOf: url, encoding: .utf8) == "old")
        try writer.close()
        #expect(try String(contentsOf: url, encoding: .utf8) == "a,b\r\n1,\r\n\"x,y\",z\r\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["t.csv"])
    }

    @Test func threeDecimalsAreSpelledAsPrintfSpellsThem() {
        var generator = SeededGenerator(seed: 11)
        var values: [Double] = [
            0, -0.0, 0.0005, 0.0015, 0.0025, 1.0005, 2.675, 123.4565, -1.2345, 1e-9, -1e-9, 1e20, 9_999_999.9995, .pi,
        ]
        for _ in 0..<2000 {
            let magnitude = Double(generator.below(1_000_000)) / Double(1 + generator.below(1000))
            values.append(generator.below(2) == 0 ? magnitude : -magnitude)
            values.append(Double(generator.below(100_000)) / 2000)
        }
        for value in values {
            #expect(FixedDecimal.three(value) == String(format: "%.3f", value), "\(value)")
        }
    }

    @Test func aCellIsTheSameWhateverItsCharacters() {
        for field in ["", "ü,x", "é\"q\"", "-ünïcode", "=1", "1.5e-3", "+2", "-0.125", "1.", ".5", "e5", "1e", "💥\r\n"] {
            let quoted = field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            let formula = ["=", "+", "-", "@", "\t", "\r"].contains(field.unicodeScalars.first.map(String.init) ?? "")
            var expected = field
            if formula {
                expected = "\"'" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            } else if quoted {
                expected = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            #expect(CSVWriter.cell(field) == expected, "\(field)")
        }
        #expect(CSVWriter.cell("-0.125", numeric: true) == "-0.125")
        #expect(CSVWriter.cell("1.5e-3", numeric: true) == "1.5e-3")
        #expect(CSVWriter.cell("-1e", numeric: true) == "\"'-1e\"")
    }
}
