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
        let races = run.mode == .race ? try store.races(runID: runID) : []
        var winnerLatency: [Int: [Int: Double]] = [:]
        var winners: [Int: [Int: String]] = [:]
        for race in races {
            if let latency = race.winnerLatencyMs { winnerLatency[race.casePosition, default: [:]][race.repeatIndex] = latency }
            if let winner = race.winner { winners[race.casePosition, default: [:]][race.repeatIndex] = winner }
        }
        var answerTime = AnswerTime.Builder(mode: run.mode, winnerLatency: winnerLatency)
        var winnerCorrect: [Int: [Int: Bool]] = [:]
        try store.forEachResponse(runID: runID, columns: .outline) { response in
            builder.add(response)
            answerTime.add(
                casePosition: response.casePosition, repeatIndex: response.repeatIndex, latencyMs: response.latencyMs,
                errorClass: response.errorClass)
            if let correct = response.correct, winners[response.casePosition]?[response.repeatIndex] == response.backend {
                winnerCorrect[response.casePosition, default: [:]][response.repeatIndex] = correct
            }
        }
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
        var statistics = builder.build()
        statistics.answerTime = answerTime.build()
        if backends.contains(where: { $0.kind == .ailb }) {
            var check = FastestHeaderCheck()
            for record in try store.responseHeaders(runID: runID) {
                check.add(
                    header: record.headers["x-fastest-backend"], expected: record.headers[LoadBalancerAnswer.expectedFastestKey],
                    at: "case \(record.casePosition) repeat \(record.repeatIndex + 1)")
            }
            if check.checked > 0 { statistics.fastestHeader = check }
        }
        if run.mode == .race {
            let hasExpect = Set(cases.filter { $0.expectJSON != nil }.map(\.position))
            var raceBuilder = RaceStatistics.Builder(
                backends: backends.filter { $0.via == nil }.map(\.name),
                loadBalancers: Set(backends.filter { $0.kind == .ailb }.map(\.name)))
            for race in races {
                raceBuilder.add(
                    race, winnerCorrect: winnerCorrect[race.casePosition]?[race.repeatIndex],
                    hasExpect: hasExpect.contains(race.casePosition))
            }
            statistics.race = raceBuilder.build()
        }
        return RunReportData(run: run, backends: backends, cases: cases, statistics: statistics)
    }
}
