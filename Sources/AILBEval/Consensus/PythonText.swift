/// Python's notion of whitespace (`str.isspace`, `str.split()`, `str.strip()`, and `\s` in `re`).
enum PythonWhitespace {
    /// True when Python's `str.isspace` holds for this code point.
    static func contains(_ code: UInt32) -> Bool {
        switch code {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `" ".join(s.split())`: every whitespace run collapsed to one space, ends trimmed.
    static func collapse(_ codePoints: some Collection<UInt32>) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(codePoints.count)
        var pendingSpace = false
        for code in codePoints {
            if contains(code) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append(code)
        }
        return out
    }

    /// `s.strip()`: the range of `codePoints` without whitespace at either end.
    static func trimmedRange(_ codePoints: [UInt32], in range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, contains(codePoints[start]) { start += 1 }
        while end > start, contains(codePoints[end - 1]) { end -= 1 }
        return start..<end
    }
}

extension String {
    /// `str.strip()` with no argument.
    func trimmingPythonWhitespace() -> String {
        let codePoints = unicodeScalars.map(\.value)
        return ExactString(Array(codePoints[PythonWhitespace.trimmedRange(codePoints, in: codePoints.indices)])).string
    }

    /// `" ".join(s.split())`: every whitespace run collapsed to one space, ends trimmed.
    func collapsingPythonWhitespace() -> String {
        ExactString(PythonWhitespace.collapse(unicodeScalars.lazy.map(\.value))).string
    }
}
