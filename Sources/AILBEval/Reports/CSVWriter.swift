import Foundation

/// Writes RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled.
/// Rows stream to a temporary file that replaces the target only when complete; a failed write removes it
/// and throws an `OutputError`.
///
/// Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a CR:
/// OWASP's CSV injection list) are written with a leading `'` and quoted, so `=HYPERLINK(…)` in a model's
/// answer shows as text. Columns named in `numericColumns` hold numbers the tool formatted itself; a cell
/// there that reads as a plain number (`-0.125`) is left as it is, so it stays a number.
package final class CSVWriter {
    let file: OutputFile
    let numeric: [Bool]
    /// The target file.
    package let url: URL

    /// Starts a CSV file at `url` with the given header row.
    package init(url: URL, numericColumns: Set<String> = [], header: [String]) throws(OutputError) {
        self.url = url
        file = try OutputFile(path: url.path)
        numeric = header.map { numericColumns.contains($0) }
        try writeRow(header)
    }

    /// Appends one row.
    package func writeRow(_ fields: [String?]) throws(OutputError) {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "," }
            line += Self.cell(field ?? "", numeric: index < numeric.count && numeric[index])
        }
        line += "\r\n"
        try file.write(line)
    }

    /// Finishes the file and moves it into place.
    package func close() throws(OutputError) {
        // rename(2) replaces the target atomically: a reader sees the old file or the new one, never half.
        try file.commit()
    }

    /// One field as written: quoted when RFC 4180 requires it, and with a leading `'` (and always quoted) when
    /// it starts like a formula, unless it is a plain number in a numeric column.
    package static func cell(_ field: String, numeric: Bool = false) -> String {
        if numeric && isPlainNumber(field) { return field }
        guard startsLikeFormula(field) else { return escape(field) }
        return "\"'" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One field, quoted when RFC 4180 requires it (no formula guard: see `cell(_:numeric:)`).
    package static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The characters that make a spreadsheet read a cell as a formula (or a DDE command) when they come first.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Whether a spreadsheet would take `field` for a formula.
    package static func startsLikeFormula(_ field: String) -> Bool {
        guard let first = field.unicodeScalars.first else { return false }
        return formulaStarts.contains(first)
    }

    /// Whether `field` is a decimal number as the tool writes them: optional sign, digits, optional fraction
    /// and exponent (no `inf`, `nan` or hexadecimal).
    static func isPlainNumber(_ field: String) -> Bool {
        var scalars = Substring(field).unicodeScalars[...]
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
        func digits() -> Int {
            let count = scalars.prefix { ("0"..."9").contains($0) }.count
            scalars = scalars.dropFirst(count)
            return count
        }
        var count = digits()
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            count += digits()
        }
        guard count > 0 else { return false }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }
}
