/// A string as Python holds it: a sequence of code points, lone surrogates included.
///
/// Equality, hashing and order are by code point. Swift's `String` compares by canonical equivalence
/// (`é` equals `e` + U+0301) and cannot hold a lone surrogate, so the `ailb` judge, which must see two
/// texts exactly as ai-lb's Python sees them, works on this type instead.
public struct ExactString: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The code points, each 0…0x10FFFF (surrogates 0xD800…0xDFFF possible).
    public var codePoints: [UInt32]

    /// A string of these code points.
    public init(_ codePoints: [UInt32]) { self.codePoints = codePoints }

    /// The code points of a Swift string (never a lone surrogate).
    public init(_ text: String) { codePoints = text.unicodeScalars.map(\.value) }

    /// True when there are no code points.
    public var isEmpty: Bool { codePoints.isEmpty }

    /// The text as a Swift string, for display: a lone surrogate becomes U+FFFD.
    public var string: String {
        // Encoded once and decoded once: appending scalar by scalar to a String is several times slower.
        String(decoding: Self.utf8(codePoints, surrogate: 0xFFFD), as: UTF8.self)
    }

    public var description: String { string }

    /// Python's `str` order: code point by code point.
    public static func < (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.codePoints.lexicographicallyPrecedes(rhs.codePoints)
    }

    /// True when the code points are those of `text` (an ASCII key such as `"choices"`).
    func equals(_ text: String) -> Bool { codePoints.elementsEqual(text.unicodeScalars.lazy.map(\.value)) }

    /// The code points in WTF-8: UTF-8, with a lone surrogate encoded like any other code point.
    var wtf8: [UInt8] { Self.utf8(codePoints, surrogate: nil) }

    /// UTF-8 of `codePoints`; a surrogate is written as `surrogate` when given, else as itself (WTF-8).
    static func utf8(_ codePoints: [UInt32], surrogate: UInt32?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(codePoints.count)
        for var code in codePoints {
            if let surrogate, (0xD800...0xDFFF).contains(code) { code = surrogate }
            switch code {
            case 0..<0x80:
                out.append(UInt8(code))
            case 0x80..<0x800:
                out.append(UInt8(0xC0 | (code >> 6)))
                out.append(UInt8(0x80 | (code & 0x3F)))
            case 0x800..<0x10000:
                out.append(UInt8(0xE0 | (code >> 12)))
                out.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (code & 0x3F)))
            default:
                out.append(UInt8(0xF0 | (code >> 18)))
                out.append(UInt8(0x80 | ((code >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (code & 0x3F)))
            }
        }
        return out
    }
}

/// A JSON value exactly as Python's `json.loads` holds it.
///
/// Unlike `JSONValue`, nothing is lost: integers keep every digit, strings keep their code points (lone
/// surrogates and unnormalised forms included), and object keys that differ only in normal form stay
/// apart. Objects keep one member per key (the last written, as Python's `dict` does), sorted by key.
public indirect enum ExactJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The integer's decimal digits, `-` first when negative; zero is `0`.
    case integer(String)
    case float(Double)
    case string(ExactString)
    case array([ExactJSON])
    case object([Member])

    /// One key and its value.
    public struct Member: Sendable, Hashable {
        public var key: ExactString
        public var value: ExactJSON
    }

    /// Python's limit on the digits of an integer read from text (`sys.get_int_max_str_digits()`).
    static let maxIntegerDigits = 4300

    /// Parses JSON text as Python's `json.loads` does.
    public init(parsing text: String) throws(JSONParseError) {
        var parser = JSONBytesParser<ExactJSONTree>(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// Parses JSON text given as code points (a Python `str`, lone surrogates allowed inside strings).
    public init(parsing text: ExactString) throws(JSONParseError) {
        var parser = JSONBytesParser<ExactJSONTree>(bytes: text.wtf8)
        self = try parser.parseDocument()
    }

    /// The same value read from a `JSONValue` (which has already lost what it cannot hold).
    public init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .integer(String(number))
        case .double(let number): self = .float(number)
        case .string(let text): self = .string(ExactString(text))
        case .array(let items): self = .array(items.map(ExactJSON.init))
        case .object(let members):
            self = ExactJSONTree.object(members.map { (ExactString($0.key), ExactJSON($0.value)) })
        }
    }

    /// The value as a `JSONValue`, for everything but the `ailb` judge: an integer beyond `Int` becomes a
    /// double, a lone surrogate U+FFFD, and keys equal under canonical equivalence merge.
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .integer(let digits): return Int(digits).map(JSONValue.int) ?? .double(Double(digits) ?? .nan)
        case .float(let number): return .double(number)
        case .string(let text): return .string(text.string)
        case .array(let items): return .array(items.map(\.jsonValue))
        case .object(let members):
            return .object(
                Dictionary(members.map { ($0.key.string, $0.value.jsonValue) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// The value at `key` when this is an object, else nil.
    public subscript(key: String) -> ExactJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key.equals(key) })?.value
    }

    /// The element at `index` when this is an array and the index exists, else nil.
    public subscript(index: Int) -> ExactJSON? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    /// Python truthiness: null, false, 0, 0.0, "", [] and {} are false.
    var isPythonFalsy: Bool {
        switch self {
        case .null: return true
        case .bool(let flag): return !flag
        case .integer(let digits): return digits == "0"
        case .float(let number): return number == 0
        case .string(let text): return text.isEmpty
        case .array(let items): return items.isEmpty
        case .object(let members): return members.isEmpty
        }
    }
}

/// Builds `ExactJSON`, keeping what `JSONValueTree` drops.
enum ExactJSONTree: JSONTree {
    /// Python's recursion limit (1,000 frames, less those of its caller) stops `json.loads` near
    /// 990 levels when ai-lb's consensus is called from a short script; deeper text is invalid JSON.
    static let maxDepth = 980
    static let acceptsEncodedSurrogates = true
    static let readsCodePoints = true
    static let null = ExactJSON.null
    static func bool(_ flag: Bool) -> ExactJSON { .bool(flag) }
    static func float(_ number: Double) -> ExactJSON { .float(number) }
    static func integer(_ literal: ArraySlice<UInt8>) -> ExactJSON? {
        let negative = literal.first == UInt8(ascii: "-")
        let digits = negative ? literal.dropFirst() : literal
        guard digits.count <= ExactJSON.maxIntegerDigits else { return nil }
        if digits.count == 1, digits.first == UInt8(ascii: "0") { return .integer("0") }
        return .integer(String(decoding: literal, as: UTF8.self))
    }
    static func key(_ text: String) -> ExactString { ExactString(text) }
    static func key(codePoints: [UInt32]) -> ExactString { ExactString(codePoints) }
    static func string(_ key: ExactString) -> ExactJSON { .string(key) }
    static func array(_ items: [ExactJSON]) -> ExactJSON { .array(items) }
    static func object(_ members: [(ExactString, ExactJSON)]) -> ExactJSON {
        // Sorted by key, the last of equal keys kept: what `dict` keeps, in `sort_keys` order.
        let sorted = members.enumerated().sorted { lhs, rhs in
            lhs.element.0 == rhs.element.0 ? lhs.offset < rhs.offset : lhs.element.0 < rhs.element.0
        }
        var kept: [ExactJSON.Member] = []
        kept.reserveCapacity(sorted.count)
        for (_, (key, value)) in sorted {
            if let last = kept.last, last.key == key {
                kept[kept.count - 1].value = value
            } else {
                kept.append(ExactJSON.Member(key: key, value: value))
            }
        }
        return .object(kept)
    }
}

extension ExactJSON {
    /// Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))`: ASCII only, so a plain
    /// `String` holds it exactly.
    public var canonicalText: String {
        var out: [UInt8] = []
        write(into: &out, asciiOnly: true)
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact text that keeps non-ASCII characters readable (lone surrogates escaped): for storage.
    public var compactText: String {
        var out: [UInt8] = []
        write(into: &out, asciiOnly: false)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the JSON text as UTF-8 bytes (built as bytes and decoded once: every answer passes through here).
    func write(into out: inout [UInt8], asciiOnly: Bool) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let digits): out.append(contentsOf: digits.utf8)
        case .float(let number): out.append(contentsOf: PythonFloat.repr(number).utf8)
        case .string(let text): Self.writeString(text, into: &out, asciiOnly: asciiOnly)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out, asciiOnly: asciiOnly)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (n, member) in members.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, into: &out, asciiOnly: asciiOnly)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out, asciiOnly: asciiOnly)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal as Python's encoder writes it.
    static func writeString(_ text: ExactString, into out: inout [UInt8], asciiOnly: Bool) {
        out.append(UInt8(ascii: "\""))
        for code in text.codePoints {
            switch code {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x20...0x7E:
                out.append(UInt8(code))
            case 0xD800...0xDFFF:
                appendEscape(code, into: &out)
            default:
                if code < 0x20 || asciiOnly {
                    if code >= 0x10000 {
                        let u = code - 0x10000
                        appendEscape(0xD800 + (u >> 10), into: &out)
                        appendEscape(0xDC00 + (u & 0x3FF), into: &out)
                    } else {
                        appendEscape(code, into: &out)
                    }
                } else {
                    out.append(contentsOf: ExactString.utf8([code], surrogate: nil))
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `\uXXXX` with lowercase hex digits, as Python writes it.
    static func appendEscape(_ unit: UInt32, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((unit >> UInt32(shift)) & 0xF)]) }
    }
}
