import Foundation

/// `compare` output in each format: the totals, each backend's changes, and the case repeats that changed.
package enum ComparisonReport {
    /// The formats `compare` writes.
    package enum Format: String, Sendable, CaseIterable {
        case text, markdown, json, csv, junit, html
    }

    /// The document in `format`.
    package static func render(_ c: RunComparison, format: Format, tolerance: Double, maxCases: Int = 50) -> String {
        switch format {
        case .text: return text(c, tolerance: tolerance, maxCases: maxCases)
        case .markdown: return markdown(c, tolerance: tolerance, maxCases: maxCases)
        case .json: return JSONWriter.compactUnicode.string(json(c, tolerance: tolerance)) + "\n"
        case .csv: return csv(c)
        case .junit: return junit(c)
        case .html: return html(c, tolerance: tolerance)
        }
    }

    static func delta(_ before: Proportion, _ after: Proportion) -> String {
        guard let b = before.value, let a = after.value else { return "" }
        return String(format: "%+.1f pts", (a - b) * 100)
    }

    /// "100.0% → 75.0%", or `none` when the figure has no data (paired figures have data on both sides or
    /// on neither, so one side is never shown empty).
    static func pair(_ before: Proportion, _ after: Proportion, none: String = "none in both runs") -> String {
        guard before.trials > 0, after.trials > 0 else { return none }
        return "\(ReportFormat.percent(before)) → \(ReportFormat.percent(after))"
    }

    /// "0/4 → 4/4": failed responses over the case repeats with a stored response in both runs.
    static func failures(_ b: RunComparison.BackendTotals) -> String {
        guard b.failuresBefore.trials > 0 else { return "none in both runs" }
        return "\(b.failuresBefore.successes)/\(b.failuresBefore.trials) → \(b.failuresAfter.successes)/\(b.failuresAfter.trials)"
    }

    /// The agreement line: the paired figure with the case repeats behind it, or why there is none.
    static func agreementLine(_ c: RunComparison) -> String {
        if let none = c.agreementNoData { return "Agreement: not compared: \(none)" }
        return "Agreement: \(ReportFormat.percent(c.agreementBefore)) → \(ReportFormat.percent(c.agreementAfter)) "
            + "(\(delta(c.agreementBefore, c.agreementAfter))) · gained \(c.gained), lost \(c.lost) · over \(c.judgedInBoth) "
            + "case repeat\(c.judgedInBoth == 1 ? "" : "s") of \(c.casesJudgedInBoth) case\(c.casesJudgedInBoth == 1 ? "" : "s") judged in both runs"
    }

    /// The consensus line: each standing's count before → after and the share of correct answers, or why
    /// there is none; nil when agreement already said why.
    static func consensusLine(_ c: RunComparison) -> String? {
        if c.agreementNoData != nil { return nil }
        if let none = c.consensusNoData { return "Consensus: not compared: \(none)" }
        let (b, a) = (c.consensusBefore, c.consensusAfter)
        return "Consensus over \(b.total) judged case repeat\(b.total == 1 ? "" : "s") with expect: correct \(b.correct) → \(a.correct), "
            + "wrong \(b.wrong) → \(a.wrong), tie \(b.tie) → \(a.tie), no majority \(b.noMajority) → \(a.noMajority) · "
            + "correct \(ReportFormat.percent(c.consensusCorrectBefore)) → \(ReportFormat.percent(c.consensusCorrectAfter)) "
            + "(\(delta(c.consensusCorrectBefore, c.consensusCorrectAfter)))"
    }

    /// Why a backend figure is empty, one sentence per reason with the backends it applies to; reasons
    /// already given by the agreement line are left out.
    static func backendNotes(_ c: RunComparison) -> [String] {
        var order: [String] = []
        var names: [String: [String]] = [:]
        func add(_ what: String, _ reason: String?, _ backend: String) {
            guard let reason, reason != c.agreementNoData else { return }
            let key = "\(what)\u{1F}\(reason)"
            if names[key] == nil { order.append(key) }
            names[key, default: []].append(backend)
        }
        for b in c.backends {
            add("with majority", b.withMajorityNoData, b.backend)
            add("accuracy", b.accuracyNoData, b.backend)
        }
        return order.map { key in
            let parts = key.components(separatedBy: "\u{1F}")
            return "\(parts[0]) of \(names[key]!.joined(separator: ", ")) not compared: \(parts[1])"
        }
    }

    /// The sentences saying what is compared, or that everything is.
    static func comparability(_ c: RunComparison) -> [String] {
        c.comparability.isEmpty
            ? ["comparable in full: the same case repeats, backends, models, mode, profile and threshold"] : c.comparability
    }

    static func changeText(_ change: RunComparison.CaseChange) -> String {
        change.reasons.joined(separator: "; ")
    }

    static func caseName(_ change: RunComparison.CaseChange) -> String {
        "\(change.suite)/\(change.caseID)" + (change.repeats > 1 || change.repeatIndex > 0 ? "#\(change.repeatIndex + 1)" : "")
    }
}
