/// Order statistics.
public enum Percentile {
    /// The `p`-th percentile (0…100) of `values` by linear interpolation between closest ranks
    /// (NumPy's default), or nil when `values` is empty.
    public static func of(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return ofSorted(sorted, p)
    }

    /// As `of`, for values already sorted ascending.
    public static func ofSorted(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = (p / 100) * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = rank - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
