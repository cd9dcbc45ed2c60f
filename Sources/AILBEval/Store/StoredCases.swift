/// The cases of a stored run in plan order, packed (`PackedRecords`): a case costs its text and a few bytes,
/// not a `CaseRecord`'s strings and array, so a report of a run of any size holds its cases in little room.
/// Each element is a `CaseRecord` again when read.
///
/// Reports do not need the request a case sent: read `withRequests: false`, its `requestJSON` is empty and
/// the request costs nothing. Comparisons and resumes, which need it, read it.
package struct StoredCases: RandomAccessCollection, Sendable {
    private var records = PackedRecords()
    /// Suite names, each stored once.
    private var suites: [String] = []
    /// Whether the requests are kept.
    package let withRequests: Bool
    /// The repeats of all the cases: the case repeats the run planned.
    package private(set) var totalRepeats = 0

    /// No cases yet; `withRequests` says whether their requests will be kept.
    package init(withRequests: Bool = true) {
        self.withRequests = withRequests
    }

    /// `records`, packed, requests included.
    package init(_ records: some Sequence<CaseRecord>) {
        self.init(withRequests: true)
        for record in records { append(record) }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { records.count }

    /// The case at `index`.
    package subscript(index: Int) -> CaseRecord {
        var reader = records.reader(at: index)
        let position = reader.count()
        let suite = suites[reader.count()]
        let caseID = reader.string()
        let prompt = reader.string()
        let requestJSON = reader.string()
        let expect = reader.count() == 1 ? reader.string() : nil
        var tags: [String] = []
        for _ in 0..<reader.count() { tags.append(reader.string()) }
        let repeats = reader.count()
        return CaseRecord(
            position: position, suite: suite, caseID: caseID, prompt: prompt, requestJSON: requestJSON, expectJSON: expect,
            tags: tags, repeats: repeats)
    }

    /// Appends `record` (without its request unless `withRequests`).
    package mutating func append(_ record: CaseRecord) {
        let suiteIndex: Int
        if let last = suites.indices.last, suites[last] == record.suite {
            suiteIndex = last
        } else if let known = suites.firstIndex(of: record.suite) {
            suiteIndex = known
        } else {
            suites.append(record.suite)
            suiteIndex = suites.count - 1
        }
        let keepsRequest = withRequests
        totalRepeats += record.repeats
        records.append { writer in
            writer.count(record.position)
            writer.count(suiteIndex)
            writer.string(record.caseID)
            writer.string(record.prompt)
            writer.string(keepsRequest ? record.requestJSON : "")
            writer.count(record.expectJSON == nil ? 0 : 1)
            if let expect = record.expectJSON { writer.string(expect) }
            writer.count(record.tags.count)
            for tag in record.tags { writer.string(tag) }
            writer.count(record.repeats)
        }
    }

    /// Gives back the room kept for more cases than were appended.
    mutating func shrink() { records.shrink() }

    /// The index of the case at plan position `position`, if there is one: positions are usually the indices
    /// themselves, which is checked before searching.
    package func index(ofPosition position: Int) -> Int? {
        if position >= 0, position < count, self.position(at: position) == position { return position }
        var low = 0
        var high = count - 1
        while low <= high {
            let middle = (low + high) / 2
            let found = self.position(at: middle)
            if found == position { return middle }
            if found < position { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    /// The plan position of the case at `index`.
    func position(at index: Int) -> Int {
        var reader = records.reader(at: index)
        return reader.count()
    }

    /// Whether the case at `index` has an expected answer.
    package func hasExpect(at index: Int) -> Bool {
        var reader = records.reader(at: index)
        _ = reader.count()
        _ = reader.count()
        for _ in 0..<3 { reader.skip() }
        return reader.count() == 1
    }
}
