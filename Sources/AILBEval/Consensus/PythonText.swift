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
        var view = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if PythonWhitespace.contains(scalar) {
                pendingSpace = !view.isEmpty
            } else {
                if pendingSpace { view.append(" ") }
                pendingSpace = false
                view.append(scalar)
            }
        }
        return String(view)
    }
}
