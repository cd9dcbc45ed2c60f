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
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The serialised text of `value` as UTF-8 bytes, for a request body or a hash without a `String` between.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: PythonFloat.repr(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { appendSeparator(UInt8(ascii: ","), into: &out) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let ordered = sortKeys ? members.sorted { codePointLess($0.key, $1.key) } : Array(members)
            for (n, member) in ordered.enumerated() {
                if n > 0 { appendSeparator(UInt8(ascii: ","), into: &out) }
                writeString(member.key, into: &out)
                appendSeparator(UInt8(ascii: ":"), into: &out)
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func appendSeparator(_ separator: UInt8, into out: inout [UInt8]) {
        out.append(separator)
        if spaced { out.append(UInt8(ascii: " ")) }
    }

    /// A string literal, escaped as Python's `json.dumps` escapes it. Works on UTF-8 bytes: runs that need no
    /// escape are copied whole, which is nearly every byte of a prompt or an answer.
    func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            var i = 0
            while i < utf8.count {
                let byte = utf8[i]
                // Python escapes controls, `"` and `\\`; with `ensure_ascii` also everything above `~`.
                let plain =
                    byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                    && (byte < 0x7F || !asciiOnly)
                if plain {
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                if byte < 0x80 {  // a control, `"`, `\\` or (ASCII only) DEL
                    appendEscapedASCII(byte, into: &out)
                    i += 1
                } else {
                    // Only with `asciiOnly`: decode the scalar and write it as one or two `\uXXXX`.
                    let (scalar, length) = Self.scalar(in: utf8, at: i)
                    if scalar >= 0x10000 {
                        let u = scalar - 0x10000
                        appendEscape(0xD800 + (u >> 10), into: &out)
                        appendEscape(0xDC00 + (u & 0x3FF), into: &out)
                    } else {
                        appendEscape(scalar, into: &out)
                    }
                    i += length
                }
                runStart = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private func appendEscapedASCII(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        default: appendEscape(UInt32(byte), into: &out)
        }
    }

    /// The scalar whose UTF-8 encoding starts at `i` (a `String`'s UTF-8 is always valid), and its length.
    private static func scalar(in utf8: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let lead = UInt32(utf8[i])
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F), 3)
        }
        let value = (lead & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6
        return (value | UInt32(utf8[i + 3] & 0x3F), 4)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    func appendEscape(_ unit: UInt32, into out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(Self.hexDigits[Int((unit >> UInt32(shift)) & 0xF)])
        }
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
