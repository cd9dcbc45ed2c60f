import Foundation
import Yams

/// A JSON Lines file of cases (`cases: {file: big.jsonl}`), read a line at a time: a file of any size is
/// never in memory at once, nor is any tree but that of the line being read. There is no size limit.
///
/// Each line that is not blank holds one JSON object. It becomes a YAML node tree (`JSONNodeTree`), so its
/// case is decoded and checked exactly as a case written in the suite itself, and every message names the
/// file, the line and the column.
enum JSONLinesFile {
    /// Bytes read from the file at a time.
    static let readSize = 1 << 20

    /// Calls `body` with the node tree of each non-blank line and a reader that places its positions in the
    /// file, and feeds every byte of the file to `hasher`. Returns the number of lines passed to `body`.
    /// `what` names the file in messages ("case file").
    @discardableResult
    static func forEachLine(
        path: String, what: String, hasher: inout SHA256.Hasher,
        _ body: (Node, YAMLReader) throws(InputError) -> Void
    ) throws(InputError) -> Int {
        let start = SourceLocation(file: path, line: 1, column: 1)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such \(what)")
        }
        if isDirectory.boolValue { throw InputError(at: start, "this is a directory; expected a JSON Lines \(what)") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(at: start, "cannot read the \(what)")
        }
        defer { try? handle.close() }

        var lines = 0
        var lineNumber = 0
        var pending: [UInt8] = []
        func take(_ line: ArraySlice<UInt8>) throws(InputError) {
            lineNumber += 1
            var line = line
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            if line.last == 0x0D { line = line.dropLast() }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            let bytes = Array(line)
            try checkUTF8(bytes, file: path, line: lineNumber, what: what)
            var reader = YAMLReader(file: path, environment: nil)
            reader.linePlacement = JSONLinePlacement(line: lineNumber, bytes: bytes)
            try body(try reader.root(ofJSONLine: bytes), reader)
            lines += 1
        }
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: readSize)
            } catch {
                throw InputError(file: path, "cannot read the \(what): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(chunk)
            pending.append(contentsOf: chunk)
            var lineStart = 0
            while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                try take(pending[lineStart..<newline])
                lineStart = newline + 1
            }
            pending.removeFirst(lineStart)
        }
        if !pending.isEmpty { try take(pending[...]) }
        return lines
    }

    /// An error at the first byte of `bytes` that is not UTF-8, if any.
    static func checkUTF8(_ bytes: [UInt8], file: String, line: Int, what: String) throws(InputError) {
        guard bytes.contains(where: { $0 >= 0x80 }), String(validating: bytes, as: UTF8.self) == nil else { return }
        var index = 0
        while index < bytes.count {
            let length = InputFile.validSequenceLength(bytes, at: index)
            if length == 0 { break }
            index += length
        }
        let column = String(decoding: bytes[..<index], as: UTF8.self).unicodeScalars.count + 1
        throw InputError(
            at: SourceLocation(file: file, line: line, column: column),
            "the \(what) is not valid UTF-8 (byte \(String(format: "0x%02X", bytes[index]))); save it as UTF-8")
    }
}
