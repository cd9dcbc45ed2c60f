/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator, so that a bootstrap interval is the
/// same on every machine and every run with the same seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` by Lemire's multiply-shift, written out here rather than taken from
    /// the standard library so the sequence cannot change with the toolchain.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }
}
