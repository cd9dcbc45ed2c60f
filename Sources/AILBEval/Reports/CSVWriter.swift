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
    /// The row being written, reused from row to row.
    private var line: [UInt8] = []

    /// Starts a CSV file at `url` with the given header row.
    package init(url: URL, numericColumns: Set<String> = [], header: [String]) throws(OutputError) {
        self.url = url
        file = try OutputFile(path: url.path)
        numeric = header.map { numericColumns.contains($0) }
        try writeRow(header)
    }

    /// Appends one row.
    package func writeRow(_ fields: [String?]) throws(OutputError) {
        line.removeAll(keepingCapacity: true)
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            Self.appendCell(field ?? "", numeric: index < numeric.count && numeric[index], to: &line)
        }
        line.append(contentsOf: [0x0D, 0x0A])
        try file.write(bytes: line)
    }

    /// Finishes the file and moves it into place.
    package func close() throws(OutputError) {
        // rename(2) replaces the target atomically: a reader sees the old file or the new one, never half.
        try file.commit()
    }

    /// One field as written: quoted when RFC 4180 requires it, and with a leading `'` (and always quoted) when
    /// it starts like a formula, unless it is a plain number in a numeric column.
    package static func cell(_ field: String, numeric: Bool = false) -> String {
        var out: [UInt8] = []
        appendCell(field, numeric: numeric, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One field, quoted when RFC 4180 requires it (no formula guard: see `cell(_:numeric:)`).
    package static func escape(_ field: String) -> String {
        var field = field
        return field.withUTF8 { bytes in
            guard bytes.contains(where: needsQuotes) else { return String(decoding: bytes, as: UTF8.self) }
            var out: [UInt8] = []
            appendQuoted(bytes, formula: false, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends `field` as `cell(_:numeric:)` writes it, working on its UTF-8 bytes: every character that
    /// decides anything (a separator, a quote, a line break, a formula's first character) is ASCII.
    static func appendCell(_ field: String, numeric: Bool, to out: inout [UInt8]) {
        var field = field
        field.withUTF8 { bytes in
            if numeric && isPlainNumber(bytes) {
                out.append(contentsOf: bytes)
            } else if let first = bytes.first, formulaStarts.contains(first) {
                appendQuoted(bytes, formula: true, to: &out)
            } else if bytes.contains(where: needsQuotes) {
                appendQuoted(bytes, formula: false, to: &out)
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }

    /// The bytes that make a field be quoted: comma, quote, CR and LF.
    static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }

    /// `bytes` in quotes, quotes doubled, after a `'` when it is a `formula`.
    static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, formula: Bool, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if formula { out.append(UInt8(ascii: "'")) }
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The characters that make a spreadsheet read a cell as a formula (or a DDE command) when they come first:
    /// `=`, `+`, `-`, `@`, tab and CR.
    static let formulaStarts: Set<UInt8> = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D]

    /// Whether a spreadsheet would take `field` for a formula.
    package static func startsLikeFormula(_ field: String) -> Bool {
        guard let first = field.utf8.first else { return false }
        return formulaStarts.contains(first)
    }

    /// Whether `field` is a decimal number as the tool writes them: optional sign, digits, optional fraction
    /// and exponent (no `inf`, `nan` or hexadecimal).
    static func isPlainNumber(_ field: String) -> Bool {
        var field = field
        return field.withUTF8 { isPlainNumber($0) }
    }

    /// `isPlainNumber(_:)` on UTF-8 bytes.
    static func isPlainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func sign() {
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        }
        func digits() -> Int {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        sign()
        var count = digits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            count += digits()
        }
        guard count > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            sign()
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }
}

/// Numbers with a fixed count of decimals, spelled as C's `printf("%.3f")` spells them (and so as
/// `String(format:)` does), without Foundation's formatting machinery: a large run's CSV files hold a few of
/// them per response.
enum FixedDecimal {
    /// `value` with three decimals.
    static func three(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let written = withVaList([value]) { vsnprintf(buffer.baseAddress, 64, "%.3f", $0) }
            guard written >= 0, written < 64 else { return String(format: "%.3f", value) }
            return String(
                decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(written)).bindMemory(to: UInt8.self),
                as: UTF8.self)
        }
    }
}
