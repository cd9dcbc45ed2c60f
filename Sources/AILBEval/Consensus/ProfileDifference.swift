/// A semantic equivalence that the `ailb` profile lacks: the reason for a spurious disagreement.
public enum SpuriousCause: String, CaseIterable, Sendable {
    /// `1` versus `1.0`.
    case numberFormatting = "number_formatting"
    /// Arguments as an object versus the same arguments as a JSON string.
    case argumentEncoding = "argument_encoding"
    /// Parallel calls in another order.
    case callOrder = "call_order"
    /// `<think>…</think>` blocks in the text.
    case reasoningTags = "reasoning_tags"
    /// String arguments differing only in case or surrounding spaces.
    case stringCase = "string_case"
    /// The same text in another Unicode normal form (`é` versus `e` + U+0301).
    case unicodeForm = "unicode_form"
    /// A tool call sent without OpenAI's `function` wrapper.
    case callShape = "call_shape"

    /// The `ailb` rules plus this one equivalence.
    var rulesAlone: EquivalenceRules {
        var rules = EquivalenceRules.ailb
        toggle(&rules, on: true)
        return rules
    }

    /// Switches this equivalence in `rules`.
    func toggle(_ rules: inout EquivalenceRules, on: Bool) {
        switch self {
        case .numberFormatting: rules.numbersByValue = on
        case .argumentEncoding: rules.argumentEncoding = on
        case .callOrder: rules.callsAsMultiset = on
        case .reasoningTags: rules.stripThinkTags = on
        case .stringCase: rules.foldStrings = on
        case .unicodeForm: rules.unicodeForms = on
        case .callShape: rules.bareCalls = on
        }
    }
}

/// Explains why the `ailb` and `semantic` profiles judge a case differently.
///
/// Reports name the equivalence behind each spurious disagreement, so a user knows which formatting
/// habit of a backend makes the load balancer distrust it.
public enum ProfileDifference {
    /// The equivalences that make some pair of successful responses agree under `semantic` but not `ailb`,
    /// in declaration order. Each is first tried alone on top of `ailb`; a pair that needs several at once
    /// is attributed to those it cannot do without. `foldStrings` says whether the suite folds string case.
    public static func causes(_ responses: [CandidateResponse], foldStrings: Bool = false) -> [SpuriousCause] {
        let full = EquivalenceRules.semantic(foldStrings: foldStrings)
        let enabled = SpuriousCause.allCases.filter { $0 != .stringCase || foldStrings }
        var cache: [EquivalenceRules: [ConsensusJudge.Candidate]] = [:]
        func candidates(_ rules: EquivalenceRules) -> [ConsensusJudge.Candidate] {
            if let known = cache[rules] { return known }
            let made = ConsensusJudge(rules: rules, threshold: 1).successes(responses).candidates
            cache[rules] = made
            return made
        }
        func agree(_ i: Int, _ j: Int, _ rules: EquivalenceRules) -> Bool {
            let list = candidates(rules)
            let (a, b) = (list[i], list[j])
            if a.hasToolCalls && b.hasToolCalls { return a.callsKey == b.callsKey }
            return a.callsKey == b.callsKey && a.text == b.text
        }
        var found = Set<SpuriousCause>()
        let count = candidates(.ailb).count
        for i in 0..<count {
            for j in (i + 1)..<count where !agree(i, j, .ailb) && agree(i, j, full) {
                let alone = enabled.filter { agree(i, j, $0.rulesAlone) }
                if !alone.isEmpty {
                    found.formUnion(alone)
                    continue
                }
                found.formUnion(
                    enabled.filter { cause in
                        var without = full
                        cause.toggle(&without, on: false)
                        return !agree(i, j, without)
                    })
            }
        }
        return SpuriousCause.allCases.filter(found.contains)
    }
}
