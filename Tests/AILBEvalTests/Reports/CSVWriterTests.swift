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
}
