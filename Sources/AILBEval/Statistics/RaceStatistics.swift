/// How the races of a `race` run ended: who won how often, how fast, and how often the winner's answer
/// met `expect`. Pure: built from stored rows, no I/O.
public struct RaceStatistics: Sendable, Hashable {
    /// Races stored (case repeats raced to the end).
    public var races: Int
    /// Wins per backend, in config order (backends that never won included, with 0).
    public var wins: [Wins]
    /// Races every racer failed.
    public var noWinner: Int
    /// The winners' latencies, in milliseconds.
    public var winnerLatencyP50: Double?
    public var winnerLatencyP95: Double?
    /// Races whose winner's answer meets `expect`, out of the races of cases with `expect` (a race nobody won
    /// counts as wrong: no answer came back). Interval over cases.
    public var accuracy: Proportion
    /// Races a load balancer won, by the member that answered; `nil` key: not known (ai-lb's race answer does
    /// not name its winner, and no `members:` model told it apart).
    public var loadBalancerWins: [String?: Int]

    /// One backend's wins.
    public struct Wins: Sendable, Hashable {
        public var backend: String
        public var count: Int
    }

    /// Races a load balancer won whose answering member is not known.
    public var unknownMembers: Int { loadBalancerWins[nil] ?? 0 }

    /// Accumulates races in (case, repeat) order.
    public struct Builder: Sendable {
        let backends: [String]
        let loadBalancers: Set<String>
        var races = 0
        var wins: [String: Int] = [:]
        var noWinner = 0
        var latencies: [Double] = []
        var accuracy = ClusterSummary()
        var currentCase: (position: Int, successes: Int, trials: Int)?
        var loadBalancerWins: [String?: Int] = [:]

        /// A builder for a run whose racers are `backends` (config order), `loadBalancers` among them.
        public init(backends: [String], loadBalancers: Set<String> = []) {
            self.backends = backends
            self.loadBalancers = loadBalancers
        }

        /// Adds one race: `winnerCorrect` is whether the winner's answer met `expect` (nil when it was not
        /// scored), `hasExpect` whether the case has an `expect` at all.
        public mutating func add(_ race: RaceRecord, winnerCorrect: Bool?, hasExpect: Bool) {
            races += 1
            if let winner = race.winner {
                wins[winner, default: 0] += 1
                if let latency = race.winnerLatencyMs { latencies.append(latency) }
                if loadBalancers.contains(winner) { loadBalancerWins[race.member, default: 0] += 1 }
            } else {
                noWinner += 1
            }
            if currentCase?.position != race.casePosition {
                flushCase()
                currentCase = (race.casePosition, 0, 0)
            }
            guard hasExpect else { return }
            currentCase!.trials += 1
            if race.winner != nil, winnerCorrect == true { currentCase!.successes += 1 }
        }

        mutating func flushCase() {
            if let finished = currentCase { accuracy.add(successes: finished.successes, trials: finished.trials) }
            currentCase = nil
        }

        public func build() -> RaceStatistics {
            var builder = self
            builder.flushCase()
            let sorted = latencies.sorted()
            return RaceStatistics(
                races: races, wins: backends.map { Wins(backend: $0, count: wins[$0] ?? 0) }, noWinner: noWinner,
                winnerLatencyP50: Percentile.ofSorted(sorted, 50), winnerLatencyP95: Percentile.ofSorted(sorted, 95),
                accuracy: builder.accuracy.proportion, loadBalancerWins: loadBalancerWins)
        }
    }
}

/// How long a run's mode took to give an answer to each case repeat: a race, its winner's latency (or the
/// last failure's, when nobody won); `all` and `consensus`, the slowest answer (the answers are gathered
/// before a vote); `sequence`, the whole chain (the sum). Pure.
public struct AnswerTime: Sendable, Hashable {
    /// Case repeats timed.
    public var count = 0
    public var p50: Double?
    public var p95: Double?

    public init(count: Int = 0, p50: Double? = nil, p95: Double? = nil) {
        self.count = count
        self.p50 = p50
        self.p95 = p95
    }

    /// Accumulates responses in (case, repeat) order.
    public struct Builder: Sendable {
        let mode: RunMode
        /// Race winners' latencies by case repeat (race runs).
        let winnerLatency: [Int: [Int: Double]]
        var current: (key: (Int, Int), slowest: Double, total: Double)?
        var times: [Double] = []

        public init(mode: RunMode, winnerLatency: [Int: [Int: Double]] = [:]) {
            self.mode = mode
            self.winnerLatency = winnerLatency
        }

        /// Makes room for `count` case repeats at once.
        public mutating func reserveCapacity(_ count: Int) { times.reserveCapacity(count) }

        /// Adds a response's latency; a request cut short by an interrupt (`cancelled`) is not an answer.
        public mutating func add(casePosition: Int, repeatIndex: Int, latencyMs: Double, errorClass: ErrorClass?) {
            guard errorClass != .cancelled else { return }
            if let current, current.key != (casePosition, repeatIndex) { flush() }
            if current == nil { current = ((casePosition, repeatIndex), 0, 0) }
            current!.slowest = max(current!.slowest, latencyMs)
            current!.total += latencyMs
        }

        mutating func flush() {
            guard let finished = current else { return }
            current = nil
            switch mode {
            case .race: times.append(winnerLatency[finished.key.0]?[finished.key.1] ?? finished.slowest)
            case .all, .consensus: times.append(finished.slowest)
            case .sequence: times.append(finished.total)
            }
        }

        public func build() -> AnswerTime {
            var builder = self
            builder.flush()
            let sorted = builder.times.sorted()
            return AnswerTime(count: sorted.count, p50: Percentile.ofSorted(sorted, 50), p95: Percentile.ofSorted(sorted, 95))
        }
    }
}

/// ai-lb names the fastest member of each multi-backend answer in `x-fastest-backend`; the same answer lists
/// every member's `latency_ms`. This counts the answers where the two tell the same story.
public struct FastestHeaderCheck: Sendable, Hashable {
    /// Answers with both the header and a member ai-lb counted as a success.
    public var checked = 0
    /// Of those, the answers whose header names another member than the latencies do.
    public var mismatches = 0
    /// The first few mismatches, as "case/repeat: header X, latencies Y".
    public var examples: [String] = []

    public init() {}

    /// Adds one answer: `header` as sent, `expected` the member the latencies name.
    public mutating func add(header: String?, expected: String?, at key: String) {
        guard let header, let expected else { return }
        checked += 1
        guard header != expected else { return }
        mismatches += 1
        if examples.count < 5 { examples.append("\(key): header \(header), latencies \(expected)") }
    }
}
