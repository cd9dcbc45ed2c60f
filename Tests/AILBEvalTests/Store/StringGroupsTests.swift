import Testing

@testable import AILBEval

@Suite struct StringGroupsTests {
    /// What the JSON parser makes of the text: the reading `StringGroups` must give, however it gets there.
    static func viaJSON(_ text: String) -> [[String]]? {
        (try? JSONValue(parsing: text))?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
    }

    @Test(arguments: [
        "[]", "[[]]", #"[["a"]]"#, #"[["m1","m2"],["m3"]]"#, #"[["é ü","💥"],[]]"#, #"[["a\"b"],["c\\d"]]"#,
        #"[["a\u0041"]]"#, #"[ ["a"] ]"#, #"[["a",1]]"#, #"[["a"],"b"]"#, "[", #"[["a"]"#, #"[["a"]]x"#, "", "null",
        #"{"a":1}"#, #"[["a"],]"#,
    ])
    func readsGroupsAsTheJSONParserDoes(text: String) {
        #expect(StringGroups.parse(text) == Self.viaJSON(text))
    }
}
