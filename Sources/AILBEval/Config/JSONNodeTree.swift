import Yams

/// One line of JSON as a YAML node tree, so that a case from a JSON Lines file decodes through the very
/// checks a case written in YAML goes through (`YAMLNodeDecoder`), with each value's position for messages.
///
/// JSON strings become double-quoted scalars (always text); numbers, `true`, `false` and `null` become plain
/// ones, typed by the YAML 1.2 core schema as JSON types them. Every node is marked on line 1 with its byte
/// offset + 1 as the column; `JSONLinePlacement` turns that into the file's line and a column in characters.
enum JSONNodeTree: JSONTree {
    static let maxDepth = 512
    static let acceptsEncodedSurrogates = false
    static var null: Node { plain("null") }
    static func bool(_ flag: Bool) -> Node { plain(flag ? "true" : "false") }
    static func float(_ number: Double) -> Node {
        if number.isNaN { return plain(".nan") }
        if number.isInfinite { return plain(number < 0 ? "-.inf" : ".inf") }
        return plain("\(number)")
    }
    static func integer(_ literal: ArraySlice<UInt8>) -> Node? { plain(String(decoding: literal, as: UTF8.self)) }
    static func key(_ text: String) -> Node { .scalar(Node.Scalar(text, implicitTag, .doubleQuoted)) }
    static func key(codePoints: [UInt32]) -> Node { key(JSONValueTree.key(codePoints: codePoints)) }
    static func string(_ key: Node) -> Node { key }
    static func array(_ items: [Node]) -> Node { .sequence(Node.Sequence(items, implicitTag)) }
    static func object(_ members: [(Node, Node)]) -> Node { .mapping(Node.Mapping(members, implicitTag)) }

    static func value(_ value: Node, at offset: Int) -> Node { marked(value, offset) }
    static func key(_ key: Node, at offset: Int) -> Node { marked(key, offset) }

    static func plain(_ text: String) -> Node { .scalar(Node.Scalar(text, implicitTag, .plain)) }

    /// The tag of every node: none written. Shared, because `Tag.implicit` makes a new tag (with a constructor
    /// and a resolver of its own) at each use, which was an eighth of the time a case file took to read. Never
    /// changed after it is made, and only read (by nothing but Yams itself), so it is safe to share.
    nonisolated(unsafe) static let implicitTag = Tag.implicit

    static func marked(_ node: Node, _ offset: Int) -> Node {
        let mark = Mark.at(line: 1, column: offset + 1)
        switch node {
        case .scalar(var scalar):
            scalar.mark = mark
            return .scalar(scalar)
        case .sequence(var sequence):
            sequence.mark = mark
            return .sequence(sequence)
        case .mapping(var mapping):
            mapping.mark = mark
            return .mapping(mapping)
        case .alias:
            return node
        }
    }
}

/// Where the nodes of one JSON line sit in their file: `JSONNodeTree` marks them on line 1 with their byte
/// offset as the column, and messages give the file's line and the column in characters, as editors do.
struct JSONLinePlacement: Sendable {
    /// The line's number in its file (from 1).
    var line: Int
    /// The line's bytes when it has any that are not ASCII (a byte offset is then not a column); nil otherwise.
    var nonASCIIBytes: [UInt8]?

    init(line: Int, bytes: [UInt8]) {
        self.line = line
        nonASCIIBytes = bytes.contains(where: { $0 >= 0x80 }) ? bytes : nil
    }

    /// The column (from 1, in Unicode scalars) of the byte at `offset`.
    func column(ofByteOffset offset: Int) -> Int {
        guard let bytes = nonASCIIBytes else { return offset + 1 }
        return bytes.prefix(offset).count(where: { $0 & 0xC0 != 0x80 }) + 1
    }
}

extension YAMLReader {
    /// The node tree of one line of a JSON Lines file, its positions placed by `linePlacement`, or an error at
    /// the line and column where the line stops being JSON.
    func root(ofJSONLine bytes: [UInt8]) throws(InputError) -> Node {
        var parser = JSONBytesParser<JSONNodeTree>(bytes: bytes)
        do {
            return try parser.parseDocument()
        } catch {
            let column = linePlacement?.column(ofByteOffset: error.offset) ?? error.offset + 1
            throw InputError(
                at: SourceLocation(file: file, line: linePlacement?.line ?? 1, column: column),
                "invalid JSON: \(error.reason)")
        }
    }
}

extension Mark {
    /// A position. Yams gives `Mark` no public initialiser; it is two `Int`s, line then column, which a fixed-
    /// layout struct stores in declaration order, as the tuple of them is stored (checked by a test).
    static func at(line: Int, column: Int) -> Mark {
        unsafeBitCast((line, column), to: Mark.self)
    }
}
