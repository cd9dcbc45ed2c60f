/// One repeat of one case with every backend's response and both verdicts, as the reports show it.
package struct CaseRepeatRow: Sendable {
    package var caseRecord: CaseRecord
    package var repeatIndex: Int
    /// Responses in config order (a backend without a stored response is absent).
    package var responses: [ResponseRecord]
    package var ailb: VerdictRecord?
    package var semantic: VerdictRecord?

    /// The verdict under `profile`.
    package func verdict(_ profile: EquivalenceProfile) -> VerdictRecord? {
        profile == .ailb ? ailb : semantic
    }

    /// The response of `backend`, if stored.
    package func response(_ backend: String) -> ResponseRecord? {
        responses.first { $0.backend == backend }
    }

    /// True when `ailb` disagrees and `semantic` agrees.
    package var isSpurious: Bool {
        guard let ailb, let semantic else { return false }
        return ailb.verdict.disagreement && !semantic.verdict.disagreement && semantic.verdict.successes >= 2
    }

    /// True when the two profiles group the backends differently.
    package var profilesDiffer: Bool {
        guard let ailb, let semantic else { return false }
        // The same groups in the same order are the same partition: most repeats, told apart without sets.
        if ailb.verdict.answerGroups == semantic.verdict.answerGroups { return false }
        func partition(_ groups: [[String]]) -> Set<Set<String>> { Set(groups.map(Set.init)) }
        return partition(ailb.verdict.answerGroups) != partition(semantic.verdict.answerGroups)
    }

    /// The statistics' view of this row under `profile`.
    package func observation(_ profile: EquivalenceProfile) -> CaseRepeatObservation {
        var correct: [String: Bool] = [:]
        for response in responses where response.success {
            if let isCorrect = response.correct { correct[response.backend] = isCorrect }
        }
        return CaseRepeatObservation(
            // Order-free groups: pairwise agreement, κ and α must not change with the order of the backends.
            suite: caseRecord.suite, tags: caseRecord.tags, groups: verdict(profile)?.verdict.answerGroups,
            ailbGroups: ailb?.verdict.answerGroups, semanticGroups: semantic?.verdict.answerGroups, correct: correct)
    }

    /// The brief view of this row under `profile`.
    package func outline(_ profile: EquivalenceProfile) -> CaseRepeatOutline {
        let chosen = verdict(profile)
        return CaseRepeatOutline(
            caseRecord: caseRecord, repeatIndex: repeatIndex, verdict: chosen?.verdict,
            consensusCorrect: chosen?.consensusCorrect, profilesDiffer: profilesDiffer, isSpurious: isSpurious,
            answered: responses.map { CaseRepeatOutline.Answer(backend: $0.backend, success: $0.success) })
    }

    /// Every repeat of every case of a run, in plan order, with responses read without their raw bodies.
    /// Holds every answer in memory: reports read `ReportContent` instead, which keeps outlines.
    package static func loadAll(
        store: some RunReader, runID: Int64, backends: [BackendRecord], cases: StoredCases
    ) throws
        -> [CaseRepeatRow]
    {
        var rows: [CaseRepeatRow] = []
        try forEach(store: store, runID: runID, backends: backends, cases: cases, columns: .withoutRawBody) {
            rows.append($0)
        }
        return rows
    }

    /// Calls `body` with every repeat of every case of a run, in plan order, one at a time, responses read
    /// with `columns`. An interrupted run may lack some repeats: rows are made for what is stored.
    static func forEach(
        store: some RunReader, runID: Int64, backends: [BackendRecord], cases: StoredCases, columns: ResponseColumns,
        _ body: (CaseRepeatRow) throws -> Void
    ) throws {
        let order = Dictionary(uniqueKeysWithValues: backends.map { ($0.name, $0.position) })
        try store.forEachCaseRepeat(runID: runID, columns: columns) { stored in
            guard let index = cases.index(ofPosition: stored.casePosition) else { return }
            try body(CaseRepeatRow(stored, caseRecord: cases[index], order: order))
        }
    }
}

extension CaseRepeatRow {
    /// A row of stored records, responses put in config order (`order`: backend name → position).
    init(_ stored: StoredCaseRepeat, caseRecord: CaseRecord, order: [String: Int]) {
        self.init(
            caseRecord: caseRecord, repeatIndex: stored.repeatIndex,
            responses: stored.responses.sorted { (order[$0.backend] ?? .max) < (order[$1.backend] ?? .max) },
            ailb: stored.ailb, semantic: stored.semantic)
    }
}

/// One repeat of a case as a report lists it in brief: its verdict under the report's profile and which
/// backends answered, without the answers.
package struct CaseRepeatOutline: Sendable, Hashable {
    /// A stored response, reduced to whose it is and whether it succeeded.
    package struct Answer: Sendable, Hashable {
        package var backend: String
        package var success: Bool
    }

    package var caseRecord: CaseRecord
    package var repeatIndex: Int
    /// The verdict under the report's profile, and whether its winner met `expect`.
    package var verdict: Verdict?
    package var consensusCorrect: Bool?
    /// See `CaseRepeatRow.profilesDiffer` and `CaseRepeatRow.isSpurious`.
    package var profilesDiffer: Bool
    package var isSpurious: Bool
    /// The stored responses in config order.
    package var answered: [Answer]

    /// True when at least two backends answered, so the verdict means something.
    package var isJudged: Bool { (verdict?.successes ?? 0) >= 2 }
}
