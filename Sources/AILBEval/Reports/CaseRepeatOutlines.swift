/// The outlines of every repeat of a run's cases, packed so that a report's memory does not grow with
/// the answers: each outline is a short run of variable-length integers (about 20 bytes for three
/// backends), names are stored once and cases not at all: an outline names its case by its index in the
/// run's cases (`StoredCases`, shared with the report).
///
/// Layout of one outline: case reference, repeat, flags, number of answers, then per answer its name id
/// × 2 + success; with a verdict: comparison type, winner name id, agreement count, successes, number of
/// groups, and per group its size and its members' name ids. A case reference is its index × 2, or, for a
/// case that is not among the run's (rows made by hand), its index in `otherCases` × 2 + 1.
struct CaseRepeatOutlines: Sendable {
    private let cases: StoredCases
    private var otherCases: [CaseRecord] = []
    private var names: [String] = []
    private var nameIDs: [String: Int] = [:]
    private var starts: [Int32] = []
    private var bytes: [UInt8] = []

    private enum Flag {
        static let verdict = 1
        static let disagreement = 2
        static let consensusKnown = 4
        static let consensusCorrect = 8
        static let profilesDiffer = 16
        static let spurious = 32
    }

    /// Outlines of repeats of `cases`.
    init(cases: StoredCases) {
        self.cases = cases
    }

    /// Number of outlines.
    var count: Int { starts.count }

    /// Makes room for `count` outlines of repeats answered by about `backends` backends.
    mutating func reserveCapacity(_ count: Int, backends: Int) {
        starts.reserveCapacity(count)
        bytes.reserveCapacity(count * (12 + 2 * backends))
    }

    /// Appends `outline`.
    mutating func append(_ outline: CaseRepeatOutline) {
        starts.append(Int32(bytes.count))
        var flags = 0
        if let verdict = outline.verdict {
            flags |= Flag.verdict
            if verdict.disagreement { flags |= Flag.disagreement }
        }
        if let correct = outline.consensusCorrect {
            flags |= Flag.consensusKnown
            if correct { flags |= Flag.consensusCorrect }
        }
        if outline.profilesDiffer { flags |= Flag.profilesDiffer }
        if outline.isSpurious { flags |= Flag.spurious }
        put(caseReference(outline.caseRecord))
        put(outline.repeatIndex)
        put(flags)
        put(outline.answered.count)
        for answer in outline.answered { put(id(answer.backend) * 2 + (answer.success ? 1 : 0)) }
        guard let verdict = outline.verdict else { return }
        put(ComparisonType.allCases.firstIndex(of: verdict.comparisonType)!)
        put(id(verdict.winner))
        put(verdict.agreementCount)
        put(verdict.successes)
        put(verdict.groups.count)
        for group in verdict.groups {
            put(group.count)
            for member in group { put(id(member)) }
        }
    }

    /// The outline at `index` (in the order appended).
    func outline(at index: Int) -> CaseRepeatOutline {
        var position = Int(starts[index])
        func take() -> Int {
            var value = 0
            var shift = 0
            while true {
                let byte = bytes[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        let caseReference = take()
        let repeatIndex = take()
        let flags = take()
        var answered: [CaseRepeatOutline.Answer] = []
        let answers = take()
        answered.reserveCapacity(answers)
        for _ in 0..<answers {
            let value = take()
            answered.append(CaseRepeatOutline.Answer(backend: names[value / 2], success: value % 2 == 1))
        }
        var verdict: Verdict?
        if flags & Flag.verdict != 0 {
            let comparisonType = ComparisonType.allCases[take()]
            let winner = names[take()]
            let agreementCount = take()
            let successes = take()
            var groups: [[String]] = []
            let groupCount = take()
            groups.reserveCapacity(groupCount)
            for _ in 0..<groupCount {
                let size = take()
                var group: [String] = []
                group.reserveCapacity(size)
                for _ in 0..<size { group.append(names[take()]) }
                groups.append(group)
            }
            verdict = Verdict(
                comparisonType: comparisonType, winner: winner, agreementCount: agreementCount,
                disagreement: flags & Flag.disagreement != 0, groups: groups, successes: successes)
        }
        return CaseRepeatOutline(
            caseRecord: caseReference % 2 == 0 ? cases[caseReference / 2] : otherCases[caseReference / 2],
            repeatIndex: repeatIndex, verdict: verdict,
            consensusCorrect: flags & Flag.consensusKnown != 0 ? flags & Flag.consensusCorrect != 0 : nil,
            profilesDiffer: flags & Flag.profilesDiffer != 0, isSpurious: flags & Flag.spurious != 0,
            answered: answered)
    }

    private mutating func caseReference(_ record: CaseRecord) -> Int {
        if let index = cases.index(ofPosition: record.position), cases[index] == record { return index * 2 }
        if let known = otherCases.lastIndex(of: record) { return known * 2 + 1 }
        otherCases.append(record)
        return (otherCases.count - 1) * 2 + 1
    }

    private mutating func id(_ name: String) -> Int {
        if let known = nameIDs[name] { return known }
        nameIDs[name] = names.count
        names.append(name)
        return names.count - 1
    }

    /// Appends a non-negative integer, seven bits a byte, low bits first.
    private mutating func put(_ value: Int) {
        precondition(value >= 0, "outline values are counts and indices")
        var rest = UInt(value)
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
