/// The cases of a suite, packed: a case costs its own text and a few bytes (`PackedRecords`), not the strings,
/// arrays and dictionaries of a `SuiteCase`, so a suite of a hundred thousand cases stays small all run.
///
/// Reading an element decodes a whole `SuiteCase`; a run reads only what it needs of a case (its id, its
/// expectation, its request fields) through the accessors below, each decoding that part alone.
///
/// What many cases share is stored once: the tools, tool choice and parameters a suite gives all its cases,
/// and its system prompt. A record holds, in order: the id; the messages (a user prompt alone, a shared system
/// prompt and a user prompt, or else the list as compact JSON); the tools, tool choice and parameters (each
/// none, shared, or its own compact JSON); the expectation as stored (`ExpectationJSON`, empty when none); the
/// tags as a JSON list (empty when none); the repeats (0: the run's default); the line and column (0: unknown)
/// and the index of its file.
public struct SuiteCases: RandomAccessCollection, Sendable {
    private var records = PackedRecords()
    /// The files cases were read from, for their locations.
    private var files: [String] = []
    /// Values several cases share (a system prompt, tools, a tool choice or parameters), and their indices by
    /// their text (kept while cases are appended).
    private var shared: [JSONValue] = []
    private var sharedIndex: [String: Int] = [:]
    /// Texts shared at most: beyond, a case keeps its own, so a suite whose cases each differ builds no table.
    private static let maxShared = 1024

    /// How a case's messages are kept.
    private enum MessagesForm: Int {
        /// As compact JSON.
        case json
        /// One user message: its text.
        case prompt
        /// A system message from `shared`, then a user message: its index and the user text.
        case systemAndPrompt
    }

    /// How each of a case's tools, tool choice and parameters is kept.
    private enum PartForm: Int {
        case none
        case own
        case shared
    }

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
        let request = readRequest(&reader)
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
        let fileIndex = suiteCase.location.map { location in
            if let known = files.lastIndex(of: location.file) { return known }
            files.append(location.file)
            return files.count - 1
        }
        // Each part as it is kept: its form, and the shared index or the own text.
        let plain = suiteCase.messages.map(Self.plainMessage)
        var messages = (MessagesForm.json, 0, "")
        if plain.count == 1, let user = plain[0], user.role == "user" {
            messages = (.prompt, 0, user.text)
        } else if plain.count == 2, let system = plain[0], system.role == "system", let user = plain[1],
            user.role == "user", let index = share(.string(system.text), key: "system:" + system.text)
        {
            messages = (.systemAndPrompt, index, user.text)
        } else {
            messages.2 = JSONValue.array(suiteCase.messages).compactText
        }
        let parts = [
            suiteCase.tools.map { JSONValue.array($0) }, suiteCase.toolChoice,
            suiteCase.parameters.isEmpty ? nil : .object(suiteCase.parameters),
        ].map { part -> (PartForm, Int, String) in
            guard let part else { return (.none, 0, "") }
            let text = part.compactText
            return share(part, key: "json:" + text).map { (.shared, $0, "") } ?? (.own, 0, text)
        }
        records.append { record in
            record.string(suiteCase.id)
            record.count(messages.0.rawValue)
            if messages.0 == .systemAndPrompt { record.count(messages.1) }
            record.string(messages.2)
            for (form, index, text) in parts {
                record.count(form.rawValue)
                switch form {
                case .none: break
                case .own: record.string(text)
                case .shared: record.count(index)
                }
            }
            record.string(suiteCase.expect.map { ExpectationJSON.encode($0).compactText } ?? "")
            record.string(suiteCase.tags.isEmpty ? "" : JSONValue.array(suiteCase.tags.map { .string($0) }).compactText)
            record.count(suiteCase.repeats ?? 0)
            record.count(suiteCase.location?.line ?? 0)
            record.count(suiteCase.location?.column ?? 0)
            record.count(fileIndex ?? 0)
        }
    }

    /// Gives back the room kept for more cases than were appended.
    mutating func shrink() {
        records.shrink()
        sharedIndex = [:]
    }

    /// The cases `isIncluded` keeps, packed.
    public func filter(_ isIncluded: (SuiteCase) throws -> Bool) rethrows -> SuiteCases {
        var kept = SuiteCases()
        for suiteCase in self where try isIncluded(suiteCase) { kept.append(suiteCase) }
        kept.shrink()
        return kept
    }

    // MARK: One part of a case

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
        return readRequest(&reader)
    }

    /// The expectation of the case at `index`, as `ExpectationJSON` stores it (nil: none).
    func expectJSON(at index: Int) -> String? {
        var reader = records.reader(at: index)
        skipToExpect(&reader)
        let bytes = reader.bytes()
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// The expectation of the case at `index`.
    public func expect(at index: Int) -> Expectation? {
        var reader = records.reader(at: index)
        skipToExpect(&reader)
        return Self.json(reader.bytes()).map(ExpectationJSON.decode)
    }

    /// The tags of the case at `index`.
    public func tags(at index: Int) -> [String] {
        var reader = records.reader(at: index)
        skipToExpect(&reader)
        reader.skip()
        return Self.json(reader.bytes())?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The repeats the case at `index` asks for; nil: the run's default.
    public func repeats(at index: Int) -> Int? {
        var reader = records.reader(at: index)
        skipToExpect(&reader)
        reader.skip()
        reader.skip()
        let repeats = reader.count()
        return repeats == 0 ? nil : repeats
    }

    // MARK: Reading and writing parts

    /// The index of `value` (known by `key`) among the shared values, added when there is room; nil when there
    /// is none. After `shrink` the index is gone: a value appended then is kept by the case itself.
    private mutating func share(_ value: JSONValue, key: String) -> Int? {
        if let known = sharedIndex[key] { return known }
        guard shared.count < Self.maxShared, shared.isEmpty || !sharedIndex.isEmpty else { return nil }
        shared.append(value)
        sharedIndex[key] = shared.count - 1
        return shared.count - 1
    }

    /// A message that is only a role and text content; nil for any other.
    private static func plainMessage(_ message: JSONValue) -> (role: String, text: String)? {
        guard let members = message.objectValue, members.count == 2, let role = members["role"]?.stringValue,
            let text = members["content"]?.stringValue
        else { return nil }
        return (role, text)
    }

    /// Reads the messages, tools, tool choice and parameters at `reader` as the request fields.
    private func readRequest(_ reader: inout PackedRecords.Reader) -> [String: JSONValue] {
        var request: [String: JSONValue] = [:]
        switch MessagesForm(rawValue: reader.count()) ?? .json {
        case .json:
            request["messages"] = Self.json(reader.bytes()) ?? .array([])
        case .prompt:
            request["messages"] = [["role": "user", "content": .string(reader.string())]]
        case .systemAndPrompt:
            let system = shared[reader.count()]
            request["messages"] = [["role": "system", "content": system], ["role": "user", "content": .string(reader.string())]]
        }
        for key in ["tools", "tool_choice", "parameters"] {
            switch PartForm(rawValue: reader.count()) ?? .none {
            case .none: break
            case .own: request[key] = Self.json(reader.bytes())
            case .shared: request[key] = shared[reader.count()]
            }
        }
        return request
    }

    /// Moves `reader` from the start of a record to its expectation.
    private func skipToExpect(_ reader: inout PackedRecords.Reader) {
        reader.skip()
        if MessagesForm(rawValue: reader.count()) == .systemAndPrompt { _ = reader.count() }
        reader.skip()
        for _ in 0..<3 {
            switch PartForm(rawValue: reader.count()) ?? .none {
            case .none: break
            case .own: reader.skip()
            case .shared: _ = reader.count()
            }
        }
    }

    /// Parsed JSON of stored bytes; nil for none (no bytes).
    private static func json(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        guard !bytes.isEmpty else { return nil }
        var parser = JSONBytesParser<JSONValueTree>(bytes: Array(bytes))
        return try? parser.parseDocument()
    }
}
