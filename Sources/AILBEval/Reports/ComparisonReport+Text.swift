import Foundation

/// The plain-text comparison `compare` prints by default.
extension ComparisonReport {
    static func text(_ c: RunComparison, tolerance: Double, maxCases: Int) -> String {
        var out = [
            "Run \(c.runA) → run \(c.runB) · profile \(c.profile.rawValue) · \(c.matched) matched case repeats"
                + (c.onlyInA + c.onlyInB > 0 ? " (\(c.onlyInA) only in \(c.runA), \(c.onlyInB) only in \(c.runB))" : "")
        ]
        out.append("")
        out.append("What is compared:")
        for note in comparability(c) { out.append("  * \(note)") }
        out.append("")
        out.append(agreementLine(c))
        if let line = consensusLine(c) { out.append(line) }
        out.append("")
        var table = TextTable(
            header: [
                "backend", "with majority", "accuracy", "failed", "correct→wrong", "wrong→correct", "McNemar p", "left / joined majority",
            ],
            rightAligned: [4, 5, 6])
        for b in c.backends {
            table.add([
                b.backend, pair(b.withMajorityBefore, b.withMajorityAfter), pair(b.accuracyBefore, b.accuracyAfter), failures(b),
                String(b.correctToWrong), String(b.wrongToCorrect), ReportFormat.pValue(b.mcnemarP),
                "\(b.leftMajority) / \(b.joinedMajority)",
            ])
        }
        if !c.backends.isEmpty { out.append(table.render()) }
        for note in backendNotes(c) { out.append("  \(note)") }
        let modes = modesText(c)
        if !modes.isEmpty { out += [""] + modes }
        if !c.changes.isEmpty {
            out.append("")
            out.append("Changed case repeats (\(c.changes.count); regressions first):")
            for change in c.changes.prefix(maxCases) {
                out.append("  \(change.isRegression ? "-" : "+") \(caseName(change)): \(changeText(change))")
            }
            if c.changes.count > maxCases { out.append("  … \(c.changes.count - maxCases) more (use --format json or csv)") }
        } else if c.nothingComparable == nil {
            out.append("")
            out.append("No case repeat changed.")
        }
        let regressions = c.regressions(tolerance: tolerance)
        out.append("")
        if let none = c.regressionGateNoData {
            out.append("Regressions cannot be ruled out: \(none).")
        } else {
            out.append(
                regressions.isEmpty
                    ? String(format: "No regression beyond the tolerance of %.1f points.", tolerance * 100)
                    : regressions.map { "Regression: \($0)" }.joined(separator: "\n"))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
