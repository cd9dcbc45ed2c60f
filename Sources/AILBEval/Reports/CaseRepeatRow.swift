/// One repeat of one case with every backend's response and both verdicts, as the reports show it.
public struct CaseRepeatRow: Sendable {
    public var caseRecord: CaseRecord
    public var repeatIndex: Int
    /// Responses in config order (a backend without a stored response is absent).
    public var responses: [ResponseRecord]
    public var ailb: VerdictRecord?
    public var semantic: VerdictRecord?

    /// The verdict under `profile`.
    public func verdict(_ profile: EquivalenceProfile) -> VerdictRecord? {
        profile == .ailb ? ailb : semantic
    }

    /// The response of `backend`, if stored.
    public func response(_ backend: String) -> ResponseRecord? {
        responses.first { $0.backend == backend }
    }

    /// True when `ailb` disagrees and `semantic` agrees.
    public var isSpurious: Bool {
        guard let ailb, let semantic else { return false }
        return ailb.verdict.disagreement && !semantic.verdict.disagreement && semantic.verdict.successes >= 2
    }

    /// True when the two profiles group the backends differently.
    public var profilesDiffer: Bool {
        guard let ailb, let semantic else { return false }
        func partition(_ groups: [[String]]) -> Set<Set<String>> { Set(groups.map(Set.init)) }
        return partition(ailb.verdict.groups) != partition(semantic.verdict.groups)
    }

    /// The statistics' view of this row under `profile`.
    public func observation(_ profile: EquivalenceProfile) -> CaseRepeatObservation {
        var correct: [String: Bool] = [:]
        for response in responses where response.success {
            if let isCorrect = response.correct { correct[response.backend] = isCorrect }
        }
        return CaseRepeatObservation(
            suite: caseRecord.suite, tags: caseRecord.tags, groups: verdict(profile)?.verdict.groups,
            ailbGroups: ailb?.verdict.groups, semanticGroups: semantic?.verdict.groups, correct: correct)
    }

    /// Every repeat of every case of a run, in plan order, with responses read without their raw bodies.
    public static func loadAll(store: ResultStore, runID: Int64, backends: [BackendRecord], cases: [CaseRecord]) throws
        -> [CaseRepeatRow]
    {
        struct Key: Hashable {
            var position: Int
            var repeatIndex: Int
        }
        let order = Dictionary(uniqueKeysWithValues: backends.map { ($0.name, $0.position) })
        var responses: [Key: [ResponseRecord]] = [:]
        try store.forEachResponse(runID: runID, includeRawBody: false) { response in
            responses[Key(position: response.casePosition, repeatIndex: response.repeatIndex), default: []].append(response)
        }
        var verdicts: [Key: (ailb: VerdictRecord?, semantic: VerdictRecord?)] = [:]
        for verdict in try store.verdicts(runID: runID) {
            let key = Key(position: verdict.casePosition, repeatIndex: verdict.repeatIndex)
            switch verdict.profile {
            case .ailb: verdicts[key, default: (nil, nil)].ailb = verdict
            case .semantic: verdicts[key, default: (nil, nil)].semantic = verdict
            }
        }
        // An interrupted run may lack some repeats: rows are made for what is stored.
        var stored: [Int: Set<Int>] = [:]
        for key in responses.keys { stored[key.position, default: []].insert(key.repeatIndex) }
        for key in verdicts.keys { stored[key.position, default: []].insert(key.repeatIndex) }
        var rows: [CaseRepeatRow] = []
        for record in cases {
            for repeatIndex in (stored[record.position] ?? []).sorted() {
                let key = Key(position: record.position, repeatIndex: repeatIndex)
                let sorted = (responses[key] ?? []).sorted { (order[$0.backend] ?? .max) < (order[$1.backend] ?? .max) }
                rows.append(
                    CaseRepeatRow(
                        caseRecord: record, repeatIndex: repeatIndex, responses: sorted, ailb: verdicts[key]?.ailb,
                        semantic: verdicts[key]?.semantic))
            }
        }
        return rows
    }
}
