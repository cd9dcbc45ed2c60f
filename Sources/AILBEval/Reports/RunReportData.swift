/// A stored run with everything a report or a gate needs, read from the database (or a run held in memory).
public struct RunReportData: Sendable {
    public var run: RunRecord
    public var backends: [BackendRecord]
    public var cases: [CaseRecord]
    public var statistics: RunStatistics

    /// Reads a run and computes its statistics under `profile` (default: the run's own).
    public static func load(store: some RunReader, runID: Int64, profile: EquivalenceProfile? = nil) throws -> RunReportData {
        let run = try store.run(String(runID))
        let backends = try store.backends(runID: runID)
        let cases = try store.cases(runID: runID)
        let chosen = profile ?? run.profile
        var builder = RunStatistics.Builder(profile: chosen, backends: backends)
        try store.forEachResponse(runID: runID, columns: .outline) { builder.add($0) }
        // Verdicts arrive in (case, repeat, profile) order: each repeat's pair is added once both are read.
        var current: (key: (Int, Int), ailb: VerdictRecord?, semantic: VerdictRecord?)?
        func addCurrent() {
            guard let current, let chosenVerdict = chosen == .ailb ? current.ailb : current.semantic else { return }
            builder.add(verdict: chosenVerdict, ailb: current.ailb, semantic: current.semantic)
        }
        try store.forEachVerdict(runID: runID) { verdict in
            let key = (verdict.casePosition, verdict.repeatIndex)
            if let previous = current, previous.key != key {
                addCurrent()
                current = nil
            }
            if current == nil { current = (key, nil, nil) }
            switch verdict.profile {
            case .ailb: current!.ailb = verdict
            case .semantic: current!.semantic = verdict
            }
        }
        addCurrent()
        return RunReportData(run: run, backends: backends, cases: cases, statistics: builder.build())
    }
}
