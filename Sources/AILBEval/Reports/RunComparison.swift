import Foundation

/// What changed between two runs, over what they share: the case repeats in both (matched by suite, case
/// id and repeat) and the backends in both (matched by name).
///
/// Every figure is paired: agreement over the case repeats judged in both runs, a backend's accuracy over
/// the case repeats it answered in both, so a figure has data on both sides or on neither. Verdicts are read
/// over the shared backends only and without regard to the order of the backends (unanimity and the strict
/// majority, never ai-lb's tie-break). A case repeat whose shared backends answered exactly as before (same
/// text, tool calls and correctness, or failed in both) is never a change. Every change says why, and
/// `comparability` says in sentences what the two runs do not share.
package struct RunComparison: Sendable {
    /// How a case repeat's agreement changed from run A to run B.
    package enum AgreementChange: String, Sendable {
        case gained, lost, same
        /// Not judged in both runs (fewer than two answers from the shared backends, or no verdict stored).
        case unjudged
    }

    /// How one run's answers to one case repeat stand, over the backends both runs have.
    package struct Standing: Sendable, Hashable {
        /// The shared backends that answered, grouped by equivalent answers: largest group first, then by
        /// name; members by name.
        package var groups: [[String]]
        package var outcome: CaseOutcome
        /// The consensus answer against `expect`: "correct", "wrong", "tie" or "no majority"; nil without
        /// `expect` or when not judged.
        package var consensus: String?

        /// True when at least two shared backends answered.
        package var judged: Bool { outcome != .notJudged }

        /// The group holding a strict majority, if any.
        package var majorityGroup: [String]? { outcome.hasMajority ? groups.first : nil }

        /// "all 3 agree", "2 of 3 agree", "tie 1–1–1", "no majority 2–1–1" or "fewer than two answers".
        package var summary: String {
            let sizes = groups.map { String($0.count) }.joined(separator: "–")
            let successes = groups.reduce(0) { $0 + $1.count }
            switch outcome {
            case .unanimous: return "all \(successes) agree"
            case .majority: return "\(groups[0].count) of \(successes) agree"
            case .tie: return "tie \(sizes)"
            case .noMajority: return "no majority \(sizes)"
            case .notJudged: return successes == 1 ? "one answer" : "no answer"
            }
        }

        /// The standing of `verdict` over the backends in `shared`: its order-free answer groups with the
        /// other backends taken out, and the consensus scored as `CaseAssessor` scores it (the strict
        /// majority's answer, from each member's stored correctness; a tie or no majority has none).
        ///
        /// The groups are the verdict's, judged over all its answers: the rule it used (tool calls, hash,
        /// text) is kept, and texts linked by similarity only through a backend taken out stay in one group.
        static func of(_ verdict: Verdict, responses: [ResponseRecord], shared: Set<String>, hasExpect: Bool) -> Standing {
            let groups = Verdict.canonicalOrder(verdict.answerGroups.map { $0.filter(shared.contains) }.filter { !$0.isEmpty })
            let successes = groups.reduce(0) { $0 + $1.count }
            let outcome = CaseOutcome(groupSizes: groups.map(\.count), successes: successes)
            var consensus: String?
            if hasExpect {
                switch outcome {
                case .unanimous, .majority:
                    let correct = groups[0].filter { name in responses.first { $0.backend == name }?.correct == true }.count
                    consensus = 2 * correct > groups[0].count ? "correct" : "wrong"
                case .tie: consensus = "tie"
                case .noMajority: consensus = "no majority"
                case .notJudged: consensus = nil
                }
            }
            return Standing(groups: groups, outcome: outcome, consensus: consensus)
        }
    }

    /// One backend's change on one case repeat.
    package struct BackendChange: Sendable, Hashable {
        package var backend: String
        /// Whether it was in the strict majority (nil: it did not answer, or the case repeat was not judged).
        package var withMajorityBefore: Bool?
        package var withMajorityAfter: Bool?
        /// Whether its answer met `expect` (nil: it did not answer, or the case has no `expect`).
        package var correctBefore: Bool?
        package var correctAfter: Bool?
        package var failedBefore: Bool
        package var failedAfter: Bool
        /// The error class of a failure ("timeout", "http_5xx"); nil when it answered or has no stored response.
        package var errorBefore: String?
        package var errorAfter: String?
        /// False when the run has no stored response of it for this case repeat (an interrupted run).
        package var storedBefore: Bool = true
        package var storedAfter: Bool = true
        /// True when it answered in both runs and its text or tool calls differ.
        package var answerChanged: Bool = false
        /// Why it is listed, in words: "b answered differently: left the majority, correct→wrong".
        package var reason: String = ""

        /// "correct→wrong", "wrong→correct", or nil.
        package var flip: String? {
            guard let before = correctBefore, let after = correctAfter, before != after else { return nil }
            return before ? "correct→wrong" : "wrong→correct"
        }

        /// "joined the majority", "left the majority", or nil.
        package var majorityChange: String? {
            guard let before = withMajorityBefore, let after = withMajorityAfter, before != after else { return nil }
            return after ? "joined the majority" : "left the majority"
        }

        /// True when anything about this backend changed.
        package var changed: Bool {
            flip != nil || majorityChange != nil || failedBefore != failedAfter || storedBefore != storedAfter
        }
    }

    /// One matched case repeat that changed.
    package struct CaseChange: Sendable {
        package var suite: String
        package var caseID: String
        /// The repeat, from 0 (shown from 1).
        package var repeatIndex: Int
        /// How many repeats the case has (in run B).
        package var repeats: Int = 1
        package var agreement: AgreementChange
        /// The standing in each run over the shared backends (nil: that run stores no verdict for it).
        package var before: Standing?
        package var after: Standing?
        /// Backends with a change, in run B's config order.
        package var backends: [BackendChange]
        /// Why this case repeat is listed, case-level reasons first, then one per backend in `backends`.
        /// Never empty for a listed change.
        package var reasons: [String] = []

        /// The consensus answer's standing in each run: correct, wrong, tie, no majority (nil: no `expect`,
        /// or not judged).
        package var consensusBefore: String? { before?.consensus }
        package var consensusAfter: String? { after?.consensus }
        package var groupsBefore: [[String]] { before?.groups ?? [] }
        package var groupsAfter: [[String]] { after?.groups ?? [] }

        /// True when anything got worse: agreement was lost, a correct consensus answer is gone (wrong, tie or
        /// no majority), or a backend now fails or answers wrongly.
        package var isRegression: Bool {
            agreement == .lost || (consensusBefore == "correct" && consensusAfter != nil && consensusAfter != "correct")
                || backends.contains { ($0.failedAfter && !$0.failedBefore) || $0.flip == "correct→wrong" }
        }
        /// True when anything changed: every change has a reason.
        package var changed: Bool { !reasons.isEmpty }
    }

    /// How the consensus answers of the paired case repeats with `expect` stand in one run.
    package struct ConsensusCounts: Sendable, Hashable {
        package var correct = 0
        package var wrong = 0
        package var tie = 0
        package var noMajority = 0

        package var total: Int { correct + wrong + tie + noMajority }

        mutating func add(_ label: String) {
            switch label {
            case "correct": correct += 1
            case "wrong": wrong += 1
            case "tie": tie += 1
            default: noMajority += 1
            }
        }
    }

    /// One backend's totals over the matched case repeats, each figure paired.
    package struct BackendTotals: Sendable {
        package var backend: String
        /// Over the case repeats judged in both runs that it answered in both.
        package var withMajorityBefore: Proportion
        package var withMajorityAfter: Proportion
        /// Over the case repeats with `expect` that it answered in both runs.
        package var accuracyBefore: Proportion
        package var accuracyAfter: Proportion
        /// Failed responses over the case repeats with a stored response of it in both runs.
        package var failuresBefore: Proportion = Proportion(successes: 0, trials: 0)
        package var failuresAfter: Proportion = Proportion(successes: 0, trials: 0)
        package var correctToWrong: Int
        package var wrongToCorrect: Int
        package var joinedMajority: Int
        package var leftMajority: Int
        /// Why `withMajority…` or `accuracy…` has no data; nil when it has.
        package var withMajorityNoData: String?
        package var accuracyNoData: String?
        /// McNemar's exact p on this backend's correctness flips between the runs.
        package var mcnemarP: Double { McNemar.exactPValue(correctToWrong, wrongToCorrect) }
    }

    package var runA: Int64
    package var runB: Int64
    package var profile: EquivalenceProfile
    /// The backends in both runs, in run B's order: every figure is over these.
    package var sharedBackends: [String] = []
    /// Agreement (unanimous among the shared backends that answered) over the case repeats judged in both
    /// runs; intervals over cases.
    package var agreementBefore: Proportion
    package var agreementAfter: Proportion
    /// Why agreement has no data; nil when it has.
    package var agreementNoData: String?
    /// The consensus answers' standing over the case repeats with `expect` judged in both runs, and the
    /// share that is correct (a tie or no majority is not a correct answer).
    package var consensusBefore = ConsensusCounts()
    package var consensusAfter = ConsensusCounts()
    package var consensusCorrectBefore: Proportion = Proportion(successes: 0, trials: 0)
    package var consensusCorrectAfter: Proportion = Proportion(successes: 0, trials: 0)
    /// Why the consensus figures have no data; nil when they have.
    package var consensusNoData: String?
    package var gained: Int
    package var lost: Int
    /// Case repeats in both runs, and in one only (left out of every figure).
    package var matched: Int
    package var onlyInA: Int
    package var onlyInB: Int
    /// Of the matched case repeats: judged in both runs, in one only, and the cases behind the first.
    package var judgedInBoth = 0
    package var judgedOnlyInA = 0
    package var judgedOnlyInB = 0
    package var casesJudgedInBoth = 0
    /// Matched case repeats whose shared backends answered identically in both runs but whose stored
    /// verdicts group them differently (another threshold, or a verdict stored by an earlier version):
    /// taken as unchanged, both sides judged as in run B.
    package var identicalRegrouped = 0
    /// Set when the two runs have nothing to compare at all (no case repeat or no backend in common): why.
    package var nothingComparable: String?
    /// What the two runs do not share, and what that leaves out, in sentences: mode, profile, threshold,
    /// status, cases, how cases were asked and scored, backends, models. Every figure is over what they
    /// share; these say what was left out, so no number stands unexplained.
    package var comparability: [String] = []
    /// Matched case repeats where anything changed, regressions first.
    package var changes: [CaseChange]
    /// Backends present in both runs, in run B's order.
    package var backends: [BackendTotals]
    /// The mode advisor's table of each run, each over its own case repeats (shown side by side, not paired);
    /// nil in a comparison made without them.
    package var modesA: ModeAdvice?
    package var modesB: ModeAdvice?

    /// Successes and trials per case, turned into a proportion whose interval is over cases.
    struct CaseTally {
        private var order: [String] = []
        private var counts: [String: (successes: Int, trials: Int)] = [:]

        mutating func add(_ key: String, _ success: Bool) {
            if counts[key] == nil {
                order.append(key)
                counts[key] = (0, 0)
            }
            counts[key]!.trials += 1
            if success { counts[key]!.successes += 1 }
        }

        var proportion: Proportion { Proportion.clustered(order.map { counts[$0]! }) }
    }

    /// Compares run `a` (before) with run `b` (after), both under `b`'s profile.
    package static func compute(_ a: ReportContent, _ b: ReportContent) throws -> RunComparison {
        struct Key: Hashable {
            var suite: String
            var caseID: String
            var repeatIndex: Int
        }
        let profile = b.profile
        let (idA, idB) = (a.data.run.id, b.data.run.id)
        func key(_ row: CaseRepeatRow) -> Key {
            Key(suite: row.caseRecord.suite, caseID: row.caseRecord.caseID, repeatIndex: row.repeatIndex)
        }
        let rowsA = try a.rows
        let rowsB = try b.rows
        let before = Dictionary(rowsA.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let afterKeys = Set(rowsB.map(key))
        let shared = b.data.backends.map(\.name).filter { name in a.data.backends.contains { $0.name == name } }
        let sharedSet = Set(shared)
        var result = RunComparison(
            runA: idA, runB: idB, profile: profile, sharedBackends: shared, agreementBefore: Proportion(successes: 0, trials: 0),
            agreementAfter: Proportion(successes: 0, trials: 0), gained: 0, lost: 0, matched: 0,
            onlyInA: before.keys.filter { !afterKeys.contains($0) }.count, onlyInB: 0, changes: [], backends: [])
        result.modesA = a.modes
        result.modesB = b.modes

        var agreement = (before: CaseTally(), after: CaseTally())
        var consensusCorrect = (before: CaseTally(), after: CaseTally())
        struct BackendTally {
            var withMajority = (before: CaseTally(), after: CaseTally())
            var accuracy = (before: CaseTally(), after: CaseTally())
            var failures = (before: CaseTally(), after: CaseTally())
            var failedA = 0
            var failedB = 0
            var correctToWrong = 0
            var wrongToCorrect = 0
            var joined = 0
            var left = 0
        }
        var tallies = Dictionary(uniqueKeysWithValues: shared.map { ($0, BackendTally()) })
        var unjudgedRows = (a: 0, b: 0)
        var withoutVerdict = (a: 0, b: 0)
        var withExpectJudgedInBoth = 0
        var cases: Set<String> = []
        var expectDiffers: Set<String> = []
        var askedDifferently: Set<String> = []

        for row in rowsB {
            guard let old = before[key(row)] else {
                result.onlyInB += 1
                continue
            }
            result.matched += 1
            let caseKey = row.caseRecord.suite + "\u{1F}" + row.caseRecord.caseID
            if old.caseRecord.expectJSON != row.caseRecord.expectJSON { expectDiffers.insert(caseKey) }
            if old.caseRecord.requestJSON != row.caseRecord.requestJSON { askedDifferently.insert(caseKey) }
            let hasExpectA = old.caseRecord.expectJSON != nil
            let hasExpectB = row.caseRecord.expectJSON != nil
            let verdictA = old.verdict(profile)?.verdict
            let verdictB = row.verdict(profile)?.verdict
            if verdictA == nil { withoutVerdict.a += 1 }
            if verdictB == nil { withoutVerdict.b += 1 }
            var sideA = verdictA.map { Standing.of($0, responses: old.responses, shared: sharedSet, hasExpect: hasExpectA) }
            let sideB = verdictB.map { Standing.of($0, responses: row.responses, shared: sharedSet, hasExpect: hasExpectB) }
            // The same answers are the same result: a difference in the stored grouping alone (another
            // threshold, an earlier version's verdict) is not a change of the backends.
            // Under `ailb` the stored tool calls (normalised as `semantic` reads them) can hide a difference
            // ai-lb sees (1234 against 1234.0, another call order): then the raw bodies decide.
            var rawDifferences: Set<String> = []
            if Self.sameAnswers(old, row, shared: shared), let standingA = sideA, let standingB = sideB,
                standingA.groups != standingB.groups
            {
                if profile == .ailb {
                    rawDifferences = Self.differUnderAILB(
                        try Self.rawBodies(a, old, shared: shared), try Self.rawBodies(b, row, shared: shared))
                }
                if rawDifferences.isEmpty {
                    result.identicalRegrouped += 1
                    sideA = Standing.of(verdictB!, responses: old.responses, shared: sharedSet, hasExpect: hasExpectA)
                }
            }
            let judgedA = sideA?.judged ?? false
            let judgedB = sideB?.judged ?? false
            if !judgedA { unjudgedRows.a += 1 }
            if !judgedB { unjudgedRows.b += 1 }
            let judgedBoth = judgedA && judgedB
            let change: AgreementChange
            if judgedBoth, let sideA, let sideB {
                result.judgedInBoth += 1
                cases.insert(caseKey)
                let (unanimousA, unanimousB) = (sideA.outcome == .unanimous, sideB.outcome == .unanimous)
                agreement.before.add(caseKey, unanimousA)
                agreement.after.add(caseKey, unanimousB)
                switch (unanimousA, unanimousB) {
                case (false, true): change = .gained
                case (true, false): change = .lost
                default: change = .same
                }
                if let ca = sideA.consensus, let cb = sideB.consensus {
                    withExpectJudgedInBoth += 1
                    result.consensusBefore.add(ca)
                    result.consensusAfter.add(cb)
                    consensusCorrect.before.add(caseKey, ca == "correct")
                    consensusCorrect.after.add(caseKey, cb == "correct")
                }
            } else {
                change = .unjudged
                if judgedA { result.judgedOnlyInA += 1 }
                if judgedB { result.judgedOnlyInB += 1 }
            }
            if change == .gained { result.gained += 1 }
            if change == .lost { result.lost += 1 }

            var changed: [BackendChange] = []
            for name in shared {
                let rA = old.response(name)
                let rB = row.response(name)
                func majority(_ side: Standing?, _ r: ResponseRecord?) -> Bool? {
                    guard judgedBoth, let side, r?.success == true else { return nil }
                    return side.majorityGroup?.contains(name) ?? false
                }
                var bc = BackendChange(
                    backend: name, withMajorityBefore: majority(sideA, rA), withMajorityAfter: majority(sideB, rB),
                    correctBefore: rA?.success == true && rB?.success == true ? rA?.correct : nil,
                    correctAfter: rA?.success == true && rB?.success == true ? rB?.correct : nil,
                    failedBefore: rA.map { !$0.success } ?? false, failedAfter: rB.map { !$0.success } ?? false,
                    errorBefore: rA?.success == false ? (rA?.errorClass?.rawValue ?? "error") : nil,
                    errorAfter: rB?.success == false ? (rB?.errorClass?.rawValue ?? "error") : nil,
                    storedBefore: rA != nil, storedAfter: rB != nil,
                    answerChanged: rA?.success == true && rB?.success == true
                        && (!Self.sameAnswer(rA!, rB!) || rawDifferences.contains(name)))
                var t = tallies[name]!
                if let m = bc.withMajorityBefore, let n = bc.withMajorityAfter {
                    t.withMajority.before.add(caseKey, m)
                    t.withMajority.after.add(caseKey, n)
                }
                if let c = bc.correctBefore, let d = bc.correctAfter {
                    t.accuracy.before.add(caseKey, c)
                    t.accuracy.after.add(caseKey, d)
                }
                if let rA, let rB {
                    t.failures.before.add(caseKey, !rA.success)
                    t.failures.after.add(caseKey, !rB.success)
                }
                if bc.failedBefore { t.failedA += 1 }
                if bc.failedAfter { t.failedB += 1 }
                if bc.flip == "correct→wrong" { t.correctToWrong += 1 }
                if bc.flip == "wrong→correct" { t.wrongToCorrect += 1 }
                if bc.majorityChange == "joined the majority" { t.joined += 1 }
                if bc.majorityChange == "left the majority" { t.left += 1 }
                tallies[name] = t
                if bc.changed {
                    bc.reason = Self.reason(bc, runA: idA, runB: idB, expectDiffers: old.caseRecord.expectJSON != row.caseRecord.expectJSON)
                    changed.append(bc)
                }
            }
            var caseChange = CaseChange(
                suite: row.caseRecord.suite, caseID: row.caseRecord.caseID, repeatIndex: row.repeatIndex,
                repeats: row.caseRecord.repeats, agreement: change, before: sideA, after: sideB, backends: changed)
            caseChange.reasons = Self.reasons(caseChange, runA: idA, runB: idB)
            if caseChange.changed { result.changes.append(caseChange) }
        }
        result.changes = result.changes.enumerated().sorted { l, r in
            l.element.isRegression != r.element.isRegression ? l.element.isRegression : l.offset < r.offset
        }.map(\.element)
        result.casesJudgedInBoth = cases.count
        result.agreementBefore = agreement.before.proportion
        result.agreementAfter = agreement.after.proportion
        result.consensusCorrectBefore = consensusCorrect.before.proportion
        result.consensusCorrectAfter = consensusCorrect.after.proportion

        // Why a figure is empty, in the user's terms.
        let sharedCount = shared.count
        if rowsA.isEmpty || rowsB.isEmpty {
            let empty = [rowsA.isEmpty ? idA : nil, rowsB.isEmpty ? idB : nil].compactMap { $0 }.map { "run \($0)" }
            result.nothingComparable = "\(empty.joined(separator: " and ")) \(empty.count > 1 ? "have" : "has") no stored case repeat"
        } else if result.matched == 0 {
            result.nothingComparable =
                "runs \(idA) and \(idB) share no case repeat (suites \(Self.suiteNames(rowsA)) and \(Self.suiteNames(rowsB)))"
        } else if shared.isEmpty {
            result.nothingComparable = "runs \(idA) and \(idB) share no backend"
        }
        func side(_ id: Int64, unjudged: Int, withoutVerdict: Int) -> String {
            if withoutVerdict == result.matched {
                return "run \(id) stores no verdict (`ailb-eval run --resume \(id)` judges what it stored)"
            }
            let judged = result.matched - unjudged
            return "run \(id) judged \(judged) of the \(result.matched) shared case repeats"
                + (withoutVerdict > 0 ? " (\(withoutVerdict) without a stored verdict)" : "")
        }
        if let nothing = result.nothingComparable {
            result.agreementNoData = nothing
        } else if sharedCount < 2 {
            result.agreementNoData =
                "only one backend (\(shared[0])) is in both runs, and agreement needs two answers from backends in both"
        } else if result.judgedInBoth == 0 {
            result.agreementNoData =
                "no case repeat was judged in both runs (two or more answers from the backends in both): "
                + side(idA, unjudged: unjudgedRows.a, withoutVerdict: withoutVerdict.a) + "; "
                + side(idB, unjudged: unjudgedRows.b, withoutVerdict: withoutVerdict.b)
        }
        if let none = result.agreementNoData {
            result.consensusNoData = none
        } else if withExpectJudgedInBoth == 0 {
            result.consensusNoData = "none of the \(result.judgedInBoth) case repeats judged in both runs has an expected answer (expect)"
        }
        result.backends = shared.map { name in
            let t = tallies[name]!
            var totals = BackendTotals(
                backend: name, withMajorityBefore: t.withMajority.before.proportion,
                withMajorityAfter: t.withMajority.after.proportion, accuracyBefore: t.accuracy.before.proportion,
                accuracyAfter: t.accuracy.after.proportion, failuresBefore: t.failures.before.proportion,
                failuresAfter: t.failures.after.proportion, correctToWrong: t.correctToWrong, wrongToCorrect: t.wrongToCorrect,
                joinedMajority: t.joined, leftMajority: t.left)
            let failures = "it failed \(t.failedA) of \(result.matched) in run \(idA) and \(t.failedB) in run \(idB)"
            if totals.withMajorityBefore.trials == 0 {
                totals.withMajorityNoData =
                    result.agreementNoData
                    ?? "it answered in both runs none of the \(result.judgedInBoth) case repeats judged in both (\(failures))"
            }
            if totals.accuracyBefore.trials == 0 {
                let withExpect = rowsB.filter { before[key($0)] != nil && $0.caseRecord.expectJSON != nil }.count
                totals.accuracyNoData =
                    result.nothingComparable
                    ?? (withExpect == 0
                        ? "no shared case has an expected answer (expect)"
                        : "it answered in both runs none of the \(withExpect) shared case repeats with expect (\(failures))")
            }
            return totals
        }
        result.comparability = Self.comparability(
            a, b, result: result, rowsA: rowsA, rowsB: rowsB, expectDiffers: expectDiffers.count,
            askedDifferently: askedDifferently.count)
        return result
    }

    /// True when both responses are the same answer: both failed, or both answered with the same text,
    /// tool calls and correctness.
    static func sameAnswer(_ a: ResponseRecord, _ b: ResponseRecord) -> Bool {
        if !a.success && !b.success { return true }
        return a.success && b.success && a.text == b.text && a.toolCalls == b.toolCalls && a.correct == b.correct
    }

    /// The raw bodies of the shared backends' successful answers to `row`'s case repeat in `content`'s run.
    static func rawBodies(_ content: ReportContent, _ row: CaseRepeatRow, shared: [String]) throws -> [String: String] {
        switch content.source {
        case .rows:
            return Dictionary(
                row.responses.filter { $0.success && shared.contains($0.backend) }.map { ($0.backend, $0.rawBody) },
                uniquingKeysWith: { _, last in last })
        case .reader(let reader):
            return try reader.successfulRawBodies(
                runID: content.data.run.id, casePosition: row.caseRecord.position, repeatIndex: row.repeatIndex)
        }
    }

    /// The backends whose answers differ as ai-lb's rules read them (normalised text and tool-call key),
    /// among those with a readable body in both.
    static func differUnderAILB(_ a: [String: String], _ b: [String: String]) -> Set<String> {
        func key(_ raw: String?) -> String? {
            guard let raw, !raw.isEmpty, let body = try? ExactJSON(parsing: raw),
                let answer = try? ComparedAnswer(body: body, rules: EquivalenceRules(profile: .ailb, foldStrings: false))
            else { return nil }
            return answer.callsKey + "\u{1F}" + answer.text.codePoints.map(String.init).joined(separator: ",")
        }
        var differ: Set<String> = []
        for (backend, rawA) in a {
            if let ka = key(rawA), let kb = key(b[backend]), ka != kb { differ.insert(backend) }
        }
        return differ
    }

    /// True when every shared backend answered the same in both rows (or has no stored response in either).
    static func sameAnswers(_ a: CaseRepeatRow, _ b: CaseRepeatRow, shared: [String]) -> Bool {
        shared.allSatisfy { name in
            switch (a.response(name), b.response(name)) {
            case (nil, nil): return true
            case let (ra?, rb?): return sameAnswer(ra, rb)
            default: return false
            }
        }
    }

    /// Why a backend is listed.
    static func reason(_ c: BackendChange, runA: Int64, runB: Int64, expectDiffers: Bool) -> String {
        var what: [String] = []
        if let m = c.majorityChange { what.append(m) }
        if let f = c.flip { what.append(f) }
        let tail = what.joined(separator: ", ")
        if c.storedBefore != c.storedAfter {
            return "\(c.backend) has no stored answer in run \(c.storedBefore ? runB : runA)"
        }
        if c.failedAfter && !c.failedBefore {
            return "\(c.backend) failed in run \(runB) (\(c.errorAfter ?? "error"))"
        }
        if c.failedBefore && !c.failedAfter {
            return "\(c.backend) recovered (it failed in run \(runA): \(c.errorBefore ?? "error"))"
        }
        if c.answerChanged { return "\(c.backend) answered differently: \(tail)" }
        var parts: [String] = []
        if let m = c.majorityChange { parts.append("\(m) (other answers changed)") }
        if let f = c.flip { parts.append("is scored \(f)" + (expectDiffers ? " (the case's expect differs)" : "")) }
        return "\(c.backend) gave the same answer but " + parts.joined(separator: " and ")
    }

    /// Why a case repeat is listed: the agreement and consensus changes, then each backend's reason.
    static func reasons(_ c: CaseChange, runA: Int64, runB: Int64) -> [String] {
        var reasons: [String] = []
        let from = c.before?.summary ?? "no verdict"
        let to = c.after?.summary ?? "no verdict"
        switch c.agreement {
        case .gained: reasons.append("agreement gained (\(from) → \(to))")
        case .lost: reasons.append("agreement lost (\(from) → \(to))")
        case .same:
            if c.before?.outcome != c.after?.outcome { reasons.append("answers regrouped (\(from) → \(to))") }
        case .unjudged:
            // Listed only when a backend changed; say why agreement is not compared here.
            if !c.backends.isEmpty {
                let a = c.before?.judged ?? false
                let b = c.after?.judged ?? false
                if a || b {
                    let other = a ? runB : runA
                    let why = (a ? c.after : c.before) == nil ? "no verdict stored" : (a ? to : from)
                    reasons.append("judged only in run \(a ? runA : runB) (run \(other): \(why))")
                }
            }
        }
        if let before = c.consensusBefore, let after = c.consensusAfter, before != after {
            reasons.append("consensus \(before)→\(after)")
        }
        return reasons + c.backends.map(\.reason)
    }

    static func suiteNames(_ rows: [CaseRepeatRow]) -> String {
        var seen: [String] = []
        for row in rows where !seen.contains(row.caseRecord.suite) { seen.append(row.caseRecord.suite) }
        return seen.joined(separator: ", ")
    }

    /// The sentences of `comparability`.
    static func comparability(
        _ a: ReportContent, _ b: ReportContent, result: RunComparison, rowsA: [CaseRepeatRow], rowsB: [CaseRepeatRow],
        expectDiffers: Int, askedDifferently: Int
    ) -> [String] {
        var notes: [String] = []
        let (runA, runB) = (a.data.run, b.data.run)
        if let nothing = result.nothingComparable {
            notes.append("nothing is comparable: \(nothing)")
        }
        let unjudgedRuns = [(runA, rowsA), (runB, rowsB)].filter { _, rows in
            !rows.isEmpty && rows.allSatisfy { $0.ailb == nil && $0.semantic == nil }
        }.map(\.0)
        if runA.mode != runB.mode {
            notes.append(
                "run \(runA.id) ran in \(runA.mode.rawValue) mode and run \(runB.id) in \(runB.mode.rawValue) mode: the mode only "
                    + "decides what a load balancer is asked"
                    + (unjudgedRuns.isEmpty
                        ? ", and both runs judged every answer, so agreement and accuracy compare; ai-lb's own votes are not compared"
                        : ""))
        }
        for run in unjudgedRuns {
            notes.append(
                "run \(run.id) stores no verdict (stored in \(run.mode.rawValue) mode before every run was judged, or stopped before "
                    + "its first case repeat was complete): it has no judged case repeat; `ailb-eval run --resume \(run.id)` judges "
                    + "what it stored")
        }
        if runA.profile != runB.profile {
            notes.append(
                "run \(runA.id) was judged under \(runA.profile.rawValue) and run \(runB.id) under \(runB.profile.rawValue): both are "
                    + "compared under \(result.profile.rawValue), whose verdicts every run stores")
        }
        if runA.threshold != runB.threshold {
            notes.append(
                "the text similarity thresholds differ (\(PythonFloat.repr(runA.threshold)) in run \(runA.id), "
                    + "\(PythonFloat.repr(runB.threshold)) in run \(runB.id)): similar texts may be grouped differently; "
                    + "identical answers count as unchanged")
        }
        for run in [runA, runB] where run.status != .completed {
            notes.append("run \(run.id) is \(run.status.rawValue): what it did not answer is left out")
        }
        if result.matched > 0 && (result.onlyInA > 0 || result.onlyInB > 0) {
            var only: [String] = []
            let suitesA = Set(rowsA.map(\.caseRecord.suite))
            let suitesB = Set(rowsB.map(\.caseRecord.suite))
            let onlySuitesA = suitesA.subtracting(suitesB).sorted()
            let onlySuitesB = suitesB.subtracting(suitesA).sorted()
            if !onlySuitesA.isEmpty { only.append("suite \(onlySuitesA.joined(separator: ", ")) only in run \(runA.id)") }
            if !onlySuitesB.isEmpty { only.append("suite \(onlySuitesB.joined(separator: ", ")) only in run \(runB.id)") }
            notes.append(
                "\(result.matched) case repeats are in both runs; \(result.onlyInA) only in run \(runA.id) and \(result.onlyInB) only in "
                    + "run \(runB.id) are left out of every figure" + (only.isEmpty ? "" : " (\(only.joined(separator: "; ")))"))
        }
        if expectDiffers > 0 {
            notes.append(
                "\(expectDiffers) shared case\(expectDiffers == 1 ? " has" : "s have") a different expected answer (expect) in the two runs: "
                    + "the same answer may be scored differently")
        }
        if askedDifferently > 0 {
            notes.append(
                "\(askedDifferently) shared case\(askedDifferently == 1 ? " was" : "s were") asked differently in the two runs "
                    + "(prompt, tools or request settings changed)")
        }
        let namesA = Set(a.data.backends.map(\.name))
        let namesB = Set(b.data.backends.map(\.name))
        let onlyA = a.data.backends.map(\.name).filter { !namesB.contains($0) }
        let onlyB = b.data.backends.map(\.name).filter { !namesA.contains($0) }
        if !onlyA.isEmpty || !onlyB.isEmpty {
            var parts: [String] = []
            if !onlyA.isEmpty { parts.append("only in run \(runA.id): \(onlyA.joined(separator: ", "))") }
            if !onlyB.isEmpty { parts.append("only in run \(runB.id): \(onlyB.joined(separator: ", "))") }
            let shared = result.sharedBackends
            notes.append(
                "the backends differ (\(parts.joined(separator: "; "))): "
                    + (shared.isEmpty
                        ? "no backend is in both runs"
                        : "every figure, agreement included, is over the backend\(shared.count == 1 ? "" : "s") in both "
                            + "(\(shared.joined(separator: ", "))), and the others' answers are left out"))
        }
        for shared in a.data.backends where namesB.contains(shared.name) {
            guard let other = b.data.backends.first(where: { $0.name == shared.name }) else { continue }
            if shared.model != other.model || shared.quant != other.quant {
                notes.append(
                    "\(shared.name) served \(shared.model) \(shared.quant) in run \(runA.id) and \(other.model) \(other.quant) in run \(runB.id)"
                )
            }
        }
        if result.identicalRegrouped > 0 {
            notes.append(
                "\(result.identicalRegrouped) case repeat\(result.identicalRegrouped == 1 ? " has" : "s have") the same answers in both runs "
                    + "but \(result.identicalRegrouped == 1 ? "was" : "were") grouped differently by run \(runA.id)'s stored verdicts: "
                    + "counted as unchanged, judged as in run \(runB.id)")
        }
        if result.nothingComparable == nil && result.judgedInBoth > 0 && result.judgedInBoth < result.matched {
            let neither = result.matched - result.judgedInBoth - result.judgedOnlyInA - result.judgedOnlyInB
            var parts: [String] = []
            if result.judgedOnlyInA > 0 { parts.append("\(result.judgedOnlyInA) judged only in run \(runA.id)") }
            if result.judgedOnlyInB > 0 { parts.append("\(result.judgedOnlyInB) only in run \(runB.id)") }
            if neither > 0 { parts.append("\(neither) in neither") }
            notes.append(
                "agreement and consensus are over the \(result.judgedInBoth) shared case repeats judged in both runs (two or more "
                    + "answers from the backends in both); \(parts.joined(separator: ", ")) are left out")
        }
        return notes
    }

    /// A change beyond the tolerance, with the numbers behind it.
    package struct Regression: Sendable, CustomStringConvertible {
        package var what: String
        package var before: Proportion
        package var after: Proportion
        package var tolerance: Double
        /// True for a figure that is worse when it rises (failures).
        package var rose = false

        /// "agreement fell from 84.0% [..] to 78.0% [..]: 6.0 points, beyond the tolerance of 2.0".
        package var description: String {
            String(
                format: "%@ %@ from %@ %@ to %@ %@: %.1f points, beyond the tolerance of %.1f", what, rose ? "rose" : "fell",
                ReportFormat.percent(before), ReportFormat.interval(before), ReportFormat.percent(after),
                ReportFormat.interval(after), abs((before.value ?? 0) - (after.value ?? 0)) * 100, tolerance * 100)
        }
    }

    /// Agreement, the share of correct consensus answers and each backend's accuracy that dropped by more than
    /// `tolerance` (0…1), and each backend's failure rate that rose by more.
    package func regressions(tolerance: Double) -> [Regression] {
        var found: [Regression] = []
        func check(_ what: String, _ before: Proportion, _ after: Proportion, rising: Bool = false) {
            guard let b = before.value, let a = after.value, (rising ? a - b : b - a) > tolerance + 1e-12 else { return }
            found.append(Regression(what: what, before: before, after: after, tolerance: tolerance, rose: rising))
        }
        check("agreement", agreementBefore, agreementAfter)
        check("correct consensus answers", consensusCorrectBefore, consensusCorrectAfter)
        for b in backends {
            check("accuracy of \(b.backend)", b.accuracyBefore, b.accuracyAfter)
            check("failures of \(b.backend)", b.failuresBefore, b.failuresAfter, rising: true)
        }
        return found
    }

    /// Why `--fail-on-regression` cannot pass: nothing judged in both runs means no evidence of no regression.
    /// Nil when agreement has data.
    package var regressionGateNoData: String? { agreementNoData }
}
