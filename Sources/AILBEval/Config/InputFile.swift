import Foundation

/// Reads a config or suite file as text, turning every way the file itself can be wrong (missing, a
/// directory, too large, not UTF-8) into an `InputError` that names it, with a line where one makes sense.
enum InputFile {
    /// Files above this size are refused before parsing: a prompt suite is kilobytes, and a YAML tree of
    /// tens of megabytes costs seconds and gigabytes to compose.
    static let maxBytes = 8 << 20

    /// The text of the file at `path`; `what` names it in messages ("config file", "suite file").
    static func readText(path: String, what: String) throws(InputError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such \(what)")
        }
        let start = SourceLocation(file: path, line: 1, column: 1)
        if isDirectory.boolValue { throw InputError(at: start, "this is a directory; expected a YAML \(what)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maxBytes {
            // A suite of that size is generated: its cases fit a JSON Lines file, which has no limit.
            let advice = what == "suite file" ? "put its cases in a JSON Lines file: cases: {file: cases.jsonl}" : "split it up"
            throw InputError(
                at: start,
                "the \(what) is \(megabytes(size)) MiB; files over \(megabytes(maxBytes)) MiB are refused (\(advice))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(at: start, "cannot read the \(what)")
        }
        if data.count > maxBytes {
            throw InputError(at: start, "the \(what) is over \(megabytes(maxBytes)) MiB; files that large are refused")
        }
        return try decodeUTF8(data, file: path, what: what)
    }

    /// The bytes as UTF-8 text, or an error at the line and column of the first byte that is not UTF-8.
    static func decodeUTF8(_ data: Data, file: String, what: String) throws(InputError) -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        let bytes = [UInt8](data)
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length == 0 {
                // The column counts characters, as an editor shows them.
                let column = String(decoding: bytes[lineStart..<index], as: UTF8.self).count + 1
                let hex = String(format: "0x%02X", bytes[index])
                throw InputError(
                    at: SourceLocation(file: file, line: line, column: column),
                    "the \(what) is not valid UTF-8 (byte \(hex)); save it as UTF-8")
            }
            if bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += length
        }
        throw InputError(file: file, "the \(what) is not valid UTF-8")
    }

    /// The length of the well-formed UTF-8 sequence at `index` (RFC 3629), or 0 when there is none.
    static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let (length, low, high): (Int, UInt8, UInt8)
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
        case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
        case 0xED: (length, low, high) = (3, 0x80, 0x9F)
        case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
        case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
        case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
        default: return 0
        }
        guard index + length <= bytes.count, (low...high).contains(bytes[index + 1]) else { return 0 }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return 0 }
        return length
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / Double(1 << 20))
    }
}
