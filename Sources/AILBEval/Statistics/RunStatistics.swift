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
    public var ttftP50: Double?
    public var ttftP95: Double?
    /// Judged cases where this backend answered and was in the winning group, out of judged cases it answered.
    public var withMajority: Proportion
    /// Correct answers out of answers to cases with `expect`.
    public var accuracy: Proportion

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
public struct RunStatistics: Sendable {
    public var profile: EquivalenceProfile
    public var backends: [BackendStatistics]
    /// Repeats of cases where every successful backend agreed, out of those with at least two successes.
    public var agreement: Proportion
    /// Repeats of cases with fewer than two successful answers (nothing to compare).
    public var notComparable: Int
    public var perFamily: [GroupAgreement]
    public var perQuant: [GroupAgreement]
    /// Winners meeting `expect`, out of judged repeats of cases with `expect`.
    public var consensusAccuracy: Proportion
    /// Judged repeats where `ailb` disagrees and `semantic` agrees.
    public var spurious: Proportion
    /// Spurious disagreements by cause.
    public var spuriousCauses: [String: Int]
    public var totalResponses: Int
    public var totalSuccesses: Int

    /// Whether any case repeat has a verdict (judged, or found to have fewer than two answers). Every run is
    /// judged as it goes; a run interrupted before its first repeat was complete has none.
    public var hasVerdicts: Bool { agreement.trials + notComparable > 0 }

    /// Accumulates statistics from a run's rows.
    public struct Builder: Sendable {
        let profile: EquivalenceProfile
        let backendRecords: [BackendRecord]
        var latencies: [String: [Double]] = [:]
        var ttfts: [String: [Double]] = [:]
        var requests: [String: Int] = [:]
        var successes: [String: Int] = [:]
        var errors: [String: [ErrorClass: Int]] = [:]
        var correct: [String: Int] = [:]
        var scored: [String: Int] = [:]
        var withMajority: [String: Int] = [:]
        var judgedFor: [String: Int] = [:]
        var agreement = Proportion(successes: 0, trials: 0)
        var notComparable = 0
        var consensusAccuracy = Proportion(successes: 0, trials: 0)
        var spurious = Proportion(successes: 0, trials: 0)
        var spuriousCauses: [String: Int] = [:]

        public init(profile: EquivalenceProfile, backends: [BackendRecord]) {
            self.profile = profile
            self.backendRecords = backends
        }

        /// Adds one response row.
        public mutating func add(_ response: ResponseRecord) {
            requests[response.backend, default: 0] += 1
            if response.success {
                successes[response.backend, default: 0] += 1
                latencies[response.backend, default: []].append(response.latencyMs)
                if let ttft = response.ttftMs { ttfts[response.backend, default: []].append(ttft) }
                if let isCorrect = response.correct {
                    scored[response.backend, default: 0] += 1
                    if isCorrect { correct[response.backend, default: 0] += 1 }
                }
            } else {
                errors[response.backend, default: [:]][response.errorClass ?? .connect, default: 0] += 1
            }
        }

        /// Adds the verdicts of one repeat of a case: the one of the chosen profile and, for spurious
        /// disagreements, both.
        public mutating func add(verdict: VerdictRecord, ailb: VerdictRecord?, semantic: VerdictRecord?) {
            guard verdict.verdict.successes >= 2 else {
                notComparable += 1
                return
            }
            agreement.trials += 1
            if !verdict.verdict.disagreement { agreement.successes += 1 }
            let winners = Set(verdict.verdict.groups.first ?? [])
            for group in verdict.verdict.groups {
                for backend in group {
                    judgedFor[backend, default: 0] += 1
                    if winners.contains(backend) { withMajority[backend, default: 0] += 1 }
                }
            }
            if let isCorrect = verdict.consensusCorrect {
                consensusAccuracy.trials += 1
                if isCorrect { consensusAccuracy.successes += 1 }
            }
            if let ailb, let semantic {
                spurious.trials += 1
                if ailb.verdict.disagreement && !semantic.verdict.disagreement {
                    spurious.successes += 1
                    for cause in semantic.spuriousCauses { spuriousCauses[cause, default: 0] += 1 }
                }
            }
        }

        /// The finished statistics.
        public func build() -> RunStatistics {
            // A load balancer's answers are recorded under its member backends; its own row only carries
            // whole-request failures, so it is listed only when it has some.
            let listed = backendRecords.filter { $0.kind != .ailb || (requests[$0.name] ?? 0) > 0 }
            let perBackend = listed.map { b -> BackendStatistics in
                let lat = (latencies[b.name] ?? []).sorted()
                let ttft = (ttfts[b.name] ?? []).sorted()
                return BackendStatistics(
                    name: b.name, kind: b.kind, model: b.model, family: b.family, quant: b.quant,
                    requests: requests[b.name] ?? 0, successes: successes[b.name] ?? 0, errors: errors[b.name] ?? [:],
                    latencyP50: Percentile.ofSorted(lat, 50), latencyP95: Percentile.ofSorted(lat, 95),
                    ttftP50: Percentile.ofSorted(ttft, 50), ttftP95: Percentile.ofSorted(ttft, 95),
                    withMajority: Proportion(successes: withMajority[b.name] ?? 0, trials: judgedFor[b.name] ?? 0),
                    accuracy: Proportion(successes: correct[b.name] ?? 0, trials: scored[b.name] ?? 0))
            }
            return RunStatistics(
                profile: profile, backends: perBackend, agreement: agreement, notComparable: notComparable,
                perFamily: Self.grouped(perBackend, by: \.family), perQuant: Self.grouped(perBackend, by: \.quant),
                consensusAccuracy: consensusAccuracy, spurious: spurious, spuriousCauses: spuriousCauses,
                totalResponses: requests.values.reduce(0, +), totalSuccesses: successes.values.reduce(0, +))
        }

        static func grouped(_ backends: [BackendStatistics], by key: KeyPath<BackendStatistics, String>) -> [GroupAgreement] {
            var order: [String] = []
            var members: [String: [BackendStatistics]] = [:]
            for b in backends {
                let k = b[keyPath: key].isEmpty ? "(unknown)" : b[keyPath: key]
                if members[k] == nil { order.append(k) }
                members[k, default: []].append(b)
            }
            return order.map { k in
                let group = members[k]!
                return GroupAgreement(
                    key: k, backends: group.map(\.name),
                    withMajority: Proportion(
                        successes: group.reduce(0) { $0 + $1.withMajority.successes },
                        trials: group.reduce(0) { $0 + $1.withMajority.trials }))
            }
        }
    }
}
