/// Serialises `JSONValue` exactly as Python's `json.dumps` does, so that the canonical form
/// (`sort_keys=True, separators=(",", ":")`, `ensure_ascii=True`) matches the load balancer byte for byte.
public struct JSONWriter: Sendable {
    /// Sort object keys by code point (Python's `sort_keys`).
    public var sortKeys: Bool
    /// Escape every non-ASCII scalar as `\uXXXX` (Python's `ensure_ascii`).
    public var asciiOnly: Bool
    /// Insert a space after `,` and `:` (Python's default separators) instead of the compact form.
    public var spaced: Bool

    /// The load balancer's canonical form: sorted keys, no spaces, ASCII only.
    public static let canonical = JSONWriter(sortKeys: true, asciiOnly: true, spaced: false)
    /// Compact and readable: sorted keys, no spaces, UTF-8 kept.
    public static let compactUnicode = JSONWriter(sortKeys: true, asciiOnly: false, spaced: false)

    public init(sortKeys: Bool, asciiOnly: Bool, spaced: Bool) {
        self.sortKeys = sortKeys
        self.asciiOnly = asciiOnly
        self.spaced = spaced
    }

    /// The serialised text of `value`.
    public func string(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += PythonFloat.repr(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += spaced ? ", " : "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = sortKeys ? members.keys.sorted(by: codePointLess) : Array(members.keys)
            for (n, key) in keys.enumerated() {
                if n > 0 { out += spaced ? ", " : "," }
                writeString(key, into: &out)
                out += spaced ? ": " : ":"
                write(members[key]!, into: &out)
            }
            out += "}"
        }
    }

    func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                let v = scalar.value
                if v < 0x20 || (asciiOnly && v > 0x7E) {
                    if v >= 0x10000 {
                        let u = v - 0x10000
                        appendEscape(0xD800 + (u >> 10), into: &out)
                        appendEscape(0xDC00 + (u & 0x3FF), into: &out)
                    } else {
                        appendEscape(v, into: &out)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    func appendEscape(_ unit: UInt32, into out: inout String) {
        let hex = String(unit, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

/// Orders strings by Unicode code point, as Python does (UTF-8 byte order is code point order).
/// Swift's own `<` on String compares by canonical equivalence, which differs.
public func codePointLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// Python's `repr(float)` and `json.dumps` float spelling: `1.0`, `0.5`, `100000.0`, `1e+16`, `1e-05`.
public enum PythonFloat {
    /// The text Python prints for `value`.
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is the shortest round-tripping digit string, as Python's repr is;
        // only the layout differs, so take its digits and lay them out Python's way.
        let (digits, decimalPoint) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        if decimalPoint <= -4 || decimalPoint > 16 {
            let exponent = decimalPoint - 1
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let expDigits = String(abs(exponent))
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (expDigits.count < 2 ? "0" : "") + expDigits
        }
        if decimalPoint <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits
        }
        if decimalPoint >= digits.count {
            return sign + digits + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
        }
        let cut = digits.index(digits.startIndex, offsetBy: decimalPoint)
        return sign + digits[..<cut] + "." + digits[cut...]
    }

    /// Significant digits without leading/trailing zeros, and the decimal point position:
    /// value = 0.DIGITS × 10^decimalPoint.
    static func shortestDigits(_ positive: Double) -> (String, Int) {
        let text = positive.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var integerPart = mantissa
        var fraction: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Array(integerPart + fraction)
        var point = integerPart.count + exponent
        while let first = digits.first, first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == "0" { digits.removeLast() }
        return (String(digits), point)
    }
}

extension JSONValue {
    /// The load balancer's canonical serialisation of this value.
    public var canonicalText: String { JSONWriter.canonical.string(self) }
    /// Compact, key-sorted, UTF-8 text: for storage and display.
    public var compactText: String { JSONWriter.compactUnicode.string(self) }
}
