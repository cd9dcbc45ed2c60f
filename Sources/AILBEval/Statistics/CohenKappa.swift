/// Cohen's kappa: agreement of two raters on nominal labels, corrected for the agreement their label
/// frequencies would give by chance.
public enum CohenKappa {
    /// κ = (p_o − p_e) / (1 − p_e) over items both raters labelled; nil with no items, or when p_e = 1
    /// (both raters gave one and the same label to every item, so chance explains everything and κ is 0/0).
    public static func kappa<Label: Hashable>(_ pairs: [(Label, Label)]) -> Double? {
        guard !pairs.isEmpty else { return nil }
        let n = Double(pairs.count)
        var observed = 0
        var first: [Label: Int] = [:]
        var second: [Label: Int] = [:]
        for (a, b) in pairs {
            if a == b { observed += 1 }
            first[a, default: 0] += 1
            second[b, default: 0] += 1
        }
        let po = Double(observed) / n
        var pe = 0.0
        for (label, count) in first {
            pe += Double(count) / n * Double(second[label] ?? 0) / n
        }
        guard pe < 1 - 1e-12 else { return nil }
        return (po - pe) / (1 - pe)
    }

    /// κ when every item has labels of its own (no label is used for two items), as when the labels are the
    /// answers to one case repeat: `agreeing` of `items` got the same label from both raters. Then each
    /// label has frequency 1/n and p_e = agreeing / n²; the result is the same as `kappa(_:)` on such pairs,
    /// bit for bit (p_e is summed the same way), without the labels in memory.
    public static func kappa(ownLabelsAgreeing agreeing: Int, of items: Int) -> Double? {
        guard items > 0 else { return nil }
        let n = Double(items)
        let po = Double(agreeing) / n
        let shared = 1.0 / n * 1.0 / n
        var pe = 0.0
        for _ in 0..<agreeing { pe += shared }
        guard pe < 1 - 1e-12 else { return nil }
        return (po - pe) / (1 - pe)
    }
}
