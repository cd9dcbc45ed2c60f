/// The cases of a stored run in plan order, packed (`PackedRecords`): a case costs its text and a few bytes,
/// not a `CaseRecord`'s strings and array, so a report of a run of any size holds its cases in little room.
/// Each element is a `CaseRecord` again when read.
///
/// How much of each case is kept is its `Detail`: reports keep an outline (what sorts and counts a case) and
/// read the prompts and expectations of the few cases they show in full by position.
package struct StoredCases: RandomAccessCollection, Sendable {
    /// How much of each case is kept.
    package enum Detail: Sendable, Comparable {
        /// Position, suite, id, tags, repeats, and whether it has an expected answer: `prompt` and
        /// `requestJSON` read as empty, and `expectJSON` as empty (not nil) when the case has one.
        case outline
        /// Everything but the request it sent (`requestJSON` reads as empty).
        case withoutRequests
        /// Everything.
        case all
    }

    private var records = PackedRecords()
    /// Suite names, each stored once.
    private var suites: [String] = []
    /// How much of each case is kept.
    package let detail: Detail
    /// The repeats of all the cases: the case repeats the run planned.
    package private(set) var totalRepeats = 0

    /// No cases yet, to be kept at `detail`.
    package init(detail: Detail = .all) {
        self.detail = detail
    }

    /// `records`, packed whole.
    package init(_ records: some Sequence<CaseRecord>) {
        self.init(detail: .all)
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
        let hasExpect = reader.count() == 1
        var tags: [String] = []
        for _ in 0..<reader.count() { tags.append(reader.string()) }
        let repeats = reader.count()
        let prompt = detail >= .withoutRequests ? reader.string() : ""
        let expect = hasExpect ? (detail >= .withoutRequests ? reader.string() : "") : nil
        let requestJSON = detail == .all ? reader.string() : ""
        return CaseRecord(
            position: position, suite: suite, caseID: caseID, prompt: prompt, requestJSON: requestJSON, expectJSON: expect,
            tags: tags, repeats: repeats)
    }

    /// Appends `record`, keeping what `detail` keeps of it.
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
        let detail = self.detail
        totalRepeats += record.repeats
        records.append { writer in
            writer.count(record.position)
            writer.count(suiteIndex)
            writer.string(record.caseID)
            writer.count(record.expectJSON == nil ? 0 : 1)
            writer.count(record.tags.count)
            for tag in record.tags { writer.string(tag) }
            writer.count(record.repeats)
            guard detail >= .withoutRequests else { return }
            writer.string(record.prompt)
            if let expect = record.expectJSON { writer.string(expect) }
            guard detail == .all else { return }
            writer.string(record.requestJSON)
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
        reader.skip()
        return reader.count() == 1
    }
}
