import Foundation
import Testing

@testable import AILBEval

@Suite struct OutputFileTests {
    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("output-file-\(UUID().uuidString)")
    }

    @Test func theParentOfAFolderIsReadWithoutFoundation() {
        #expect(PathText.folder(of: "r") == "")
        #expect(PathText.folder(of: "csv") == "")
        #expect(PathText.folder(of: "a/b") == "a")
        #expect(PathText.folder(of: "a/b/") == "a")
        #expect(PathText.folder(of: "a//b") == "a")
        #expect(PathText.folder(of: "/a") == "/")
        #expect(PathText.folder(of: "/") == "/")
        #expect(PathText.folder(of: "/x/y/z") == "/x/y")
    }

    @Test func replacesWholeFilesAndLeavesNoTemporaryBehind() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/report.html").path
        try OutputFile.write("first", to: path)
        try OutputFile.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path) == ["report.html"])
    }

    @Test func aFailedWriteKeepsTheOldFile() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.txt").path
        try OutputFile.write("keep", to: path)
        // A directory where the file should go makes rename(2) fail.
        let blocked = dir.appendingPathComponent("blocked").path
        try FileManager.default.createDirectory(atPath: blocked + "/inner", withIntermediateDirectories: true)
        #expect(throws: OutputError.self) { try OutputFile.write("new", to: blocked) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
    }

    @Test func piecesLargerThanAChunkArriveWholeWithTheAskedPermissions() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.csv").path
        let file = try OutputFile(path: path, permissions: 0o640)
        var expected = ""
        for index in 0..<(3 * OutputFile.chunkSize / 100) {
            let line = "\(index)," + String(repeating: "x", count: 90) + "\r\n"
            expected += line
            try file.write(line)
        }
        // Nothing is in place before the commit; only the temporary file beside it.
        #expect(!FileManager.default.fileExists(atPath: path))
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["big.csv"])
    }

    @Test func aFileThatIsNeverCommittedLeavesNothing() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("half.html").path
        do {
            let file = try OutputFile(path: path)
            try file.write("<html>")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func aFolderThatCannotBeMadeIsAnOutputErrorNamingTheTarget() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A file where a folder must go fails even for root, unlike permissions.
        let blocker = dir.appendingPathComponent("blocker").path
        try OutputFile.write("a file", to: blocker)
        let target = blocker + "/sub/x.html"
        let error = #expect(throws: OutputError.self) { try OutputFile.write("x", to: target) }
        #expect(error?.path == target)
        #expect(error?.description.contains("Not a directory") == true, "\(String(describing: error))")
    }
}
