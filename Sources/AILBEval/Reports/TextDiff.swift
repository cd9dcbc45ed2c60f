/// A character diff of two texts, for showing how a near-miss answer differs from the winning one.
package enum TextDiff {
    /// One stretch of the diff.
    package enum Piece: Sendable, Hashable {
        /// In both texts.
        case same(String)
        /// Only in the reference (the winning answer).
        case removed(String)
        /// Only in the other text.
        case added(String)
    }

    /// The pieces turning `reference` into `other`, from the matching blocks of Python's difflib (the same
    /// matcher the text rule uses, so the diff shows what the similarity ratio saw). Unicode scalars.
    package static func pieces(from reference: String, to other: String) -> [Piece] {
        let (a, b, alphabet) = SequenceSimilarity.denseIDs(reference, other)
        let aScalars = Array(reference.unicodeScalars)
        let bScalars = Array(other.unicodeScalars)
        var blocks: [(Int, Int, Int)] = []
        SequenceSimilarity.Matcher(a: a, b: b, alphabet: alphabet).forEachMatchingBlock { blocks.append(($0, $1, $2)) }
        blocks.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        blocks.append((a.count, b.count, 0))
        func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars)
            return String(s)
        }
        var pieces: [Piece] = []
        var (i, j) = (0, 0)
        for (bi, bj, size) in blocks {
            if i < bi { pieces.append(.removed(text(aScalars[i..<bi]))) }
            if j < bj { pieces.append(.added(text(bScalars[j..<bj]))) }
            if size > 0 { pieces.append(.same(text(aScalars[bi..<(bi + size)]))) }
            (i, j) = (bi + size, bj + size)
        }
        return pieces
    }
}
