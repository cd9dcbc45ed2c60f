import Foundation
import Testing

@testable import AILBEval

@Suite struct JSONValueTests {
    @Test func keepsIntegersDistinctFromFloats() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "b": 1.0, "c": 1e2, "d": -0}"#)
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(1.0))
        #expect(value["c"] == .double(100.0))
        #expect(value.canonicalText == #"{"a":1,"b":1.0,"c":100.0,"d":0}"#)
    }

    @Test func duplicateKeysResolveToTheLast() throws {
        #expect(try JSONValue(parsing: #"{"a": 1, "a": 2}"#) == ["a": 2])
    }

    @Test(arguments: [
        (1.0, "1.0"), (0.5, "0.5"), (100000.0, "100000.0"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (-2.5, "-2.5"), (123.456, "123.456"),
        (1e300, "1e+300"), (Double.leastNonzeroMagnitude, "5e-324"), (0.1 + 0.2, "0.30000000000000004"), (-0.0, "-0.0"),
    ])
    func floatsArePrintedLikePythonRepr(value: Double, expected: String) {
        #expect(PythonFloat.repr(value) == expected)
    }

    @Test func canonicalFormEscapesNonASCIIAndSortsByCodePoint() throws {
        let value = try JSONValue(parsing: #"{"é": "café 🙂", "z": "\n", "B": 1}"#)
        #expect(value.canonicalText == #"{"B":1,"z":"\n","\u00e9":"caf\u00e9 \ud83d\ude42"}"#)
    }

    /// Every escape Python's `json.dumps` makes, with and without `ensure_ascii` (expected texts from Python).
    @Test func escapesStringsAsPythonDoes() {
        let value: JSONValue = ["k": .string("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} é€😀 ~")]
        #expect(
            JSONWriter.canonical.string(value) == #"{"k":"a\"b\\c\n\r\t\b\f\u0001\u001f\u007f \u00e9\u20ac\ud83d\ude00 ~"}"#)
        #expect(JSONWriter.compactUnicode.string(value) == "{\"k\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\u{7F} é€😀 ~\"}")
        let spaced = JSONWriter(sortKeys: true, asciiOnly: false, spaced: true)
        #expect(spaced.string([1, ["b": 2, "a": [nil, true]]]) == #"[1, {"a": [null, true], "b": 2}]"#)
        #expect(JSONWriter.compactUnicode.bytes(value) == Array(JSONWriter.compactUnicode.string(value).utf8))
    }

    /// Exact strings are decoded from the bytes: every scalar kept, a WTF-8 surrogate too, broken UTF-8 refused.
    @Test func exactStringsAreTheCodePointsOfTheirBytes() throws {
        let text = try ExactJSON(parsing: #"["a é€😀", "x\ny"]"#)
        #expect(text == .array([.string(ExactString("a é€😀")), .string(ExactString("x\ny"))]))
        let lone = try ExactJSON(parsing: ExactString([0x22, 0x61, 0xD800, 0x62, 0x22]))
        #expect(lone == .string(ExactString([0x61, 0xD800, 0x62])))
        for broken: [UInt8] in [
            [0x22, 0xC0, 0x80, 0x22], [0x22, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],
        ] {
            var parser = JSONBytesParser<ExactJSONTree>(bytes: broken)
            #expect(throws: JSONParseError.self, "\(broken)") { try parser.parseDocument() }
        }
    }

    @Test func rejectsMalformedInput() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"abc", "tru", "[1] 2", "{\"a\":1,}"] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue(parsing: text) }
        }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }
}
