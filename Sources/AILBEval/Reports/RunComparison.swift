import Foundation

/// What changed between two runs of the same cases: per case repeat and backend, agreement gained or lost
/// and correctness flips, with totals. Cases are matched by suite, case id and repeat; backends by name.
public struct RunComparison: Sendable {
    /// How a case repeat's agreement changed from run A to run B.
    public enum AgreementChange: String, Sendable {
        case gained, lost, same
        /// Judged in one run only (fewer than two answers in the other).
        case unjudged
    }

    /// One backend's change on one case repeat.
    public struct BackendChange: Sendable, Hashable {
        public var backend: String
        /// Whether it was in the winning group (nil: did not answer or not judged).
        public var withMajorityBefore: Bool?
        public var withMajorityAfter: Bool?
        public var correctBefore: Bool?
        public var correctAfter: Bool?
        public var failedBefore: Bool
        public var failedAfter: Bool

        /// "correct→wrong", "wrong→correct", or nil.
        public var flip: String? {
            guard let before = correctBefore, let after = correctAfter, before != after else { return nil }
            return before ? "correct→wrong" : "wrong→correct"
        }

        /// "joined the majority", "left the majority", or nil.
        public var majorityChange: String? {
            guard let before = withMajorityBefore, let after = withMajorityAfter, before != after else { return nil }
            return after ? "joined the majority" : "left the majority"
        }

        /// True when anything about this backend changed.
        public var changed: Bool { flip != nil || majorityChange != nil || failedBefore != failedAfter }
    }

    /// One matched case repeat.
    public struct CaseChange: Sendable {
        public var suite: String
        public var caseID: String
        /// The repeat, from 0 (shown from 1).
        public var repeatIndex: Int
        /// How many repeats the case has (in run B).
        public var repeats: Int = 1
        public var agreement: AgreementChange
        public var consensusCorrectBefore: Bool?
        public var consensusCorrectAfter: Bool?
        /// The consensus answer's standing as reports spell it: correct, wrong, tie, no majority (nil: no `expect`).
        public var consensusBefore: String?
        public var consensusAfter: String?
        public var groupsBefore: [[String]]
        public var groupsAfter: [[String]]
        /// Backends with a change, in run B's config order.
        public var backends: [BackendChange]

        /// True when agreement was lost or the consensus went from correct to wrong.
        public var isRegression: Bool {
            agreement == .lost || (consensusCorrectBefore == true && consensusCorrectAfter == false)
        }
        /// True when anything changed.
        public var changed: Bool {
            agreement == .gained || agreement == .lost || consensusBefore != consensusAfter || !backends.isEmpty
        }
    }

    /// One backend's totals over the matched case repeats.
    public struct BackendTotals: Sendable {
        public var backend: String
        public var withMajorityBefore: Proportion
        public var withMajorityAfter: Proportion
        public var accuracyBefore: Proportion
        public var accuracyAfter: Proportion
        public var correctToWrong: Int
        public var wrongToCorrect: Int
        public var joinedMajority: Int
        public var leftMajority: Int
        /// McNemar's exact p on this backend's correctness flips between the runs.
        public var mcnemarP: Double { McNemar.exactPValue(correctToWrong, wrongToCorrect) }
    }

    public var runA: Int64
    public var runB: Int64
    public var profile: EquivalenceProfile
    /// Agreement over the matched case repeats judged in each run.
    public var agreementBefore: Proportion
    public var agreementAfter: Proportion
    public var consensusAccuracyBefore: Proportion
    public var consensusAccuracyAfter: Proportion
    public var gained: Int
    public var lost: Int
    public var matched: Int
    public var onlyInA: Int
    public var onlyInB: Int
    /// What the two runs do not share, in sentences: mode, profile, threshold, suites, backends. Every
    /// figure above is over what they share; these say what was left out, so no number stands unexplained.
    public var comparability: [String] = []
    /// Matched case repeats where anything changed, regressions first.
    public var changes: [CaseChange]
    /// Backends present in both runs, in run B's order.
    public var backends: [BackendTotals]

    /// Compares run `a` (before) with run `b` (after), both under `b`'s profile.
    public static func compute(_ a: ReportContent, _ b: ReportContent) throws -> RunComparison {
        struct Key: Hashable {
            var suite: String
            var caseID: String
            var repeatIndex: Int
        }
        let profile = b.profile
        func key(_ row: CaseRepeatRow) -> Key { Key(suite: row.caseRecord.suite, caseID: row.caseRecord.caseID, repeatIndex: row.repeatIndex) }
        let rowsB = try b.rows
        let before = Dictionary(try a.rows.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let afterKeys = Set(rowsB.map(key))
        let common = b.data.backends.map(\.name).filter { name in a.data.backends.contains { $0.name == name } }
        var result = RunComparison(
            runA: a.data.run.id, runB: b.data.run.id, profile: profile, agreementBefore: Proportion(successes: 0, trials: 0),
            agreementAfter: Proportion(successes: 0, trials: 0), consensusAccuracyBefore: Proportion(successes: 0, trials: 0),
            consensusAccuracyAfter: Proportion(successes: 0, trials: 0), gained: 0, lost: 0, matched: 0,
            onlyInA: before.keys.filter { !afterKeys.contains($0) }.count, onlyInB: 0, changes: [], backends: [])
        var totals = Dictionary(
            uniqueKeysWithValues: common.map {
                ($0, BackendTotals(
                    backend: $0, withMajorityBefore: Proportion(successes: 0, trials: 0),
                    withMajorityAfter: Proportion(successes: 0, trials: 0), accuracyBefore: Proportion(successes: 0, trials: 0),
                    accuracyAfter: Proportion(successes: 0, trials: 0), correctToWrong: 0, wrongToCorrect: 0, joinedMajority: 0,
                    leftMajority: 0))
            })
        for row in rowsB {
            guard let old = before[key(row)] else {
                result.onlyInB += 1
                continue
            }
            result.matched += 1
            let vA = old.verdict(profile)
            let vB = row.verdict(profile)
            // Order-free throughout: unanimity and the strict majority, never ai-lb's tie-break.
            let judgedA = (vA?.verdict.successes ?? 0) >= 2
            let judgedB = (vB?.verdict.successes ?? 0) >= 2
            let unanimousA = vA?.verdict.outcome == .unanimous
            let unanimousB = vB?.verdict.outcome == .unanimous
            if judgedA { result.agreementBefore.add(unanimousA) }
            if judgedB { result.agreementAfter.add(unanimousB) }
            if let c = vA?.consensusCorrect, judgedA { result.consensusAccuracyBefore.add(c) }
            if let c = vB?.consensusCorrect, judgedB { result.consensusAccuracyAfter.add(c) }
            let agreement: AgreementChange
            if judgedA && judgedB {
                switch (unanimousA, unanimousB) {
                case (false, true): agreement = .gained
                case (true, false): agreement = .lost
                default: agreement = .same
                }
            } else {
                agreement = .unjudged
            }
            if agreement == .gained { result.gained += 1 }
            if agreement == .lost { result.lost += 1 }
            var changed: [BackendChange] = []
            for name in common {
                let rA = old.response(name)
                let rB = row.response(name)
                func majority(_ v: VerdictRecord?, _ judged: Bool, _ r: ResponseRecord?) -> Bool? {
                    guard judged, let v, r?.success == true else { return nil }
                    return v.verdict.majorityGroup?.contains(name) ?? false
                }
                let change = BackendChange(
                    backend: name, withMajorityBefore: majority(vA, judgedA, rA), withMajorityAfter: majority(vB, judgedB, rB),
                    correctBefore: rA?.success == true ? rA?.correct : nil, correctAfter: rB?.success == true ? rB?.correct : nil,
                    failedBefore: rA.map { !$0.success } ?? false, failedAfter: rB.map { !$0.success } ?? false)
                var t = totals[name]!
                if let m = change.withMajorityBefore { t.withMajorityBefore.add(m) }
                if let m = change.withMajorityAfter { t.withMajorityAfter.add(m) }
                if let c = change.correctBefore { t.accuracyBefore.add(c) }
                if let c = change.correctAfter { t.accuracyAfter.add(c) }
                if change.flip == "correct→wrong" { t.correctToWrong += 1 }
                if change.flip == "wrong→correct" { t.wrongToCorrect += 1 }
                if change.majorityChange == "joined the majority" { t.joinedMajority += 1 }
                if change.majorityChange == "left the majority" { t.leftMajority += 1 }
                totals[name] = t
                if change.changed { changed.append(change) }
            }
            let caseChange = CaseChange(
                suite: row.caseRecord.suite, caseID: row.caseRecord.caseID, repeatIndex: row.repeatIndex,
                repeats: row.caseRecord.repeats, agreement: agreement,
                consensusCorrectBefore: judgedA ? vA?.consensusCorrect : nil,
                consensusCorrectAfter: judgedB ? vB?.consensusCorrect : nil,
                consensusBefore: judgedA ? vA?.consensusLabel : nil, consensusAfter: judgedB ? vB?.consensusLabel : nil,
                groupsBefore: vA?.verdict.answerGroups ?? [], groupsAfter: vB?.verdict.answerGroups ?? [], backends: changed)
            if caseChange.changed { result.changes.append(caseChange) }
        }
        result.changes = result.changes.enumerated().sorted { l, r in
            l.element.isRegression != r.element.isRegression ? l.element.isRegression : l.offset < r.offset
        }.map(\.element)
        result.backends = common.map { totals[$0]! }
        result.comparability = Self.comparability(a, b, result: result)
        return result
    }

    /// The sentences of `comparability`.
    static func comparability(_ a: ReportContent, _ b: ReportContent, result: RunComparison) -> [String] {
        var notes: [String] = []
        let (runA, runB) = (a.data.run, b.data.run)
        if runA.mode != runB.mode {
            notes.append(
                "run \(runA.id) ran in \(runA.mode.rawValue) mode and run \(runB.id) in \(runB.mode.rawValue) mode: both judged every "
                    + "answer, so agreement and accuracy compare; ai-lb's own verdicts exist only where a load balancer was asked to vote")
        }
        if runA.profile != runB.profile {
            notes.append(
                "run \(runA.id) was judged under \(runA.profile.rawValue) and run \(runB.id) under \(runB.profile.rawValue): both are "
                    + "compared under \(result.profile.rawValue), whose verdicts every run stores")
        }
        if runA.threshold != runB.threshold {
            notes.append(
                "the text similarity thresholds differ (\(PythonFloat.repr(runA.threshold)) and \(PythonFloat.repr(runB.threshold))): "
                    + "text answers were grouped differently")
        }
        if result.onlyInA > 0 || result.onlyInB > 0 {
            notes.append(
                "\(result.matched) case repeats are in both runs; \(result.onlyInA) only in run \(runA.id) and \(result.onlyInB) only in "
                    + "run \(runB.id) are left out of every figure")
        }
        let namesA = Set(a.data.backends.map(\.name))
        let namesB = Set(b.data.backends.map(\.name))
        let onlyA = a.data.backends.map(\.name).filter { !namesB.contains($0) }
        let onlyB = b.data.backends.map(\.name).filter { !namesA.contains($0) }
        if !onlyA.isEmpty || !onlyB.isEmpty {
            var parts: [String] = []
            if !onlyA.isEmpty { parts.append("only in run \(runA.id): \(onlyA.joined(separator: ", "))") }
            if !onlyB.isEmpty { parts.append("only in run \(runB.id): \(onlyB.joined(separator: ", "))") }
            notes.append(
                "the backends differ (\(parts.joined(separator: "; "))): agreement compares different sets of answers; "
                    + "per-backend figures are given for the backends in both")
        }
        for shared in a.data.backends where namesB.contains(shared.name) {
            guard let other = b.data.backends.first(where: { $0.name == shared.name }) else { continue }
            if shared.model != other.model || shared.quant != other.quant {
                notes.append(
                    "\(shared.name) served \(shared.model) \(shared.quant) in run \(runA.id) and \(other.model) \(other.quant) in run \(runB.id)")
            }
        }
        return notes
    }

    /// A drop beyond the tolerance, with the numbers behind it.
    public struct Regression: Sendable, CustomStringConvertible {
        public var what: String
        public var before: Proportion
        public var after: Proportion
        public var tolerance: Double

        /// "agreement fell from 84.0% [..] to 78.0% [..]: 6.0 points, beyond the tolerance of 2.0".
        public var description: String {
            String(
                format: "%@ fell from %@ %@ to %@ %@: %.1f points, beyond the tolerance of %.1f", what,
                ReportFormat.percent(before), ReportFormat.interval(before), ReportFormat.percent(after),
                ReportFormat.interval(after), ((before.value ?? 0) - (after.value ?? 0)) * 100, tolerance * 100)
        }
    }

    /// Agreement, consensus accuracy and each backend's accuracy that dropped by more than `tolerance` (0…1).
    public func regressions(tolerance: Double) -> [Regression] {
        var found: [Regression] = []
        func check(_ what: String, _ before: Proportion, _ after: Proportion) {
            guard let b = before.value, let a = after.value, b - a > tolerance + 1e-12 else { return }
            found.append(Regression(what: what, before: before, after: after, tolerance: tolerance))
        }
        check("agreement", agreementBefore, agreementAfter)
        check("consensus accuracy", consensusAccuracyBefore, consensusAccuracyAfter)
        for b in backends { check("accuracy of \(b.backend)", b.accuracyBefore, b.accuracyAfter) }
        return found
    }
}
