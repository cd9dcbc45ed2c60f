/// Python's `difflib.SequenceMatcher(None, a, b).ratio()`, ported exactly (CPython 3.11).
///
/// ai-lb's text rule compares with it, so its verdicts can only be reproduced with the same
/// matching blocks, including the automatic junk heuristic and the extension loops.
public enum SequenceSimilarity {
    /// `2·M / (len(a)+len(b))` over Unicode scalars, where M is the size of the matching blocks; 1.0 if both are empty.
    public static func ratio(_ a: String, _ b: String) -> Double {
        let (ia, ib, alphabet) = denseIDs(a, b)
        let total = ia.count + ib.count
        guard total > 0 else { return 1.0 }
        var matcher = Matcher(a: ia, b: ib, alphabet: alphabet)
        return 2.0 * Double(matcher.matchedCount()) / Double(total)
    }

    /// CONSENSUS.md's similarity of two texts: both empty → 1.0, one empty → 0.0, otherwise the ratio
    /// of their normalised forms.
    public static func textSimilarity(_ a: String, _ b: String, profile: EquivalenceProfile = .ailb) -> Double {
        textSimilarity(a, b, rules: EquivalenceRules(profile: profile))
    }

    /// The similarity of two texts with the given equivalences.
    static func textSimilarity(_ a: String, _ b: String, rules: EquivalenceRules) -> Double {
        if a.isEmpty && b.isEmpty { return 1.0 }
        if a.isEmpty || b.isEmpty { return 0.0 }
        return ratio(TextNormalizer.normalize(a, rules: rules), TextNormalizer.normalize(b, rules: rules))
    }

    /// Both strings as arrays of small integer ids (one per distinct scalar), and the number of ids.
    static func denseIDs(_ a: String, _ b: String) -> ([Int32], [Int32], Int) {
        var ids: [UInt32: Int32] = [:]
        func encode(_ s: String) -> [Int32] {
            var out: [Int32] = []
            out.reserveCapacity(s.unicodeScalars.count)
            for scalar in s.unicodeScalars {
                if let id = ids[scalar.value] {
                    out.append(id)
                } else {
                    let id = Int32(ids.count)
                    ids[scalar.value] = id
                    out.append(id)
                }
            }
            return out
        }
        let ea = encode(a)
        let eb = encode(b)
        return (ea, eb, ids.count)
    }

    /// The state of one `SequenceMatcher`: `b2j` and the scratch rows of `find_longest_match`.
    struct Matcher {
        let a: [Int32]
        let b: [Int32]
        /// For each id, the ascending positions of it in `b` (empty for popular elements).
        var b2j: [[Int]]
        /// `j2len` of the previous and current row, indexed by j + 1; zero where not set.
        var previous: [Int]
        var current: [Int]
        var previousTouched: [Int] = []
        var currentTouched: [Int] = []

        init(a: [Int32], b: [Int32], alphabet: Int) {
            self.a = a
            self.b = b
            var b2j = [[Int]](repeating: [], count: alphabet)
            for (j, element) in b.enumerated() { b2j[Int(element)].append(j) }
            let n = b.count
            if n >= 200 {
                let ntest = n / 100 + 1
                for id in 0..<alphabet where b2j[id].count > ntest { b2j[id] = [] }
            }
            self.b2j = b2j
            previous = [Int](repeating: 0, count: n + 1)
            current = [Int](repeating: 0, count: n + 1)
        }

        /// The total size of `get_matching_blocks()`, found with an explicit stack as CPython does.
        mutating func matchedCount() -> Int {
            var stack = [(0, a.count, 0, b.count)]
            var matched = 0
            while let (alo, ahi, blo, bhi) = stack.popLast() {
                let (i, j, k) = findLongestMatch(alo, ahi, blo, bhi)
                guard k > 0 else { continue }
                matched += k
                if alo < i && blo < j { stack.append((alo, i, blo, j)) }
                if i + k < ahi && j + k < bhi { stack.append((i + k, ahi, j + k, bhi)) }
            }
            return matched
        }

        /// `find_longest_match(alo, ahi, blo, bhi)` with no junk function: the longest block seeded from
        /// non-popular elements, earliest in a then b, then extended over equal neighbours of any kind.
        mutating func findLongestMatch(_ alo: Int, _ ahi: Int, _ blo: Int, _ bhi: Int) -> (Int, Int, Int) {
            var besti = alo
            var bestj = blo
            var bestsize = 0
            for i in alo..<max(alo, ahi) {
                for j in b2j[Int(a[i])] {
                    if j < blo { continue }
                    if j >= bhi { break }
                    let k = previous[j] + 1
                    current[j + 1] = k
                    currentTouched.append(j + 1)
                    if k > bestsize {
                        besti = i - k + 1
                        bestj = j - k + 1
                        bestsize = k
                    }
                }
                for index in previousTouched { previous[index] = 0 }
                previousTouched.removeAll(keepingCapacity: true)
                swap(&previous, &current)
                swap(&previousTouched, &currentTouched)
            }
            for index in previousTouched { previous[index] = 0 }
            previousTouched.removeAll(keepingCapacity: true)

            while besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1] {
                besti -= 1
                bestj -= 1
                bestsize += 1
            }
            while besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize] {
                bestsize += 1
            }
            return (besti, bestj, bestsize)
        }
    }
}
