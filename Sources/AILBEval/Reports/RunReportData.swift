/// A stored run with everything a report or a gate needs, read from the store.
public struct RunReportData: Sendable {
    public var run: RunRecord
    public var backends: [BackendRecord]
    public var cases: [CaseRecord]
    public var statistics: RunStatistics

    /// Reads a run and computes its statistics under `profile` (default: the run's own).
    public static func load(store: ResultStore, runID: Int64, profile: EquivalenceProfile? = nil) throws -> RunReportData {
        let run = try store.run(String(runID))
        let backends = try store.backends(runID: runID)
        let cases = try store.cases(runID: runID)
        let chosen = profile ?? run.profile
        var builder = RunStatistics.Builder(profile: chosen, backends: backends)
        try store.forEachResponse(runID: runID, includeRawBody: false) { builder.add($0) }
        let verdicts = try store.verdicts(runID: runID)
        var index = 0
        while index < verdicts.count {
            var ailb: VerdictRecord?
            var semantic: VerdictRecord?
            let key = (verdicts[index].casePosition, verdicts[index].repeatIndex)
            while index < verdicts.count, (verdicts[index].casePosition, verdicts[index].repeatIndex) == key {
                switch verdicts[index].profile {
                case .ailb: ailb = verdicts[index]
                case .semantic: semantic = verdicts[index]
                }
                index += 1
            }
            if let chosenVerdict = chosen == .ailb ? ailb : semantic {
                builder.add(verdict: chosenVerdict, ailb: ailb, semantic: semantic)
            }
        }
        return RunReportData(run: run, backends: backends, cases: cases, statistics: builder.build())
    }
}
