/// Decides whether a case's responses agree, and which one wins, by the rules of CONSENSUS.md.
///
/// With the `ailb` profile it reproduces ai-lb's `compute_consensus` verdicts exactly
/// (`vectors/consensus.jsonl`); `semantic` adds the equivalences a careful person would accept.
public struct ConsensusJudge: Sendable {
    /// The equivalence profile.
    public let profile: EquivalenceProfile
    /// Text similarity at or above which two texts agree.
    public let threshold: Double
    /// Whether string arguments are trimmed and case-folded (semantic profile only).
    public let foldStrings: Bool
    let rules: EquivalenceRules

    /// A judge for `profile`; `foldStrings` only has an effect with `.semantic`.
    public init(profile: EquivalenceProfile = .ailb, threshold: Double = 0.9, foldStrings: Bool = false) {
        self.init(rules: EquivalenceRules(profile: profile, foldStrings: foldStrings), threshold: threshold)
    }

    /// A judge with an explicit set of equivalences (profile reported as the nearest named one).
    init(rules: EquivalenceRules, threshold: Double) {
        self.rules = rules
        self.threshold = threshold
        self.profile = rules == .ailb ? .ailb : .semantic
        self.foldStrings = rules.foldStrings
    }

    /// A successful response, normalised once for every comparison.
    struct Candidate {
        let index: Int
        let backend: String
        let latencyMs: Double
        let text: ExactString
        let callsKey: String
        let hasToolCalls: Bool
        let unreadableText: ReferenceFailure?
    }

    /// True when the response counts as a success: the request succeeded and the body is a non-empty object.
    public static func isSuccess(_ response: CandidateResponse) -> Bool {
        guard response.success, case .object(let members)? = response.body else { return false }
        return !members.isEmpty
    }

    /// The verdict over `responses` (in config order), following rules 1–6 of CONSENSUS.md.
    ///
    /// Where ai-lb's own code would raise on a response (see `ReferenceFailure`), that response is judged
    /// as a failure and the verdict says why in `referenceFailure`.
    public func verdict(_ responses: [CandidateResponse]) -> Verdict {
        var (candidates, failure) = successes(responses)
        var verdict = self.verdict(over: candidates, responses: responses)
        // The hash and text rules normalise every success's text; the tool-call rule never reads it.
        if verdict.comparisonType == .hash || verdict.comparisonType == .text,
            let unreadable = candidates.first(where: { $0.unreadableText != nil })
        {
            failure = failure ?? unreadable.unreadableText
            candidates.removeAll { $0.unreadableText != nil }
            verdict = self.verdict(over: candidates, responses: responses)
        }
        verdict.referenceFailure = failure?.reason
        return verdict
    }

    func verdict(over candidates: [Candidate], responses: [CandidateResponse]) -> Verdict {
        let count = candidates.count
        if count == 0 {
            return Verdict(
                comparisonType: .none, winner: responses.first?.backend ?? "", agreementCount: 0, disagreement: true,
                groups: [], successes: 0)
        }
        if count == 1 {
            let only = candidates[0]
            return Verdict(
                comparisonType: .single, winner: only.backend, agreementCount: 1, disagreement: false,
                groups: [[only.backend]], successes: 1)
        }
        let majority = count / 2 + 1
        let type: ComparisonType
        var groups: [[Candidate]]
        var similarities: TextSimilarities?
        let withCalls = candidates.filter(\.hasToolCalls)
        if withCalls.count >= majority {
            type = .toolCalls
            groups = groupByKey(withCalls) { $0.callsKey }
            groups += candidates.filter { !$0.hasToolCalls }.map { [$0] }
        } else {
            let hashed = groupByKey(candidates) { HashKey(text: $0.text, calls: $0.callsKey) }
            if let largest = hashed.map(\.count).max(), largest >= majority {
                type = .hash
                groups = hashed
            } else {
                type = .text
                let computed = TextSimilarities(candidates, judge: self)
                groups = clusterByText(candidates, computed)
                similarities = computed
            }
        }
        let winningIndex = Self.largestFirstFormed(groups)
        let winningGroup = groups[winningIndex]
        var winner = winningGroup[0]
        for member in winningGroup.dropFirst() where member.latencyMs < winner.latencyMs { winner = member }
        groups.insert(groups.remove(at: winningIndex), at: 0)
        var verdict = Verdict(
            comparisonType: type, winner: winner.backend, agreementCount: winningGroup.count,
            disagreement: winningGroup.count < count, groups: groups.map { $0.map(\.backend) }, successes: count)
        verdict.answerGroups = Verdict.canonicalOrder(similarities.map { linkByText(candidates, $0) } ?? verdict.groups)
        return verdict
    }

    /// The text rule's groups without its dependence on order: two answers belong together when either's
    /// similarity to the other reaches the threshold, and groups are closed under that link (single
    /// linkage). ai-lb's greedy clustering compares with each group's first member only, so its groups
    /// change when the backends are listed in another order; these do not.
    func linkByText(_ candidates: [Candidate], _ similarities: TextSimilarities) -> [[String]] {
        var parent = Array(candidates.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { i = parent[i] }
            return i
        }
        for i in candidates.indices {
            for j in candidates.indices where j > i && root(i) != root(j) {
                if similarities.value(i, j) >= threshold || similarities.value(j, i) >= threshold {
                    parent[root(j)] = root(i)
                }
            }
        }
        var members: [Int: [String]] = [:]
        for i in candidates.indices { members[root(i), default: []].append(candidates[i].backend) }
        return Array(members.values)
    }

    /// Every two successful responses compared as the rules do: text similarity, tool-call and hash equality.
    public func pairs(_ responses: [CandidateResponse]) -> [PairComparison] {
        let candidates = successes(responses).candidates
        var result: [PairComparison] = []
        for i in candidates.indices {
            for j in candidates.indices where j > i {
                let (a, b) = (candidates[i], candidates[j])
                result.append(
                    PairComparison(
                        a: a.backend, b: b.backend, similarity: similarity(a, b),
                        toolCallsEqual: a.callsKey == b.callsKey,
                        hashEqual: a.callsKey == b.callsKey && a.text == b.text))
            }
        }
        return result
    }

    /// The successful responses, normalised, and the first reason ai-lb's code would fail on one of them
    /// (such a response is left out, as a failure).
    func successes(_ responses: [CandidateResponse]) -> (candidates: [Candidate], failure: ReferenceFailure?) {
        var candidates: [Candidate] = []
        var failure: ReferenceFailure?
        for (index, response) in responses.enumerated() where response.success {
            guard let body = response.body, !body.isPythonFalsy else { continue }
            do throws(ReferenceFailure) {
                guard case .object = body else { throw ReferenceFailure("the response body is not an object") }
                let answer = try ComparedAnswer(body: body, json: response.json, rules: rules)
                candidates.append(
                    Candidate(
                        index: index, backend: response.backend, latencyMs: response.latencyMs, text: answer.text,
                        callsKey: answer.callsKey, hasToolCalls: answer.hasToolCalls,
                        unreadableText: answer.unreadableText))
            } catch {
                failure = failure ?? error
            }
        }
        return (candidates, failure)
    }

    /// The text similarity the text rule uses: on already normalised texts, which the reference
    /// normalises once more inside the comparison.
    func similarity(_ a: Candidate, _ b: Candidate) -> Double {
        SequenceSimilarity.textSimilarity(a.text, b.text, rules: rules)
    }

    /// Rule 5: greedy clustering against each group's first member.
    func clusterByText(_ candidates: [Candidate], _ similarities: TextSimilarities) -> [[Candidate]] {
        var used = [Bool](repeating: false, count: candidates.count)
        var groups: [[Candidate]] = []
        for i in candidates.indices where !used[i] {
            used[i] = true
            var group = [candidates[i]]
            for j in candidates.indices where j > i && !used[j] {
                if similarities.value(i, j) >= threshold {
                    used[j] = true
                    group.append(candidates[j])
                }
            }
            groups.append(group)
        }
        return groups
    }

    /// The text rule's similarities, each pair computed at most once per direction, with each text normalised
    /// the second time (as the reference does inside its comparison) only once.
    final class TextSimilarities {
        let candidates: [Candidate]
        let rules: EquivalenceRules
        var compared: [ExactString?]
        var cache: [Int: Double] = [:]

        init(_ candidates: [Candidate], judge: ConsensusJudge) {
            self.candidates = candidates
            self.rules = judge.rules
            compared = Array(repeating: nil, count: candidates.count)
        }

        /// `textSimilarity(texts[i], texts[j])`: the ratio has a direction (its junk heuristic looks at the second text).
        func value(_ i: Int, _ j: Int) -> Double {
            let key = i * candidates.count + j
            if let known = cache[key] { return known }
            let (a, b) = (candidates[i].text, candidates[j].text)
            let result: Double
            if a.isEmpty && b.isEmpty {
                result = 1
            } else if a.isEmpty || b.isEmpty {
                result = 0
            } else {
                result = SequenceSimilarity.ratio(text(i), text(j))
            }
            cache[key] = result
            return result
        }

        func text(_ i: Int) -> ExactString {
            if let known = compared[i] { return known }
            let normalized = TextNormalizer.normalize(candidates[i].text, rules: rules)
            compared[i] = normalized
            return normalized
        }
    }

    /// Groups by equal keys, groups in order of their first member.
    func groupByKey<Key: Hashable>(_ candidates: [Candidate], key: (Candidate) -> Key) -> [[Candidate]] {
        var slot: [Key: Int] = [:]
        var groups: [[Candidate]] = []
        for candidate in candidates {
            let k = key(candidate)
            if let at = slot[k] {
                groups[at].append(candidate)
            } else {
                slot[k] = groups.count
                groups.append([candidate])
            }
        }
        return groups
    }

    /// The position of the largest group, the first formed on a tie.
    static func largestFirstFormed<T>(_ groups: [[T]]) -> Int {
        var best = 0
        for (index, group) in groups.enumerated() where group.count > groups[best].count { best = index }
        return best
    }

    /// The hash rule's identity: normalised text and normalised tool calls.
    struct HashKey: Hashable {
        let text: ExactString
        let calls: String
    }
}

/// How two successful backends compare, for `--explain`: why they were grouped or split.
public struct PairComparison: Sendable, Hashable {
    /// The earlier backend in config order.
    public var a: String
    /// The later backend.
    public var b: String
    /// Similarity of their normalised texts, as the text rule computes it.
    public var similarity: Double
    /// Whether their normalised tool calls are equal.
    public var toolCallsEqual: Bool
    /// Whether normalised text and tool calls are both equal (the hash rule's identity).
    public var hashEqual: Bool

    /// A comparison from its parts.
    public init(a: String, b: String, similarity: Double, toolCallsEqual: Bool, hashEqual: Bool) {
        self.a = a
        self.b = b
        self.similarity = similarity
        self.toolCallsEqual = toolCallsEqual
        self.hashEqual = hashEqual
    }
}
