/// Groups of names as the store keeps them (`[["a","b"],["c"]]`, the JSON of a verdict's groups), read
/// without building a JSON tree: a large run's reports read two per verdict. Text of any other shape (escapes,
/// spaces, other values) is read by the JSON parser, with the same result.
enum StringGroups {
    static func parse(_ text: String) -> [[String]]? {
        var text = text
        let fast: [[String]]?? = text.withUTF8 { bytes in
            var index = 0
            func take(_ byte: UInt8) -> Bool {
                guard index < bytes.count, bytes[index] == byte else { return false }
                index += 1
                return true
            }
            guard take(UInt8(ascii: "[")) else { return nil }
            var groups: [[String]] = []
            if take(UInt8(ascii: "]")) { return index == bytes.count ? .some(groups) : nil }
            repeat {
                guard take(UInt8(ascii: "[")) else { return nil }
                var group: [String] = []
                if !take(UInt8(ascii: "]")) {
                    repeat {
                        guard take(UInt8(ascii: "\"")) else { return nil }
                        let start = index
                        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                            // An escape or a control character: the JSON parser's case.
                            if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
                            index += 1
                        }
                        guard index < bytes.count else { return nil }
                        group.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                        index += 1
                    } while take(UInt8(ascii: ","))
                    guard take(UInt8(ascii: "]")) else { return nil }
                }
                groups.append(group)
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")), index == bytes.count else { return nil }
            return .some(groups)
        }
        if let fast { return fast }
        return (try? JSONValue(parsing: text))?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
    }
}
