/// Python's notion of whitespace (`str.isspace`, `str.split()`, `str.strip()`, and `\s` in `re`).
enum PythonWhitespace {
    /// True when Python's `str.isspace` holds for this scalar.
    static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// `str.strip()` with no argument.
    func trimmingPythonWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, PythonWhitespace.contains(scalars[start]) { start += 1 }
        while end > start, PythonWhitespace.contains(scalars[end - 1]) { end -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    /// `" ".join(s.split())`: every whitespace run collapsed to one space, ends trimmed.
    func collapsingPythonWhitespace() -> String {
        PythonWhitespace.collapse(unicodeScalars, capacity: utf8.count)
    }
}

extension PythonWhitespace {
    /// `" ".join(…split())` over a sequence of scalars.
    static func collapse(_ scalars: some Sequence<Unicode.Scalar>, capacity: Int) -> String {
        // Built as UTF-8 bytes and decoded once: appending scalar by scalar to a String is several times
        // slower, and every answer passes through here.
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        var pendingSpace = false
        for scalar in scalars {
            if contains(scalar) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            if scalar.value < 0x80 {
                out.append(UInt8(scalar.value))
            } else {
                out.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
