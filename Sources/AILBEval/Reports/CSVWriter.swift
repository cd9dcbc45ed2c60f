import Foundation

/// Writes RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled.
/// Rows stream to a temporary file that replaces the target only when complete; a failed write removes it
/// and throws an `OutputError`.
public final class CSVWriter {
    let file: StreamedFile
    /// The target file.
    public let url: URL

    /// Starts a CSV file at `url` with the given header row.
    public init(url: URL, header: [String]) throws(OutputError) {
        self.url = url
        file = try StreamedFile(path: url.path)
        try writeRow(header)
    }

    /// Appends one row.
    public func writeRow(_ fields: [String?]) throws(OutputError) {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "," }
            line += Self.escape(field ?? "")
        }
        line += "\r\n"
        try file.write(line)
    }

    /// Finishes the file and moves it into place.
    public func close() throws(OutputError) {
        // rename(2) replaces the target atomically: a reader sees the old file or the new one, never half.
        try file.commit()
    }

    /// One field, quoted when RFC 4180 requires it.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
