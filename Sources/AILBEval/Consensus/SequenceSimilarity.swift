/// Python's `difflib.SequenceMatcher(None, a, b).ratio()`, ported exactly (CPython 3.11).
///
/// ai-lb's text rule compares with it, so its verdicts can only be reproduced with the same
/// matching blocks, including the automatic junk heuristic and the extension loops.
public enum SequenceSimilarity {
    /// `2·M / (len(a)+len(b))` over Unicode scalars, where M is the size of the matching blocks; 1.0 if both are empty.
    public static func ratio(_ a: String, _ b: String) -> Double {
        ratio(ExactString(a), ExactString(b))
    }

    /// The ratio over code points exactly as Python holds them (lone surrogates included).
    public static func ratio(_ a: ExactString, _ b: ExactString) -> Double {
        let (ia, ib, alphabet) = denseIDs(a.codePoints, b.codePoints)
        let total = ia.count + ib.count
        guard total > 0 else { return 1.0 }
        let matcher = Matcher(a: ia, b: ib, alphabet: alphabet)
        return 2.0 * Double(matcher.matchedCount()) / Double(total)
    }

    /// CONSENSUS.md's similarity of two texts: both empty → 1.0, one empty → 0.0, otherwise the ratio
    /// of their normalised forms.
    public static func textSimilarity(_ a: String, _ b: String, profile: EquivalenceProfile = .ailb) -> Double {
        textSimilarity(ExactString(a), ExactString(b), rules: EquivalenceRules(profile: profile))
    }

    /// The similarity of two texts with the given equivalences.
    static func textSimilarity(_ a: ExactString, _ b: ExactString, rules: EquivalenceRules) -> Double {
        if a.isEmpty && b.isEmpty { return 1.0 }
        if a.isEmpty || b.isEmpty { return 0.0 }
        return ratio(TextNormalizer.normalize(a, rules: rules), TextNormalizer.normalize(b, rules: rules))
    }

    /// Both strings as arrays of small integer ids (one per distinct scalar), and the number of ids.
    /// ASCII goes through a table; only other scalars need the dictionary.
    static func denseIDs(_ a: String, _ b: String) -> ([Int32], [Int32], Int) {
        denseIDs(ExactString(a).codePoints, ExactString(b).codePoints)
    }

    /// Both code point sequences as arrays of small integer ids, and the number of ids.
    static func denseIDs(_ a: [UInt32], _ b: [UInt32]) -> ([Int32], [Int32], Int) {
        var encoder = DenseEncoder()
        let ea = encoder.encode(a)
        let eb = encoder.encode(b)
        return (ea, eb, encoder.count)
    }

    /// Assigns ids to scalars in order of first appearance.
    struct DenseEncoder {
        var ascii = [Int32](repeating: -1, count: 128)
        var other: [UInt32: Int32] = [:]
        var count = 0

        mutating func encode(_ codePoints: [UInt32]) -> [Int32] {
            var out = [Int32](repeating: 0, count: codePoints.count)
            for (index, value) in codePoints.enumerated() {
                var id: Int32
                if value < 128 {
                    id = ascii[Int(value)]
                    if id < 0 {
                        id = Int32(count)
                        ascii[Int(value)] = id
                        count += 1
                    }
                } else if let known = other[value] {
                    id = known
                } else {
                    id = Int32(count)
                    other[value] = id
                    count += 1
                }
                out[index] = id
            }
            return out
        }
    }

    /// One `SequenceMatcher`: the two id sequences and `b2j`.
    struct Matcher {
        let a: [Int32]
        let b: [Int32]
        /// `b2j` flattened: the ascending positions in `b` of id `x` are `positions[starts[x]..<starts[x + 1]]`
        /// (none for popular elements).
        let starts: [Int]
        let positions: [Int]

        init(a: [Int32], b: [Int32], alphabet: Int) {
            self.a = a
            self.b = b
            let n = b.count
            var counts = [Int](repeating: 0, count: alphabet + 1)
            for element in b { counts[Int(element) + 1] += 1 }
            if n >= 200 {
                // The automatic junk heuristic: elements more frequent than 1% + 1 never seed a match.
                let ntest = n / 100 + 1
                for id in 0..<alphabet where counts[id + 1] > ntest { counts[id + 1] = 0 }
            }
            var starts = [Int](repeating: 0, count: alphabet + 1)
            for id in 0..<alphabet { starts[id + 1] = starts[id] + counts[id + 1] }
            var fill = starts
            var positions = [Int](repeating: 0, count: starts[alphabet])
            for (j, element) in b.enumerated() {
                let id = Int(element)
                if counts[id + 1] > 0 {
                    positions[fill[id]] = j
                    fill[id] += 1
                }
            }
            self.starts = starts
            self.positions = positions
        }

        /// The total size of `get_matching_blocks()`.
        func matchedCount() -> Int {
            var matched = 0
            forEachMatchingBlock { _, _, size in matched += size }
            return matched
        }

        /// Calls `body(i, j, size)` for each block of `get_matching_blocks()` (unsorted, no sentinel), found
        /// with an explicit stack as CPython's queue finds them.
        func forEachMatchingBlock(_ body: (Int, Int, Int) -> Void) {
            let n = b.count
            // Scratch for find_longest_match: two rows of j2len (indexed by j + 1, zero where unset) and the
            // indices each row set, so a row is cleared in time proportional to what it touched.
            let rows = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * (n + 1))
            rows.initialize(repeating: 0)
            let touched = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * (n + 1))
            defer {
                rows.deallocate()
                touched.deallocate()
            }
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    starts.withUnsafeBufferPointer { starts in
                        positions.withUnsafeBufferPointer { positions in
                            var scratch = Scratch(rows: rows, touched: touched, width: n + 1)
                            var stack = [(0, a.count, 0, b.count)]
                            while let (alo, ahi, blo, bhi) = stack.popLast() {
                                let (i, j, k) = Self.findLongestMatch(
                                    a: a, b: b, starts: starts, positions: positions, scratch: &scratch,
                                    alo, ahi, blo, bhi)
                                guard k > 0 else { continue }
                                body(i, j, k)
                                if alo < i && blo < j { stack.append((alo, i, blo, j)) }
                                if i + k < ahi && j + k < bhi { stack.append((i + k, ahi, j + k, bhi)) }
                            }
                        }
                    }
                }
            }
        }

        /// The two j2len rows and their touched lists, swapped by flipping `flip`.
        struct Scratch {
            let rows: UnsafeMutableBufferPointer<Int>
            let touched: UnsafeMutableBufferPointer<Int>
            let width: Int
            var flip = 0
            var previousCount = 0

            var previousBase: Int { flip * width }
            var currentBase: Int { (1 - flip) * width }
        }

        /// `find_longest_match(alo, ahi, blo, bhi)` with no junk function: the longest block seeded from
        /// non-popular elements, earliest in a then b, then extended over equal neighbours of any kind.
        static func findLongestMatch(
            a: UnsafeBufferPointer<Int32>, b: UnsafeBufferPointer<Int32>, starts: UnsafeBufferPointer<Int>,
            positions: UnsafeBufferPointer<Int>, scratch: inout Scratch, _ alo: Int, _ ahi: Int, _ blo: Int,
            _ bhi: Int
        ) -> (Int, Int, Int) {
            var besti = alo
            var bestj = blo
            var bestsize = 0
            let rows = scratch.rows
            let touched = scratch.touched
            // The innermost loop of the judge: its arithmetic stays within the lengths of `a` and `b`, so it
            // is done without overflow checks (`&+`).
            for i in alo..<max(alo, ahi) {
                let previous = scratch.previousBase
                let current = scratch.currentBase
                var count = 0
                let id = Int(a[i])
                var index = starts[id]
                let end = starts[id &+ 1]
                while index < end {
                    let j = positions[index]
                    index &+= 1
                    if j < blo { continue }
                    if j >= bhi { break }
                    let k = rows[previous &+ j] &+ 1
                    rows[current &+ j &+ 1] = k
                    touched[current &+ count] = j &+ 1
                    count &+= 1
                    if k > bestsize {
                        besti = i &- k &+ 1
                        bestj = j &- k &+ 1
                        bestsize = k
                    }
                }
                for t in 0..<scratch.previousCount { rows[previous &+ touched[previous &+ t]] = 0 }
                scratch.previousCount = count
                scratch.flip = 1 - scratch.flip
            }
            let previous = scratch.previousBase
            for t in 0..<scratch.previousCount { rows[previous + touched[previous + t]] = 0 }
            scratch.previousCount = 0

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
