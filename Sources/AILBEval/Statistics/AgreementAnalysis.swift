/// One judged (or merely collected) repeat of one case, reduced to what the statistics need.
public struct CaseRepeatObservation: Sendable, Hashable {
    public var suite: String
    public var tags: [String]
    /// Backends grouped by equivalent answers under the chosen profile, winning group first; nil without a verdict.
    public var groups: [[String]]?
    /// The groups under each profile (for spurious disagreements); nil without verdicts.
    public var ailbGroups: [[String]]?
    public var semanticGroups: [[String]]?
    /// Whether each backend's answer met `expect` (only scored answers appear).
    public var correct: [String: Bool]

    public init(
        suite: String, tags: [String], groups: [[String]]?, ailbGroups: [[String]]? = nil,
        semanticGroups: [[String]]? = nil, correct: [String: Bool] = [:]
    ) {
        self.suite = suite
        self.tags = tags
        self.groups = groups
        self.ailbGroups = ailbGroups
        self.semanticGroups = semanticGroups
        self.correct = correct
    }

    /// True when at least two backends answered, so agreement can be judged.
    public var isComparable: Bool { (groups?.reduce(0) { $0 + $1.count } ?? 0) >= 2 }

    /// True when every backend that answered is in the winning group.
    public var agrees: Bool { (groups?.count ?? 0) <= 1 }
}

/// Agreement of a slice of the cases (one suite, one tag).
public struct SliceAgreement: Sendable, Hashable {
    public var key: String
    /// Judged repeats in the slice where every answering backend agreed.
    public var agreement: Proportion
}

/// How often two backends give equivalent answers.
public struct PairAgreement: Sendable, Hashable {
    public var a: String
    public var b: String
    /// Judged repeats where both answered and were in the same group, out of those where both answered.
    public var agreement: Proportion
    /// Cohen's kappa on the same repeats; nil when undefined (see `CohenKappa`).
    public var kappa: Double?
    /// Repeats where `ailb` split the two and `semantic` put them together: a spurious disagreement of this pair.
    public var spuriousSplits: Int
}

/// One backend's correctness paired with its reference's, on the repeats both answered with a score.
public struct ReferenceFlips: Sendable, Hashable {
    public var backend: String
    public var reference: String
    public var bothCorrect: Int
    /// Reference correct, this backend wrong.
    public var correctToWrong: Int
    /// Reference wrong, this backend correct.
    public var wrongToCorrect: Int
    public var bothWrong: Int

    /// Paired repeats.
    public var paired: Int { bothCorrect + correctToWrong + wrongToCorrect + bothWrong }
    /// McNemar's exact two-sided p-value on the discordant pairs.
    public var mcnemarP: Double { McNemar.exactPValue(correctToWrong, wrongToCorrect) }
}

/// The statistics beyond per-backend counts: agreement per suite and tag, the pairwise matrix with kappa,
/// Krippendorff's alpha, flips against a reference, and spurious disagreements per pair. Pure.
public struct AgreementAnalysis: Sendable {
    public var backends: [String]
    public var perSuite: [SliceAgreement]
    public var perTag: [SliceAgreement]
    /// Every two backends, in config order (a before b).
    public var pairs: [PairAgreement]
    public var alpha: KrippendorffAlpha.Estimate
    /// Each backend's flips against its reference, in config order.
    public var flips: [ReferenceFlips]
    /// The reference of each backend that has one.
    public var references: [String: String]

    /// The pair entry for two backends in either order.
    public func pair(_ x: String, _ y: String) -> PairAgreement? {
        pairs.first { ($0.a == x && $0.b == y) || ($0.a == y && $0.b == x) }
    }

    /// Computes the analysis of `observations` for `backends` (config order), with flips measured against
    /// `references` (backend → its reference; see `QuantPrecision.references`).
    ///
    /// The nominal value of a backend in a repeat, for kappa and alpha, is the answer it gave, identified by
    /// its group in that repeat: two backends share a value exactly when the profile finds their answers
    /// equivalent, and answers to different cases never share one. Labels such as "with the majority" would
    /// be comparable across cases but are structurally anti-correlated (two backends can never both be in
    /// the minority of three), which drives both coefficients below zero for backends that agree 70% of the
    /// time. With answers as values, chance agreement is small when answers vary from case to case, so κ
    /// and α sit close to plain agreement, as they should.
    public static func compute(
        _ observations: [CaseRepeatObservation], backends: [String], references: [String: String],
        bootstrapIterations: Int = 1000, seed: UInt64 = 20_240_601
    ) -> AgreementAnalysis {
        var accumulator = Accumulator(backends: backends, references: references)
        for observation in observations { accumulator.add(observation) }
        return accumulator.analysis(bootstrapIterations: bootstrapIterations, seed: seed)
    }

    /// Builds the analysis one observation at a time, keeping only counts and, for α, two small numbers
    /// per judged case repeat: a run's observations need not be in memory at once.
    ///
    /// Each repeat's values are its own (see `compute`), which is what lets κ and α be computed from counts:
    /// κ of a pair needs only how often the two answered together and agreed, and α only each repeat's
    /// number of values and sum of squared group sizes (`KrippendorffAlpha.LocalUnit`).
    public struct Accumulator: Sendable {
        let backends: [String]
        let references: [String: String]
        let index: [String: Int]
        var suiteOrder: [String] = []
        var bySuite: [String: Proportion] = [:]
        var tagOrder: [String] = []
        var byTag: [String: Proportion] = [:]
        var pairTrials: [Int]
        var pairSame: [Int]
        var spuriousSplits: [Int]
        var units: [KrippendorffAlpha.LocalUnit] = []
        var flipTallies: [String: [Int]] = [:]

        /// An empty analysis of `backends` (config order) with flips against `references`.
        public init(backends: [String], references: [String: String]) {
            self.backends = backends
            self.references = references
            index = Dictionary(uniqueKeysWithValues: backends.enumerated().map { ($1, $0) })
            let cells = backends.count * backends.count
            pairTrials = [Int](repeating: 0, count: cells)
            pairSame = [Int](repeating: 0, count: cells)
            spuriousSplits = [Int](repeating: 0, count: cells)
        }

        /// Makes room for `count` case repeats at once.
        public mutating func reserveCapacity(repeats count: Int) { units.reserveCapacity(count) }

        /// Counts one case repeat.
        public mutating func add(_ observation: CaseRepeatObservation) {
            let count = backends.count
            if let groups = observation.groups, observation.isComparable {
                let agrees = observation.agrees
                if bySuite[observation.suite] == nil { suiteOrder.append(observation.suite) }
                bySuite[observation.suite, default: Proportion(successes: 0, trials: 0)].add(agrees)
                for tag in Set(observation.tags) {
                    if byTag[tag] == nil { tagOrder.append(tag) }
                    byTag[tag, default: Proportion(successes: 0, trials: 0)].add(agrees)
                }
                // A backend's value is its group in this repeat: values of different repeats never match.
                let labels = AgreementAnalysis.groupIndex(groups, index)
                var groupSizes = [Int](repeating: 0, count: groups.count)
                var values = 0
                for case let label? in labels {
                    groupSizes[label] += 1
                    values += 1
                }
                units.append(
                    KrippendorffAlpha.LocalUnit(values: values, squares: groupSizes.reduce(0) { $0 + $1 * $1 }))
                for i in 0..<count {
                    guard let li = labels[i] else { continue }
                    for j in (i + 1)..<max(i + 1, count) {
                        guard let lj = labels[j] else { continue }
                        pairTrials[i * count + j] += 1
                        if li == lj { pairSame[i * count + j] += 1 }
                    }
                }
            }
            if let ailb = observation.ailbGroups, let semantic = observation.semanticGroups {
                let ailbGroup = groupIndex(ailb, index)
                let semanticGroup = groupIndex(semantic, index)
                for i in 0..<count {
                    for j in (i + 1)..<max(i + 1, count) {
                        guard let ai = ailbGroup[i], let aj = ailbGroup[j], let si = semanticGroup[i],
                            let sj = semanticGroup[j]
                        else { continue }
                        if ai != aj && si == sj { spuriousSplits[i * count + j] += 1 }
                    }
                }
            }
            for (backend, reference) in references {
                guard let mine = observation.correct[backend], let theirs = observation.correct[reference] else {
                    continue
                }
                // Tally order: both correct, correct→wrong, wrong→correct, both wrong.
                let slot = theirs ? (mine ? 0 : 1) : (mine ? 2 : 3)
                flipTallies[backend, default: [0, 0, 0, 0]][slot] += 1
            }
        }

        /// The analysis of what was added, with α's bootstrap interval.
        public func analysis(bootstrapIterations: Int = 1000, seed: UInt64 = 20_240_601) -> AgreementAnalysis {
            let count = backends.count
            var pairs: [PairAgreement] = []
            for i in 0..<count {
                for j in (i + 1)..<max(i + 1, count) {
                    let cell = i * count + j
                    pairs.append(
                        PairAgreement(
                            a: backends[i], b: backends[j],
                            agreement: Proportion(successes: pairSame[cell], trials: pairTrials[cell]),
                            kappa: CohenKappa.kappa(ownLabelsAgreeing: pairSame[cell], of: pairTrials[cell]),
                            spuriousSplits: spuriousSplits[cell]))
                }
            }
            let flips = backends.compactMap { backend -> ReferenceFlips? in
                guard let reference = references[backend] else { return nil }
                let t = flipTallies[backend] ?? [0, 0, 0, 0]
                return ReferenceFlips(
                    backend: backend, reference: reference, bothCorrect: t[0], correctToWrong: t[1],
                    wrongToCorrect: t[2], bothWrong: t[3])
            }
            return AgreementAnalysis(
                backends: backends,
                perSuite: suiteOrder.map { SliceAgreement(key: $0, agreement: bySuite[$0]!) },
                perTag: tagOrder.sorted().map { SliceAgreement(key: $0, agreement: byTag[$0]!) },
                pairs: pairs,
                alpha: KrippendorffAlpha.estimate(localUnits: units, iterations: bootstrapIterations, seed: seed),
                flips: flips, references: references)
        }
    }

    static func groupIndex(_ groups: [[String]], _ index: [String: Int]) -> [Int?] {
        var result = [Int?](repeating: nil, count: index.count)
        for (rank, group) in groups.enumerated() {
            for backend in group {
                if let i = index[backend] { result[i] = rank }
            }
        }
        return result
    }
}

extension Proportion {
    /// Counts one more trial, a success when `success`.
    mutating func add(_ success: Bool) {
        trials += 1
        if success { successes += 1 }
    }
}
