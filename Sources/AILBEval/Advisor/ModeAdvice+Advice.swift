import Foundation

extension ModeAdvice {
    /// One line that follows from `rows`: race against consensus (speed at p50, and the difference in
    /// `basis` with its 95% interval, called no real difference when the interval holds zero), the best backend
    /// alone against consensus, and every mode that returned a single backend's answer on every repeat.
    /// Without `expect` the answers are compared by agreement with the consensus answer, and it says so.
    package static func advice(rows: [ModeRow], basis: Basis?) -> String {
        let counted = rows.filter { $0.repeats > 0 }
        guard !counted.isEmpty else { return "No case repeat has a stored answer, so there is nothing to compare." }
        func row(_ mode: AnsweringMode) -> ModeRow? { counted.first { $0.mode == mode } }
        var clauses: [String] = []
        switch basis {
        case nil:
            clauses.append("no case has expect and consensus never had a winner, so the modes compare on speed alone")
        case .agreement:
            clauses.append("no case has expect, so answers are compared by agreement with the consensus answer")
        case .accuracy:
            break
        }
        let consensus = row(.consensus)
        if let consensus {
            if let race = row(.race) { clauses.append(comparison(race, with: consensus, basis: basis)) }
            if let basis, let best = bestBackend(counted, basis: basis) {
                let subject = "the best backend alone, \(best.mode.displayName),"
                clauses.append(comparison(best, with: consensus, basis: basis, subject: subject))
            }
        } else {
            clauses.append("no consensus verdict is stored, so nothing can be compared with consensus")
        }
        var equalNames: [String: [String]] = [:]
        var equalOrder: [String] = []
        for row in counted where row.mode.backend == nil {
            guard let backend = row.sameAs else { continue }
            if equalNames[backend] == nil { equalOrder.append(backend) }
            equalNames[backend, default: []].append(row.mode.displayName)
        }
        for backend in equalOrder {
            let names = equalNames[backend]!
            let subject = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
            clauses.append("\(subject) \(names.count == 1 ? "equals" : "each equal") \(backend) alone on every repeat")
        }
        return clauses.joined(separator: "; ") + "."
    }

    /// The backend alone with the highest figure; the faster on a tie, then the first in config order.
    static func bestBackend(_ rows: [ModeRow], basis: Basis) -> ModeRow? {
        var best: ModeRow?
        for row in rows where row.mode.backend != nil {
            guard let value = row.figure(basis).value else { continue }
            guard let current = best, let currentValue = current.figure(basis).value else {
                best = row
                continue
            }
            if value > currentValue || (value == currentValue && (row.latencyP50 ?? .infinity) < (current.latencyP50 ?? .infinity)) {
                best = row
            }
        }
        return best
    }

    /// "race is 3.1× faster than consensus at p50 (20 vs 62 ms) and loses 4.2 points of accuracy [95% CI 0.8 to 7.9]".
    /// `subject` stands for `a`'s name at the start.
    static func comparison(_ a: ModeRow, with b: ModeRow, basis: Basis?, subject: String? = nil) -> String {
        let name = a.mode.displayName
        var text = "\(subject ?? name) " + speed(a, b)
        switch basis {
        case nil:
            break
        case .agreement:
            let p = a.agreement
            guard let value = p.value else { return text + " and never met a consensus winner to agree with" }
            let ci = p.wilson()
            text += String(
                format: " and returns the consensus answer in %.1f%% of repeats [95%% CI %.1f–%.1f%%]", value * 100,
                ci.lower * 100, ci.upper * 100)
        case .accuracy:
            guard let d = ProportionDifference(a.accuracy, minus: b.accuracy) else {
                let missing = a.accuracy.trials == 0 ? name : b.mode.displayName
                return text + " (\(missing) has no repeat scored against expect, so accuracy cannot be compared)"
            }
            if d.includesZero {
                text += String(
                    format: " and its accuracy differs by %+.1f points [95%% CI %+.1f to %+.1f], within the interval: no real difference",
                    d.value * 100, d.lower * 100, d.upper * 100)
            } else if d.value < 0 {
                text += String(
                    format: " and loses %.1f points of accuracy [95%% CI %.1f to %.1f]", -d.value * 100, -d.upper * 100,
                    -d.lower * 100)
            } else {
                text += String(
                    format: " and gains %.1f points of accuracy [95%% CI %.1f to %.1f]", d.value * 100, d.lower * 100,
                    d.upper * 100)
            }
        }
        return text
    }

    /// "is 3.1× faster than consensus at p50 (20 vs 62 ms)", "is 1.2× slower …", or "is as fast as …" within 5%.
    static func speed(_ a: ModeRow, _ b: ModeRow) -> String {
        let other = b.mode.displayName
        guard let x = a.latencyP50, let y = b.latencyP50 else { return "has no latency to compare with \(other)'s" }
        let both = "(\(milliseconds(x)) vs \(milliseconds(y)) ms)"
        guard x > 0, y > 0 else { return "is \(x < y ? "faster than" : x > y ? "slower than" : "as fast as") \(other) at p50 \(both)" }
        let ratio = y / x
        if ratio >= 1.05 { return String(format: "is %.1f× faster than %@ at p50 %@", ratio, other, both) }
        if ratio <= 1 / 1.05 { return String(format: "is %.1f× slower than %@ at p50 %@", 1 / ratio, other, both) }
        return "is as fast as \(other) at p50 \(both)"
    }

    /// Whole milliseconds from 10 up, one decimal below.
    static func milliseconds(_ value: Double) -> String {
        String(format: value >= 10 ? "%.0f" : "%.1f", value)
    }
}
