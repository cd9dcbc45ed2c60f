import Foundation
import Testing

@testable import AILBEval

@Suite struct AtomicFileTests {
    @Test func replacesWholeFilesAndLeavesNoTemporaryBehind() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/report.html").path
        try AtomicFile.write("first", to: path)
        try AtomicFile.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path) == ["report.html"])
    }

    @Test func aFailedWriteKeepsTheOldFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.txt").path
        try AtomicFile.write("keep", to: path)
        // A directory where the file should go makes rename(2) fail.
        let blocked = dir.appendingPathComponent("blocked").path
        try FileManager.default.createDirectory(atPath: blocked + "/inner", withIntermediateDirectories: true)
        #expect(throws: OutputError.self) { try AtomicFile.write("new", to: blocked) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
    }
}
