/// A stored run with everything a report or a gate needs, read from the database (or a run held in memory).
package struct RunReportData: Sendable {
    package var run: RunRecord
    package var backends: [BackendRecord]
    /// The cases in plan order, packed, with as much of each as the run was read with (`StoredCases.Detail`).
    package var cases: StoredCases
    package var statistics: RunStatistics

    package init(run: RunRecord, backends: [BackendRecord], cases: StoredCases, statistics: RunStatistics) {
        self.run = run
        self.backends = backends
        self.cases = cases
        self.statistics = statistics
    }

    package init(run: RunRecord, backends: [BackendRecord], cases: [CaseRecord], statistics: RunStatistics) {
        self.init(run: run, backends: backends, cases: StoredCases(cases), statistics: statistics)
    }

    /// Reads a run and computes its statistics under `profile` (default: the run's own), in one pass over its
    /// case repeats, with what `cases` keeps of its cases.
    package static func load(
        store: some RunReader, runID: Int64, profile: EquivalenceProfile? = nil, cases: StoredCases.Detail = .all
    ) throws -> RunReportData {
        var builder = try Builder(store: store, runID: runID, profile: profile, cases: cases)
        try store.forEachCaseRepeat(runID: runID, columns: .outline) { builder.add($0) }
        return try builder.build(store: store)
    }

    /// Accumulates a run's statistics from its stored case repeats, given in (case, repeat) order: one
    /// repeat in memory at a time.
    struct Builder {
        let run: RunRecord
        let backends: [BackendRecord]
        let cases: StoredCases
        let profile: EquivalenceProfile
        let races: [RaceRecord]
        var statistics: RunStatistics.Builder
        var answerTime: AnswerTime.Builder
        /// A race's winner per (case, repeat), and whether its answer was correct.
        let winners: [Int: [Int: String]]
        var winnerCorrect: [Int: [Int: Bool]] = [:]

        /// Reads the run, its backends, cases and races; `profile` nil: the run's own.
        init(store: some RunReader, runID: Int64, profile: EquivalenceProfile?, cases detail: StoredCases.Detail) throws {
            run = try store.run(String(runID))
            backends = try store.backends(runID: runID)
            cases = try store.storedCases(runID: runID, detail: detail)
            self.profile = profile ?? run.profile
            statistics = RunStatistics.Builder(profile: self.profile, backends: backends)
            races = run.mode == .race ? try store.races(runID: runID) : []
            var winnerLatency: [Int: [Int: Double]] = [:]
            var winners: [Int: [Int: String]] = [:]
            for race in races {
                if let latency = race.winnerLatencyMs { winnerLatency[race.casePosition, default: [:]][race.repeatIndex] = latency }
                if let winner = race.winner { winners[race.casePosition, default: [:]][race.repeatIndex] = winner }
            }
            self.winners = winners
            answerTime = AnswerTime.Builder(mode: run.mode, winnerLatency: winnerLatency)
            statistics.reserveCapacity(perBackend: cases.totalRepeats)
            answerTime.reserveCapacity(cases.totalRepeats)
        }

        /// Adds one stored repeat: its responses, then its verdict under the chosen profile (with both, for
        /// spurious disagreements).
        mutating func add(_ stored: StoredCaseRepeat) {
            for response in stored.responses {
                statistics.add(response)
                answerTime.add(
                    casePosition: response.casePosition, repeatIndex: response.repeatIndex, latencyMs: response.latencyMs,
                    errorClass: response.errorClass)
                if let correct = response.correct, winners[response.casePosition]?[response.repeatIndex] == response.backend {
                    winnerCorrect[response.casePosition, default: [:]][response.repeatIndex] = correct
                }
            }
            if let chosen = profile == .ailb ? stored.ailb : stored.semantic {
                statistics.add(verdict: chosen, ailb: stored.ailb, semantic: stored.semantic)
            }
        }

        /// The run with its finished statistics; reads the load balancers' headers, when there are any.
        func build(store: some RunReader) throws -> RunReportData {
            var statistics = self.statistics.build()
            statistics.answerTime = answerTime.build()
            if backends.contains(where: { $0.kind == .ailb }) {
                var check = FastestHeaderCheck()
                for record in try store.responseHeaders(runID: run.id) {
                    check.add(
                        header: record.headers["x-fastest-backend"],
                        expected: record.headers[LoadBalancerAnswer.expectedFastestKey],
                        at: "case \(record.casePosition) repeat \(record.repeatIndex + 1)")
                }
                if check.checked > 0 { statistics.fastestHeader = check }
            }
            if run.mode == .race {
                var raceBuilder = RaceStatistics.Builder(
                    backends: backends.filter { $0.via == nil }.map(\.name),
                    loadBalancers: Set(backends.filter { $0.kind == .ailb }.map(\.name)))
                for race in races {
                    let hasExpect = cases.index(ofPosition: race.casePosition).map(cases.hasExpect(at:)) ?? false
                    raceBuilder.add(
                        race, winnerCorrect: winnerCorrect[race.casePosition]?[race.repeatIndex], hasExpect: hasExpect)
                }
                statistics.race = raceBuilder.build()
            }
            return RunReportData(run: run, backends: backends, cases: cases, statistics: statistics)
        }
    }
}
