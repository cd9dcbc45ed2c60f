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
}
