/// The candidate closest to a misspelt `key`, if one is close enough to be a likely typo.
///
/// Closeness is the Levenshtein distance, case-insensitive, with a swap of two neighbouring letters
/// counted as one edit (`modle` → `model`). A candidate qualifies within 1 edit for keys of up to 3
/// letters, 2 for up to 6 and 3 beyond. Ties go to the earlier candidate.
public func suggestion(for key: String, among candidates: [String]) -> String? {
    let needle = Array(key.lowercased().unicodeScalars)
    let limit = needle.count <= 3 ? 1 : needle.count <= 6 ? 2 : 3
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = levenshtein(needle, Array(candidate.lowercased().unicodeScalars))
        if distance <= limit, distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// The number of single-element insertions, deletions, substitutions and swaps of neighbours that turn
/// `a` into `b` (the optimal string alignment distance).
func levenshtein<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var beforePrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], beforePrevious[j - 2] + 1)
            }
        }
        (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    return previous[b.count]
}

/// "unknown mode 'x'; expected one of: all, consensus", with the closest allowed value suggested.
func unknownValueMessage(_ key: String, _ value: String, among allowed: [String]) -> String {
    var message = "unknown \(key) '\(value)'; expected one of: \(allowed.joined(separator: ", "))"
    if let close = suggestion(for: value, among: allowed) { message += " (did you mean '\(close)'?)" }
    return message
}

/// "unknown backend 'x'", with the closest known name suggested, else all of them listed.
func unknownNameMessage(_ what: String, _ name: String, among known: [String]) -> String {
    var message = "unknown \(what) '\(name)'"
    if let close = suggestion(for: name, among: known) {
        message += "; did you mean '\(close)'?"
    } else {
        message += "; the configured ones are: \(known.joined(separator: ", "))"
    }
    return message
}
