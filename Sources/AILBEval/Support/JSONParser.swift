import Foundation

/// Why a byte sequence is not JSON, with the byte offset where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the input.
    public let offset: Int
    /// What was expected or found.
    public let reason: String
    /// True when the text is well formed but exceeds a limit Python also has (nesting depth, integer
    /// digits): Python raises `RecursionError` or `ValueError` there rather than a decoding error.
    public var exceedsLimit = false
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Parses JSON text the way Python's `json.loads` does: `NaN`/`Infinity` accepted, duplicate keys
    /// resolved to the last, integers kept as integers (an integer too large for `Int` becomes a double).
    public init(parsing data: Data) throws(JSONParseError) {
        var parser = JSONBytesParser<JSONValueTree>(bytes: [UInt8](data))
        self = try parser.parseDocument()
    }

    /// Parses JSON text from a string.
    public init(parsing text: String) throws(JSONParseError) {
        var parser = JSONBytesParser<JSONValueTree>(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }
}

/// The value type a `JSONBytesParser` builds: one parser serves the everyday `JSONValue` and the lossless
/// `ExactJSON` the `ailb` judge needs, so both read JSON by the same grammar.
protocol JSONTree {
    associatedtype Value
    associatedtype Key
    /// How deep arrays and objects may nest before the text counts as invalid.
    static var maxDepth: Int { get }
    /// Whether UTF-8-encoded surrogates (WTF-8, from text that was a Python `str`) are read as code points.
    static var acceptsEncodedSurrogates: Bool { get }
    static var null: Value { get }
    static func bool(_ flag: Bool) -> Value
    static func float(_ number: Double) -> Value
    /// An integer literal (ASCII digits with an optional leading `-`); nil when it cannot be held.
    static func integer(_ literal: ArraySlice<UInt8>) -> Value?
    /// Whether strings are wanted as code points (`key(codePoints:)`) even without escapes: a tree that holds
    /// code points would only take a `String` apart again.
    static var readsCodePoints: Bool { get }
    /// A string without escapes.
    static func key(_ text: String) -> Key
    /// A string with escapes, as the code points they spell (lone surrogates included).
    static func key(codePoints: [UInt32]) -> Key
    static func string(_ key: Key) -> Value
    static func array(_ items: [Value]) -> Value
    static func object(_ members: [(Key, Value)]) -> Value
    /// `value`, which starts at byte `offset` of the input: a tree that reports positions notes it there.
    static func value(_ value: Value, at offset: Int) -> Value
    /// `key`, which starts at byte `offset` of the input.
    static func key(_ key: Key, at offset: Int) -> Key
}

extension JSONTree {
    static var readsCodePoints: Bool { false }

    static func value(_ value: Value, at offset: Int) -> Value { value }
    static func key(_ key: Key, at offset: Int) -> Key { key }
}

/// Builds `JSONValue`: integers beyond `Int` become doubles and a lone surrogate becomes U+FFFD, since a
/// Swift `String` cannot hold one.
enum JSONValueTree: JSONTree {
    static let maxDepth = 512
    static let acceptsEncodedSurrogates = false
    static let null = JSONValue.null
    static func bool(_ flag: Bool) -> JSONValue { .bool(flag) }
    static func float(_ number: Double) -> JSONValue { .double(number) }
    static func integer(_ literal: ArraySlice<UInt8>) -> JSONValue? {
        let text = String(decoding: literal, as: UTF8.self)
        if let value = Int(text) { return .int(value) }
        return Double(text).map(JSONValue.double)
    }
    static func key(_ text: String) -> String { text }
    static func key(codePoints: [UInt32]) -> String {
        var view = String.UnicodeScalarView()
        for code in codePoints { view.append(Unicode.Scalar(code) ?? "\u{FFFD}") }
        return String(view)
    }
    static func string(_ key: String) -> JSONValue { .string(key) }
    static func array(_ items: [JSONValue]) -> JSONValue { .array(items) }
    static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(Dictionary(members, uniquingKeysWith: { _, last in last }))
    }
}

/// A recursive-descent parser over UTF-8 bytes, following the grammar of Python's `json` scanner.
struct JSONBytesParser<Tree: JSONTree> {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONParseError) -> Tree.Value {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index != bytes.count { throw fail("extra data after the JSON value") }
        return value
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> Tree.Value {
        let start = index
        return Tree.value(try parseBareValue(), at: start)
    }

    mutating func parseBareValue() throws(JSONParseError) -> Tree.Value {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return Tree.string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return Tree.bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return Tree.bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return Tree.null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return Tree.float(.nan)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return Tree.float(.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        let start = literal.utf8Start
        for k in 0..<count where bytes[index + k] != start[k] { throw fail("invalid literal") }
        index += count
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Tree.maxDepth {
            var error = fail("nesting deeper than \(Tree.maxDepth)")
            error.exceedsLimit = true
            throw error
        }
    }

    mutating func parseObject() throws(JSONParseError) -> Tree.Value {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(Tree.Key, Tree.Value)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return Tree.object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyStart = index
            let key = Tree.key(try parseString(), at: keyStart)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return Tree.object(members)
            }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws(JSONParseError) -> Tree.Value {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [Tree.Value] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return Tree.array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return Tree.array(items)
            }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> Tree.Value {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return Tree.float(-.infinity)
            }
        }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            let dot = index
            index += 1
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            // Python's scanner treats "1." as the integer 1 followed by garbage.
            if index == dot + 1 {
                index = dot
            } else {
                isInteger = false
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            let mark = index
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            if index == digitsStart {
                index = mark
            } else {
                isInteger = false
            }
        }
        if isInteger {
            guard let value = Tree.integer(bytes[start..<index]) else {
                throw JSONParseError(offset: start, reason: "integer too long", exceedsLimit: true)
            }
            return value
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw JSONParseError(offset: start, reason: "invalid number")
        }
        return Tree.float(value)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONParseError) -> Tree.Key {
        index += 1
        let start = index
        // Fast path: no escapes, so the string is the bytes themselves (validated as UTF-8 once).
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if Tree.readsCodePoints {
                    let codePoints = try decodedCodePoints(start..<index)
                    index += 1
                    return Tree.key(codePoints: codePoints)
                }
                if let text = String(validating: bytes[start..<index], as: UTF8.self) {
                    index += 1
                    return Tree.key(text)
                }
                guard Tree.acceptsEncodedSurrogates else {
                    throw JSONParseError(offset: start, reason: "invalid UTF-8 in string")
                }
                break
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
        }
        // Slow path: escapes (or encoded surrogates, or a tree that reads code points), decoded code point by
        // code point from the start; there are at most as many as the bytes scanned, and a few per escape.
        let scanned = index - start
        index = start
        var codePoints: [UInt32] = []
        codePoints.reserveCapacity(scanned + 16)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return Tree.key(codePoints: codePoints)
            }
            if byte < 0x20 { throw fail("control character in string") }
            if byte < 0x80 && byte != UInt8(ascii: "\\") {
                codePoints.append(UInt32(byte))
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "\\") else {
                try appendScalar(startingAt: byte, to: &codePoints)
                continue
            }
            index += 1
            guard index < bytes.count else { throw fail("unexpected end of input in escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): codePoints.append(0x22)
            case UInt8(ascii: "\\"): codePoints.append(0x5C)
            case UInt8(ascii: "/"): codePoints.append(0x2F)
            case UInt8(ascii: "b"): codePoints.append(0x08)
            case UInt8(ascii: "f"): codePoints.append(0x0C)
            case UInt8(ascii: "n"): codePoints.append(0x0A)
            case UInt8(ascii: "r"): codePoints.append(0x0D)
            case UInt8(ascii: "t"): codePoints.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                // A high surrogate escape followed by a low one spells one astral scalar, as in Python;
                // any other surrogate stays a code point of its own.
                if (0xD800..<0xDC00).contains(code), index + 5 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    let save = index
                    index += 2
                    if let low = try? parseHex4(), (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = save
                    }
                }
                codePoints.append(code)
            default: throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    /// The code points of `range`, a string's bytes without escapes: as many as the bytes at most, written in
    /// place (ASCII, nearly all of them, byte by byte).
    mutating func decodedCodePoints(_ range: Range<Int>) throws(JSONParseError) -> [UInt32] {
        let end = range.upperBound
        index = range.lowerBound
        var failure: JSONParseError?
        let codePoints = [UInt32](unsafeUninitializedCapacity: range.count) { buffer, count in
            while index < end {
                let byte = bytes[index]
                if byte < 0x80 {
                    buffer[count] = UInt32(byte)
                    count += 1
                    index += 1
                    continue
                }
                do throws(JSONParseError) {
                    buffer[count] = try decodeScalar(startingAt: byte)
                    count += 1
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        return codePoints
    }

    /// Decodes one UTF-8 sequence whose first byte is `lead` (at `index`) and appends its code point;
    /// an encoded surrogate only when the tree accepts them.
    mutating func appendScalar(startingAt lead: UInt8, to codePoints: inout [UInt32]) throws(JSONParseError) {
        codePoints.append(try decodeScalar(startingAt: lead))
    }

    /// Decodes the UTF-8 sequence at `index`, whose first byte is `lead`, and moves past it.
    mutating func decodeScalar(startingAt lead: UInt8) throws(JSONParseError) -> UInt32 {
        let length: Int
        var code: UInt32
        switch lead {
        case 0x00..<0x80: length = 1; code = UInt32(lead)
        case 0xC2..<0xE0: length = 2; code = UInt32(lead & 0x1F)
        case 0xE0..<0xF0: length = 3; code = UInt32(lead & 0x0F)
        case 0xF0..<0xF5: length = 4; code = UInt32(lead & 0x07)
        default: throw fail("invalid UTF-8 in string")
        }
        guard index + length <= bytes.count else { throw fail("invalid UTF-8 in string") }
        for k in 1..<length {
            let byte = bytes[index + k]
            guard byte & 0xC0 == 0x80 else { throw fail("invalid UTF-8 in string") }
            code = code << 6 | UInt32(byte & 0x3F)
        }
        let smallest: UInt32 = length == 3 ? 0x800 : length == 4 ? 0x10000 : 0
        guard code >= smallest, code <= 0x10FFFF, Tree.acceptsEncodedSurrogates || !(0xD800...0xDFFF).contains(code)
        else { throw fail("invalid UTF-8 in string") }
        index += length
        return code
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
