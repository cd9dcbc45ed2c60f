import Yams

/// A `Decoder` over a composed YAML tree that keeps every node's position, so each error it throws is an
/// `InputError` at the line and column of the node concerned.
///
/// A type whose `CodingKeys` are `CaseIterable` is a closed mapping: a key outside them is refused before any
/// value is read, with the closest declared key suggested. Other keyed types (dictionaries, open JSON-like
/// mappings) take any string keys. A key that is present decodes even when its value is `null`, so `key: ~`
/// is an error for a string and `nil` only for an `Optional`, as it was written.
struct YAMLNodeDecoder: Decoder {
    let reader: YAMLReader
    let node: Node
    /// The key this node is the value of; nil for a list item or the document itself.
    let keyNode: Node?
    let codingPath: [any CodingKey]
    /// How messages name the mapping being decoded, when its type says (`YAMLMapping`).
    private(set) var mappingName: String?
    /// What messages say a node of another shape lacks, when the type being decoded says.
    private(set) var mappingExpectation: String?

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(reader: YAMLReader, node: Node, keyNode: Node?, codingPath: [any CodingKey]) {
        self.reader = reader
        self.node = node
        self.keyNode = keyNode
        self.codingPath = codingPath
    }

    /// The key messages name a value by: the nearest mapping key above it (list positions are skipped).
    var key: String { codingPath.last { !($0 is ListIndex) }?.stringValue ?? "" }

    /// Where the node was written.
    var location: SourceLocation { reader.location(node) }

    /// An error at the node.
    func error(_ message: String) -> InputError { reader.error(node, message) }

    /// This node decoded as `T`: through `YAMLNodeDecodable` when `T` reads nodes itself, else `init(from:)`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        var decoder = self
        let mapping = T.self as? any YAMLMapping.Type
        decoder.mappingName = mapping?.yamlName(key: key)
        decoder.mappingExpectation = mapping?.yamlExpectation(key: key)
        if let special = T.self as? any YAMLNodeDecodable.Type {
            // `special` is `T.self`, so the value is a `T`.
            return try special.init(yaml: decoder) as! T
        }
        return try T(from: decoder)
    }

    /// The decoder of `node`, written under `key` (a mapping key, or a list position).
    func child(_ node: Node, keyNode: Node?, key: any CodingKey) -> YAMLNodeDecoder {
        YAMLNodeDecoder(reader: reader, node: node, keyNode: keyNode, codingPath: codingPath + [key])
    }

    /// How messages name this node as a mapping: its type's name for it, else its key.
    var mappingContext: String { mappingName ?? "'\(key)'" }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let entries = try reader.entries(of: node, context: mappingContext, expected: mappingExpectation)
        // A closed mapping's keys are its `CodingKeys`, which make no key from another name; their list is
        // made only for the message.
        if let unknown = entries.first(where: { Key(stringValue: $0.key) == nil }), let declared = declaredKeys(Key.self) {
            var message = "unknown key '\(unknown.key)' in \(mappingContext)"
            if let close = suggestion(for: unknown.key, among: declared) {
                message += "; did you mean '\(close)'?"
            } else {
                message += "; expected one of: \(declared.joined(separator: ", "))"
            }
            throw reader.error(unknown.keyNode, message)
        }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list for '\(key)', found \(YAMLReader.describe(node))")
        }
        return YAMLUnkeyedContainer(decoder: self, items: Array(sequence))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        YAMLSingleValueContainer(decoder: self)
    }

    /// The value of this scalar node as an integer of type `T`, which it must fit.
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let value = try reader.int(node, key: key)
        guard let fitting = T(exactly: value) else {
            throw error("expected an integer from \(T.min) to \(T.max) for '\(key)', found \(value)")
        }
        return fitting
    }
}

/// A type that reads its node itself rather than through containers: a value with its position, a JSON
/// value, a string or list of strings.
protocol YAMLNodeDecodable: Decodable {
    init(yaml decoder: YAMLNodeDecoder) throws
}

extension YAMLNodeDecodable {
    init(from decoder: any Decoder) throws {
        guard let yaml = decoder as? YAMLNodeDecoder else {
            throw DecodingError.typeMismatch(
                Self.self, .init(codingPath: decoder.codingPath, debugDescription: "\(Self.self) is read from YAML only"))
        }
        try self.init(yaml: yaml)
    }
}

/// A type decoded from a YAML mapping that names itself in messages ("unknown key 'x' in backend").
protocol YAMLMapping: Decodable {
    /// The mapping as messages name it; `key` is the key it is written under ("" for the document).
    static func yamlName(key: String) -> String
    /// What a node of another shape lacks, in "expected …, found a list".
    static func yamlExpectation(key: String) -> String
}

extension YAMLMapping {
    static func yamlExpectation(key: String) -> String { "a mapping for \(yamlName(key: key))" }
}

/// The keys a closed mapping allows: its `CodingKeys` when they are `CaseIterable`, nil for an open mapping.
private func declaredKeys<Key: CodingKey>(_ type: Key.Type) -> [String]? {
    guard let closed = type as? any CaseIterable.Type else { return nil }
    func names<Keys: CaseIterable>(_: Keys.Type) -> [String] {
        Keys.allCases.compactMap { ($0 as? any CodingKey)?.stringValue }
    }
    return names(closed)
}

/// The position of an item in a list, as a coding key.
struct ListIndex: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// A mapping key of an open mapping.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

// MARK: Containers

private struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: YAMLNodeDecoder
    let entries: [YAMLReader.Entry]

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.key == key.stringValue } }

    func child(_ key: Key) throws -> YAMLNodeDecoder {
        guard let entry = entries.first(where: { $0.key == key.stringValue }) else {
            throw decoder.error("missing required key '\(key.stringValue)' in \(decoder.mappingContext)")
        }
        return decoder.child(entry.value, keyNode: entry.keyNode, key: key)
    }

    func value<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(T.self) }

    /// Nil only when the key is absent: a key written with `null` decodes, and a non-optional refuses it.
    func valueIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        contains(key) ? try value(T.self, forKey: key) : nil
    }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.reader.isNull(try child(key).node) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(type, forKey: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(type, forKey: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try valueIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try valueIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try valueIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try valueIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        try valueIfPresent(type, forKey: key)
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try valueIfPresent(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct YAMLUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: YAMLNodeDecoder
    let items: [Node]
    private(set) var currentIndex = 0

    init(decoder: YAMLNodeDecoder, items: [Node]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The decoder of the next item, which the caller then reads.
    mutating func next() throws -> YAMLNodeDecoder {
        guard !isAtEnd else { throw decoder.error("'\(decoder.key)' has no item \(currentIndex + 1)") }
        defer { currentIndex += 1 }
        return decoder.child(items[currentIndex], keyNode: nil, key: ListIndex(currentIndex))
    }

    mutating func value<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(T.self) }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, decoder.reader.isNull(items[currentIndex]) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
    mutating func decode(_ type: String.Type) throws -> String { try value(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try value(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try value(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try value(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try value(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try value(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try value(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try value(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try value(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try value(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try value(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try value(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try value(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try value(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct YAMLSingleValueContainer: SingleValueDecodingContainer {
    let decoder: YAMLNodeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.reader.isNull(decoder.node) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.reader.bool(decoder.node, key: decoder.key) }
    func decode(_ type: String.Type) throws -> String { try decoder.reader.string(decoder.node, key: decoder.key) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.reader.double(decoder.node, key: decoder.key) }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}
