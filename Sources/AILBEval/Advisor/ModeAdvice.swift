/// Which ai-lb mode a run's numbers argue for: for race, failover, consensus (under each profile) and each
/// backend alone, what it would have returned over the run's case repeats, replayed from the stored answers
/// and latencies (`ModeReplay`); the Pareto front of latency against accuracy; and one line of advice. Pure.
///
/// A run needs every answer for this: one in race mode, which keeps only the winning answer, is not replayed
/// (`unavailable` says so, in one sentence).
package struct ModeAdvice: Sendable {
    /// The figure the rows are compared by.
    package enum Basis: String, Sendable {
        /// Correct answers against `expect`.
        case accuracy
        /// Without `expect`: answers in the group of the consensus winner.
        case agreement
    }

    /// Every way of answering the run allows: the modes, then its backends in config order.
    package var modes: [AnsweringMode]
    /// One row per entry of `modes`, in that order; empty when `unavailable`.
    package var rows: [ModeRow]
    /// Why the run cannot be replayed, as a clause: "run 3 ran in race mode, which keeps only …"; nil when it can.
    package var unavailableReason: String?
    /// The backend flips are counted against, when set.
    package var reference: String?
    /// Case repeats replayed.
    package var repeatCount: Int
    /// Accuracy when any case repeat has `expect`, else agreement with consensus when consensus ever had a
    /// winner, else nil (the rows compare on speed alone).
    package var basis: Basis?
    /// The rows no other row beats on both p50 latency and `basis`, fastest first.
    package var paretoFront: [AnsweringMode]
    /// One line that follows from the numbers (see `ModeAdvice.advice(rows:basis:)`).
    package var advice: String

    /// The replay of `rows`, with the basis, front and advice they imply.
    package init(modes: [AnsweringMode], rows: [ModeRow], reference: String?, repeatCount: Int) {
        self.modes = modes
        self.rows = rows
        self.reference = reference
        self.repeatCount = repeatCount
        unavailableReason = nil
        basis = Self.basis(of: rows)
        paretoFront = Self.paretoFront(rows, basis: basis)
        advice = Self.advice(rows: rows, basis: basis)
    }

    /// A run that cannot be replayed, and why (`unavailableReason`).
    package init(modes: [AnsweringMode], unavailableReason: String, reference: String?) {
        self.modes = modes
        rows = []
        self.reference = reference
        repeatCount = 0
        self.unavailableReason = unavailableReason
        basis = nil
        paretoFront = []
        advice = Self.sentence(unavailableReason)
    }

    /// Why the run cannot be replayed, as the one sentence every report shows instead of the table.
    package var unavailable: String? { unavailableReason.map(Self.sentence) }

    static func sentence(_ reason: String) -> String {
        reason.prefix(1).uppercased() + reason.dropFirst() + ", so what each mode would have returned cannot be computed."
    }

    /// The row of `mode`.
    package func row(_ mode: AnsweringMode) -> ModeRow? {
        rows.first { $0.mode == mode }
    }

    /// The way of answering a flag names by its key (`race`, `consensus-semantic`, a backend); a mode wins
    /// over a backend of the same name.
    package func mode(key: String) -> AnsweringMode? {
        modes.first { $0.key == key }
    }

    /// True when `mode` is on the Pareto front.
    package func isOnFront(_ mode: AnsweringMode) -> Bool { paretoFront.contains(mode) }

    /// The ways of answering a run with `backends` allows: the modes, then every backend that answers on its
    /// own (a load balancer's answers are its members').
    package static func modes(backends: [BackendRecord]) -> [AnsweringMode] {
        AnsweringMode.modes + backends.sorted { $0.position < $1.position }.filter { $0.kind != .ailb }.map { .backend($0.name) }
    }

    /// Why a run in race mode gets no table.
    package static func raceRunReason(runID: Int64) -> String {
        "run \(runID) ran in race mode, which keeps only the first successful answer of each case repeat"
    }

    static func basis(of rows: [ModeRow]) -> Basis? {
        if rows.contains(where: { $0.accuracy.trials > 0 }) { return .accuracy }
        if rows.contains(where: { $0.agreement.trials > 0 }) { return .agreement }
        return nil
    }

    static func paretoFront(_ rows: [ModeRow], basis: Basis?) -> [AnsweringMode] {
        guard let basis else { return [] }
        let plotted = rows.compactMap { row -> (mode: AnsweringMode, x: Double, y: Double)? in
            guard let x = row.latencyP50, let y = row.figure(basis).value else { return nil }
            return (row.mode, x, y)
        }
        return ParetoFront.indices(plotted.map { (x: $0.x, y: $0.y) }).map { plotted[$0].mode }
    }
}

extension ModeAdvice {
    /// Accumulates a run's case repeats one at a time and replays each way of answering. The repeats of a case
    /// come one after another (as a run is read, in case order): each case's counts are folded into the
    /// interval's sums when the next case begins, so nothing is kept per case.
    package struct Builder: Sendable {
        let runID: Int64
        let runMode: RunMode
        let modes: [AnsweringMode]
        let reference: String?
        /// Index in `modes` of the reference backend's row.
        let referenceIndex: Int?
        /// Index in `modes` of each backend's row, and the backends' positions (to put answers in config order).
        let backendRows: [Int]
        let positions: [String: Int]
        var repeatCount = 0
        var counted: [Int]
        var failed: [Int]
        var latencies: [[Double]]
        /// The case being read and, per row, the counts its interval is built from (repeats of a case are
        /// correlated, so a case is one cluster).
        var openCase: (position: Int, tallies: [CaseTally])?
        /// Per row: the sums of the cases already read.
        var accuracy: [ClusterSummary]
        var agreement: [ClusterSummary]
        /// Per row: both correct, reference correct and row wrong, row correct and reference wrong, both wrong.
        var flipTallies: [[Int]]
        /// Per row that is not a backend's own, per backend: whether it returned that backend's answer on every
        /// repeat so far.
        var matches: [[Bool]]

        struct CaseTally: Sendable {
            var correct = 0
            var scored = 0
            var agreeing = 0
            var withWinner = 0
        }

        /// A builder for the run `runID`, stored in `mode`, with `backends` (every row of the run's backends);
        /// flips are counted against `reference` when it is one of them.
        package init(runID: Int64, mode: RunMode, backends: [BackendRecord], reference: String?) {
            self.runID = runID
            runMode = mode
            let modes = ModeAdvice.modes(backends: backends)
            self.modes = modes
            self.reference = reference
            referenceIndex = reference.flatMap { name in modes.firstIndex(of: .backend(name)) }
            backendRows = modes.indices.filter { modes[$0].backend != nil }
            positions = Dictionary(backends.map { ($0.name, $0.position) }, uniquingKeysWith: { a, _ in a })
            counted = Array(repeating: 0, count: modes.count)
            failed = counted
            latencies = Array(repeating: [], count: modes.count)
            accuracy = Array(repeating: ClusterSummary(), count: modes.count)
            agreement = accuracy
            flipTallies = Array(repeating: [0, 0, 0, 0], count: modes.count)
            matches = Array(repeating: Array(repeating: true, count: backendRows.count), count: modes.count)
        }

        /// Makes room for `count` case repeats at once: each row's latencies are then allocated once, not grown
        /// (and copied) by doubling.
        package mutating func reserveCapacity(repeats count: Int) {
            for index in latencies.indices { latencies[index].reserveCapacity(count) }
        }

        /// Adds one case repeat: its stored answers (any order; replayed in config order), whether its case has
        /// `expect`, and its verdicts under each profile.
        package mutating func add(
            casePosition: Int, hasExpect: Bool, answers unordered: [ReplayedAnswer], ailb: Verdict?, semantic: Verdict?
        ) {
            guard runMode != .race, !unordered.isEmpty else { return }
            let answers = unordered.sorted { (positions[$0.backend] ?? .max) < (positions[$1.backend] ?? .max) }
            repeatCount += 1
            let picks = modes.map { mode -> ReplayedPick? in
                switch mode {
                case .race: return ModeReplay.race(answers)
                case .failover: return ModeReplay.failover(answers)
                case .consensus: return ModeReplay.consensus(answers, verdict: ailb)
                case .semanticConsensus: return ModeReplay.consensus(answers, verdict: semantic)
                case .backend(let name): return ModeReplay.alone(answers, backend: name)
                }
            }
            // Scored against `expect`: a failure is wrong; an answer the scorer left unscored is not counted.
            let correctness = picks.map { pick -> Bool? in
                guard hasExpect, let pick else { return nil }
                guard let backend = pick.backend else { return false }
                return answers.first { $0.backend == backend }?.correct
            }
            let winningGroup = ailb.flatMap { $0.successes > 0 ? Set($0.groups.first ?? []) : nil }
            if openCase?.position != casePosition {
                foldOpenCase()
                openCase = (casePosition, Array(repeating: CaseTally(), count: modes.count))
            }
            var tallies = openCase!.tallies
            for (index, pick) in picks.enumerated() {
                guard let pick else { continue }
                counted[index] += 1
                if pick.backend == nil { failed[index] += 1 }
                latencies[index].append(pick.latencyMs)
                if let correct = correctness[index] {
                    tallies[index].scored += 1
                    if correct { tallies[index].correct += 1 }
                }
                if let winningGroup {
                    tallies[index].withWinner += 1
                    if let backend = pick.backend, winningGroup.contains(backend) { tallies[index].agreeing += 1 }
                }
                if let r = referenceIndex, r != index, let mine = correctness[index], let theirs = correctness[r] {
                    flipTallies[index][theirs ? (mine ? 0 : 1) : (mine ? 2 : 3)] += 1
                }
                guard modes[index].backend == nil else { continue }
                for (slot, row) in backendRows.enumerated() where matches[index][slot] {
                    if picks[row] == nil || picks[row]?.backend != pick.backend { matches[index][slot] = false }
                }
            }
            openCase!.tallies = tallies
        }

        /// Adds the counts of the case being read to the sums, as one cluster per row.
        mutating func foldOpenCase() {
            guard let open = openCase else { return }
            for (index, tally) in open.tallies.enumerated() {
                accuracy[index].add(successes: tally.correct, trials: tally.scored)
                agreement[index].add(successes: tally.agreeing, trials: tally.withWinner)
            }
            openCase = nil
        }

        /// The advice over what was added.
        package func build() -> ModeAdvice {
            if runMode == .race {
                return ModeAdvice(modes: modes, unavailableReason: ModeAdvice.raceRunReason(runID: runID), reference: reference)
            }
            var builder = self
            builder.foldOpenCase()
            let (accuracy, agreement) = (builder.accuracy, builder.agreement)
            let rows = modes.indices.map { index -> ModeRow in
                let sorted = latencies[index].sorted()
                var sameAs: String?
                if modes[index].backend == nil, counted[index] > 0, let slot = matches[index].firstIndex(of: true) {
                    sameAs = modes[backendRows[slot]].backend
                }
                var flips: ReferenceFlips?
                if let r = referenceIndex, r != index {
                    let t = flipTallies[index]
                    flips = ReferenceFlips(
                        backend: modes[index].key, reference: modes[r].key, bothCorrect: t[0], correctToWrong: t[1],
                        wrongToCorrect: t[2], bothWrong: t[3])
                }
                return ModeRow(
                    mode: modes[index], repeats: counted[index], failures: failed[index],
                    accuracy: accuracy[index].proportion, agreement: agreement[index].proportion,
                    latencyP50: Percentile.ofSorted(sorted, 50), latencyP95: Percentile.ofSorted(sorted, 95), sameAs: sameAs,
                    flips: flips)
            }
            return ModeAdvice(modes: modes, rows: rows, reference: referenceIndex == nil ? nil : reference, repeatCount: repeatCount)
        }
    }
}
