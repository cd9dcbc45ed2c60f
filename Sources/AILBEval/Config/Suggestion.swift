/// The candidate closest to a misspelt `key`, if one is close enough to be a likely typo.
///
/// Closeness is the Levenshtein distance (case-insensitive); a candidate qualifies when it is at most
/// a third of the key's length away (at least 1, at most 3 edits). Ties go to the earlier candidate.
public func suggestion(for key: String, among candidates: [String]) -> String? {
    let needle = Array(key.lowercased().unicodeScalars)
    let limit = min(3, max(1, needle.count / 3))
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = levenshtein(needle, Array(candidate.lowercased().unicodeScalars))
        if distance <= limit, distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// The number of single-element insertions, deletions and substitutions that turn `a` into `b`.
func levenshtein<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
