/// The cases of a suite, packed: a case costs its text and a few bytes (`PackedRecords`), not the strings,
/// arrays and dictionaries of a `SuiteCase`, so a suite of a hundred thousand cases stays small all run.
///
/// Reading an element decodes a whole `SuiteCase`; a run reads only what it needs of a case (its id, its
/// expectation, its request fields) through the accessors below, each decoding that field alone.
///
/// A record holds, in order: the id, the request fields as compact JSON (`messages`, `tools`, `tool_choice`,
/// `parameters`, each when set), the expectation as stored (`ExpectationJSON`, empty when none), the tags as
/// a JSON list (empty when none), the repeats (0: the run's default), the line and column (0: unknown) and the
/// index of its file.
public struct SuiteCases: RandomAccessCollection, Sendable {
    private var records = PackedRecords()
    /// The files cases were read from, for their locations.
    private var files: [String] = []

    /// No cases.
    public init() {}

    /// `cases`, packed.
    public init(_ cases: some Sequence<SuiteCase>) {
        for suiteCase in cases { append(suiteCase) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }

    /// The case at `index`, decoded.
    public subscript(index: Int) -> SuiteCase {
        var reader = records.reader(at: index)
        let id = reader.string()
        let request = Self.json(reader.bytes()) ?? [:]
        let expect = Self.json(reader.bytes()).map(ExpectationJSON.decode)
        let tags = Self.json(reader.bytes())?.arrayValue?.compactMap(\.stringValue) ?? []
        let repeats = reader.count()
        let line = reader.count()
        let column = reader.count()
        let file = reader.count()
        return SuiteCase(
            id: id, messages: request["messages"]?.arrayValue ?? [], tools: request["tools"]?.arrayValue,
            toolChoice: request["tool_choice"], parameters: request["parameters"]?.objectValue ?? [:], expect: expect,
            tags: tags, repeats: repeats == 0 ? nil : repeats,
            location: line == 0 ? nil : SourceLocation(file: files[file], line: line, column: column))
    }

    /// Appends `suiteCase`.
    public mutating func append(_ suiteCase: SuiteCase) {
        var request: [String: JSONValue] = ["messages": .array(suiteCase.messages)]
        if let tools = suiteCase.tools { request["tools"] = .array(tools) }
        if let toolChoice = suiteCase.toolChoice { request["tool_choice"] = toolChoice }
        if !suiteCase.parameters.isEmpty { request["parameters"] = .object(suiteCase.parameters) }
        let fileIndex = suiteCase.location.map { location in
            if let known = files.lastIndex(of: location.file) { return known }
            files.append(location.file)
            return files.count - 1
        }
        records.append { record in
            record.string(suiteCase.id)
            record.string(JSONValue.object(request).compactText)
            record.string(suiteCase.expect.map { ExpectationJSON.encode($0).compactText } ?? "")
            record.string(suiteCase.tags.isEmpty ? "" : JSONValue.array(suiteCase.tags.map { .string($0) }).compactText)
            record.count(suiteCase.repeats ?? 0)
            record.count(suiteCase.location?.line ?? 0)
            record.count(suiteCase.location?.column ?? 0)
            record.count(fileIndex ?? 0)
        }
    }

    /// Gives back the room kept for more cases than were appended.
    mutating func shrink() { records.shrink() }

    /// The cases `isIncluded` keeps, packed.
    public func filter(_ isIncluded: (SuiteCase) throws -> Bool) rethrows -> SuiteCases {
        var kept = SuiteCases()
        for suiteCase in self where try isIncluded(suiteCase) { kept.append(suiteCase) }
        return kept
    }

    // MARK: One field of a case

    /// The id of the case at `index`.
    public func id(at index: Int) -> String {
        var reader = records.reader(at: index)
        return reader.string()
    }

    /// The request fields of the case at `index`: an object with `messages` and, when set, `tools`,
    /// `tool_choice` and `parameters`.
    func requestFields(at index: Int) -> [String: JSONValue] {
        var reader = records.reader(at: index)
        reader.skip()
        return Self.json(reader.bytes())?.objectValue ?? [:]
    }

    /// The expectation of the case at `index`, as `ExpectationJSON` stores it (nil: none).
    func expectJSON(at index: Int) -> String? {
        var reader = records.reader(at: index)
        reader.skip()
        reader.skip()
        let bytes = reader.bytes()
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// The expectation of the case at `index`.
    public func expect(at index: Int) -> Expectation? {
        var reader = records.reader(at: index)
        reader.skip()
        reader.skip()
        return Self.json(reader.bytes()).map(ExpectationJSON.decode)
    }

    /// The tags of the case at `index`.
    public func tags(at index: Int) -> [String] {
        var reader = records.reader(at: index)
        for _ in 0..<3 { reader.skip() }
        return Self.json(reader.bytes())?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The repeats the case at `index` asks for; nil: the run's default.
    public func repeats(at index: Int) -> Int? {
        var reader = records.reader(at: index)
        for _ in 0..<4 { reader.skip() }
        let repeats = reader.count()
        return repeats == 0 ? nil : repeats
    }

    /// Parsed JSON of stored bytes; nil for none (no bytes).
    private static func json(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        guard !bytes.isEmpty else { return nil }
        var parser = JSONBytesParser<JSONValueTree>(bytes: Array(bytes))
        return try? parser.parseDocument()
    }
}
