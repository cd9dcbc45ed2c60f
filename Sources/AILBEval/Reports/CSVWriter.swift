import Foundation

/// Writes RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled.
/// Rows stream to a temporary file that replaces the target only when complete.
public final class CSVWriter {
    let handle: FileHandle
    let temporaryURL: URL
    let finalURL: URL
    var buffer = ""

    /// Starts a CSV file at `url` with the given header row.
    public init(url: URL, header: [String]) throws {
        finalURL = url
        temporaryURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        FileManager.default.createFile(atPath: temporaryURL.path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: temporaryURL.path) else {
            throw StoreError(message: "\(url.path): cannot write")
        }
        self.handle = handle
        writeRow(header)
    }

    /// Appends one row.
    public func writeRow(_ fields: [String?]) {
        var first = true
        for field in fields {
            if !first { buffer += "," }
            first = false
            buffer += Self.escape(field ?? "")
        }
        buffer += "\r\n"
        if buffer.utf8.count >= 1 << 16 { flushBuffer() }
    }

    func flushBuffer() {
        handle.write(Data(buffer.utf8))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Finishes the file and moves it into place.
    public func close() throws {
        flushBuffer()
        try handle.close()
        // rename(2) replaces the target atomically: a reader sees the old file or the new one, never half.
        guard rename(temporaryURL.path, finalURL.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporaryURL)
            throw StoreError(message: "\(finalURL.path): cannot write: \(reason)")
        }
    }

    /// One field, quoted when RFC 4180 requires it.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
