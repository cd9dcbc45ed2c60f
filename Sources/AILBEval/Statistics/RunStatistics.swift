/// What one backend did in a run.
public struct BackendStatistics: Sendable, Hashable {
    public var name: String
    public var kind: BackendKind
    public var model: String
    public var family: String
    public var quant: String
    public var requests: Int
    public var successes: Int
    /// Failures by error class.
    public var errors: [ErrorClass: Int]
    public var latencyP50: Double?
    public var latencyP95: Double?
    /// Time to first token, from streamed answers only (nil when none was streamed).
    public var ttftP50: Double?
    public var ttftP95: Double?
    /// Judged repeats it answered in which its answer held a strict majority (larger than every other
    /// answer and more than half of the answers), out of judged repeats it answered. A tie at the top or
    /// a largest group of half or less gives nobody credit. Interval over cases.
    public var withMajority: Proportion
    /// Judged repeats it answered in which its answer was the plurality: strictly larger than every other
    /// answer, more than half or not (2 of 4 against 1 and 1 counts). Interval over cases.
    public var withPlurality: Proportion
    /// Repeats with a strict majority that it answered and in which it was outside the majority, out of
    /// repeats with a strict majority that it answered. Interval over cases.
    public var minority: Proportion
    /// Judged repeats it answered that ended in a tie at the top.
    public var ties: Int
    /// Correct answers out of answers to cases with `expect`. Interval over cases.
    public var accuracy: Proportion
    /// Cases whose answers were identical in every repeat, out of cases it answered at least twice.
    public var repeatStability: Proportion
    /// Token usage reported by the backend over its successful answers.
    public var promptTokens: Int
    public var completionTokens: Int
    /// Completion tokens per second of generation (latency less time to first token when streamed).
    public var tokensPerSecond: Double?
    /// Milliseconds of generation per completion token.
    public var timePerOutputTokenMs: Double?

    /// Requests a race cancelled because another backend had won it (not errors).
    public var cancelledByRace = 0

    /// Number of failed requests.
    public var errorCount: Int { errors.values.reduce(0, +) }
}

/// Agreement with the majority for a group of backends (a model family or a quantization).
public struct GroupAgreement: Sendable, Hashable {
    public var key: String
    public var backends: [String]
    public var withMajority: Proportion
}

/// The numbers a run is judged by. Pure: computed from stored rows, no I/O.
///
/// Every figure here is independent of the order of the backends: answers are grouped without regard to
/// order (`Verdict.answerGroups`), and ai-lb's order-dependent winner is not used. Intervals are over
/// cases, since the repeats of one case are correlated.
public struct RunStatistics: Sendable {
    public var profile: EquivalenceProfile
    public var backends: [BackendStatistics]
    /// Repeats of cases where every successful backend gave the same answer, out of those with at least
    /// two successes. Interval over cases.
    public var agreement: Proportion
    /// Repeats of cases with fewer than two successful answers (nothing to compare).
    public var notComparable: Int
    /// Judged repeats by outcome (unanimous, majority, tie, no majority).
    public var outcomes: [CaseOutcome: Int] = [:]
    /// Distinct cases with at least one judged repeat.
    public var judgedCases = 0
    public var perFamily: [GroupAgreement]
    public var perQuant: [GroupAgreement]
    /// Repeats whose majority answer meets `expect`, out of judged repeats of cases with `expect` that
    /// have a strict majority. Interval over cases.
    public var consensusAccuracy: Proportion
    /// Judged repeats of cases with `expect` that ended without a majority (tie or none): no consensus answer.
    public var consensusUndecided = 0
    /// Judged repeats where `ailb` disagrees and `semantic` agrees. Interval over cases.
    public var spurious: Proportion
    /// Spurious disagreements by cause.
    public var spuriousCauses: [String: Int]
    public var totalResponses: Int
    public var totalSuccesses: Int
    /// How long the run's mode took to answer each case repeat (see `AnswerTime`).
    public var answerTime = AnswerTime()
    /// How the races ended, for a `race` run; nil for the modes that have every answer.
    public var race: RaceStatistics? = nil
    /// ai-lb's `x-fastest-backend` header checked against the latencies it reported in the same answer; nil
    /// when no load balancer sent one.
    public var fastestHeader: FastestHeaderCheck? = nil

    /// Judged repeats that ended in a tie at the top.
    public var ties: Int { outcomes[.tie] ?? 0 }

    /// Whether any case repeat has a verdict (judged, or found to have fewer than two answers). Every run is
    /// judged as it goes; a run interrupted before its first repeat was complete has none.
    public var hasVerdicts: Bool { agreement.trials + notComparable > 0 }

    /// Accumulates statistics from a run's rows. Responses and verdicts each arrive in case order, so the
    /// counts of one case are folded into cluster sums when the next case begins.
    public struct Builder: Sendable {
        let profile: EquivalenceProfile
        let backendRecords: [BackendRecord]
        let familyOf: [String: String]
        let quantOf: [String: String]
        var latencies: [String: [Double]] = [:]
        var ttfts: [String: [Double]] = [:]
        var requests: [String: Int] = [:]
        var successes: [String: Int] = [:]
        var errors: [String: [ErrorClass: Int]] = [:]
        var cancelledByRace: [String: Int] = [:]
        var promptTokens: [String: Int] = [:]
        var completionTokens: [String: Int] = [:]
        var generationMs: [String: Double] = [:]
        var tokensTimed: [String: Int] = [:]
        var ties: [String: Int] = [:]
        var outcomes: [CaseOutcome: Int] = [:]
        var notComparable = 0
        var judgedCases = 0
        var consensusUndecided = 0
        var spuriousCauses: [String: Int] = [:]

        var accuracy: [String: ClusterSummary] = [:]
        var withMajority: [String: ClusterSummary] = [:]
        var withPlurality: [String: ClusterSummary] = [:]
        var minority: [String: ClusterSummary] = [:]
        var familyMajority: [String: ClusterSummary] = [:]
        var quantMajority: [String: ClusterSummary] = [:]
        var agreement = ClusterSummary()
        var consensusAccuracy = ClusterSummary()
        var spurious = ClusterSummary()
        var stableCases: [String: Int] = [:]
        var repeatedCases: [String: Int] = [:]

        /// The counts of the case being read, per stream.
        var responseCase: ResponseCase?
        var verdictCase: VerdictCase?

        struct Tally: Sendable {
            var successes = 0
            var trials = 0
            mutating func add(_ success: Bool) {
                trials += 1
                if success { successes += 1 }
            }
        }

        struct ResponseCase: Sendable {
            var position: Int
            var accuracy: [String: Tally] = [:]
            /// Per backend: the first answer's identity, whether every later one matched, and how many.
            var answers: [String: (first: Int, same: Bool, count: Int)] = [:]
        }

        struct VerdictCase: Sendable {
            var position: Int
            var agreement = Tally()
            var consensusAccuracy = Tally()
            var spurious = Tally()
            var withMajority: [String: Tally] = [:]
            var withPlurality: [String: Tally] = [:]
            var minority: [String: Tally] = [:]
            var family: [String: Tally] = [:]
            var quant: [String: Tally] = [:]
        }

        public init(profile: EquivalenceProfile, backends: [BackendRecord]) {
            self.profile = profile
            self.backendRecords = backends
            familyOf = Dictionary(backends.map { ($0.name, Self.label($0.family)) }, uniquingKeysWith: { a, _ in a })
            quantOf = Dictionary(backends.map { ($0.name, Self.label($0.quant)) }, uniquingKeysWith: { a, _ in a })
        }

        static func label(_ key: String) -> String { key.isEmpty ? "(unknown)" : key }

        /// Makes room for `count` latencies per backend at once: a large run's lists are then allocated once
        /// each, not grown (and copied) by doubling.
        public mutating func reserveCapacity(perBackend count: Int) {
            for backend in backendRecords where backend.kind != .ailb {
                latencies[backend.name, default: []].reserveCapacity(count)
            }
        }

        /// Adds one response row.
        public mutating func add(_ response: ResponseRecord) {
            if responseCase?.position != response.casePosition {
                flushResponseCase()
                responseCase = ResponseCase(position: response.casePosition)
            }
            let name = response.backend
            requests[name, default: 0] += 1
            guard response.success else {
                // A race's losers were cut short by the winner, not failed by their backend.
                if response.errorClass == .cancelledByRace {
                    cancelledByRace[name, default: 0] += 1
                } else {
                    errors[name, default: [:]][response.errorClass ?? .connect, default: 0] += 1
                }
                return
            }
            successes[name, default: 0] += 1
            latencies[name, default: []].append(response.latencyMs)
            if let ttft = response.ttftMs { ttfts[name, default: []].append(ttft) }
            if let isCorrect = response.correct { responseCase!.accuracy[name, default: Tally()].add(isCorrect) }
            if let prompt = response.promptTokens { promptTokens[name, default: 0] += prompt }
            if let completion = response.completionTokens, completion > 0 {
                completionTokens[name, default: 0] += completion
                // Generation time: after the first token when streamed, the whole request otherwise.
                generationMs[name, default: 0] += max(0, response.latencyMs - (response.ttftMs ?? 0))
                tokensTimed[name, default: 0] += completion
            }
            var hasher = Hasher()
            hasher.combine(response.text)
            hasher.combine(response.toolCalls)
            let identity = hasher.finalize()
            if let seen = responseCase!.answers[name] {
                responseCase!.answers[name] = (seen.first, seen.same && seen.first == identity, seen.count + 1)
            } else {
                responseCase!.answers[name] = (identity, true, 1)
            }
        }

        mutating func flushResponseCase() {
            guard let finished = responseCase else { return }
            for (name, tally) in finished.accuracy {
                accuracy[name, default: ClusterSummary()].add(successes: tally.successes, trials: tally.trials)
            }
            for (name, answers) in finished.answers where answers.count >= 2 {
                repeatedCases[name, default: 0] += 1
                if answers.same { stableCases[name, default: 0] += 1 }
            }
            responseCase = nil
        }

        /// Adds the verdicts of one repeat of a case: the one of the chosen profile and, for spurious
        /// disagreements, both.
        public mutating func add(verdict: VerdictRecord, ailb: VerdictRecord?, semantic: VerdictRecord?) {
            if verdictCase?.position != verdict.casePosition {
                flushVerdictCase()
                verdictCase = VerdictCase(position: verdict.casePosition)
            }
            let v = verdict.verdict
            let outcome = v.outcome
            guard outcome != .notJudged else {
                notComparable += 1
                return
            }
            outcomes[outcome, default: 0] += 1
            verdictCase!.agreement.add(outcome == .unanimous)
            let majority = Set(v.majorityGroup ?? [])
            let plurality = Set(v.pluralityGroup ?? [])
            for group in v.answerGroups {
                for backend in group {
                    let inMajority = majority.contains(backend)
                    verdictCase!.withMajority[backend, default: Tally()].add(inMajority)
                    verdictCase!.withPlurality[backend, default: Tally()].add(plurality.contains(backend))
                    verdictCase!.family[familyOf[backend] ?? "(unknown)", default: Tally()].add(inMajority)
                    verdictCase!.quant[quantOf[backend] ?? "(unknown)", default: Tally()].add(inMajority)
                    if outcome.hasMajority { verdictCase!.minority[backend, default: Tally()].add(!inMajority) }
                    if outcome == .tie { ties[backend, default: 0] += 1 }
                }
            }
            if let isCorrect = verdict.consensusCorrect {
                verdictCase!.consensusAccuracy.add(isCorrect)
            } else if verdict.consensusUndecided {
                consensusUndecided += 1
            }
            if let ailb, let semantic {
                let isSpurious = ailb.verdict.disagreement && !semantic.verdict.disagreement
                verdictCase!.spurious.add(isSpurious)
                if isSpurious { for cause in semantic.spuriousCauses { spuriousCauses[cause, default: 0] += 1 } }
            }
        }

        mutating func flushVerdictCase() {
            guard let finished = verdictCase else { return }
            if finished.agreement.trials > 0 { judgedCases += 1 }
            func fold(_ tally: Tally, into summary: inout ClusterSummary) {
                summary.add(successes: tally.successes, trials: tally.trials)
            }
            fold(finished.agreement, into: &agreement)
            fold(finished.consensusAccuracy, into: &consensusAccuracy)
            fold(finished.spurious, into: &spurious)
            for (name, tally) in finished.withMajority { fold(tally, into: &withMajority[name, default: ClusterSummary()]) }
            for (name, tally) in finished.withPlurality {
                fold(tally, into: &withPlurality[name, default: ClusterSummary()])
            }
            for (name, tally) in finished.minority { fold(tally, into: &minority[name, default: ClusterSummary()]) }
            for (key, tally) in finished.family { fold(tally, into: &familyMajority[key, default: ClusterSummary()]) }
            for (key, tally) in finished.quant { fold(tally, into: &quantMajority[key, default: ClusterSummary()]) }
            verdictCase = nil
        }

        /// The finished statistics.
        public func build() -> RunStatistics {
            var builder = self
            builder.flushResponseCase()
            builder.flushVerdictCase()
            return builder.finished()
        }

        func finished() -> RunStatistics {
            // A load balancer's answers are recorded under its member backends; its own row only carries
            // whole-request failures, so it is listed only when it has some.
            let listed = backendRecords.filter { $0.kind != .ailb || (requests[$0.name] ?? 0) > 0 }
            let empty = ClusterSummary().proportion
            let perBackend = listed.map { b -> BackendStatistics in
                let lat = (latencies[b.name] ?? []).sorted()
                let ttft = (ttfts[b.name] ?? []).sorted()
                let generation = generationMs[b.name] ?? 0
                let timed = tokensTimed[b.name] ?? 0
                return BackendStatistics(
                    name: b.name, kind: b.kind, model: b.model, family: b.family, quant: b.quant,
                    requests: requests[b.name] ?? 0, successes: successes[b.name] ?? 0, errors: errors[b.name] ?? [:],
                    latencyP50: Percentile.ofSorted(lat, 50), latencyP95: Percentile.ofSorted(lat, 95),
                    ttftP50: Percentile.ofSorted(ttft, 50), ttftP95: Percentile.ofSorted(ttft, 95),
                    withMajority: withMajority[b.name]?.proportion ?? empty,
                    withPlurality: withPlurality[b.name]?.proportion ?? empty,
                    minority: minority[b.name]?.proportion ?? empty, ties: ties[b.name] ?? 0,
                    accuracy: accuracy[b.name]?.proportion ?? empty,
                    repeatStability: Proportion(successes: stableCases[b.name] ?? 0, trials: repeatedCases[b.name] ?? 0),
                    promptTokens: promptTokens[b.name] ?? 0, completionTokens: completionTokens[b.name] ?? 0,
                    tokensPerSecond: generation > 0 && timed > 0 ? Double(timed) / (generation / 1000) : nil,
                    timePerOutputTokenMs: timed > 0 ? generation / Double(timed) : nil,
                    cancelledByRace: cancelledByRace[b.name] ?? 0)
            }
            func grouped(_ key: KeyPath<BackendStatistics, String>, _ sums: [String: ClusterSummary]) -> [GroupAgreement] {
                var order: [String] = []
                var members: [String: [String]] = [:]
                for b in perBackend {
                    let k = Self.label(b[keyPath: key])
                    if members[k] == nil { order.append(k) }
                    members[k, default: []].append(b.name)
                }
                return order.map { GroupAgreement(key: $0, backends: members[$0]!, withMajority: sums[$0]?.proportion ?? empty) }
            }
            return RunStatistics(
                profile: profile, backends: perBackend, agreement: agreement.proportion, notComparable: notComparable,
                outcomes: outcomes, judgedCases: judgedCases, perFamily: grouped(\.family, familyMajority),
                perQuant: grouped(\.quant, quantMajority), consensusAccuracy: consensusAccuracy.proportion,
                consensusUndecided: consensusUndecided, spurious: spurious.proportion, spuriousCauses: spuriousCauses,
                totalResponses: requests.values.reduce(0, +), totalSuccesses: successes.values.reduce(0, +))
        }
    }
}
