/// The difference between two proportions, with a 95% interval.
///
/// The interval is Newcombe's hybrid score interval (1998, method 10), built from each proportion's own
/// Wilson interval, so it inherits their treatment of clustered trials (effective sample size). It treats
/// the two as independent; for two figures over the same case repeats, which are positively correlated,
/// that makes it wider than a paired interval: when it excludes zero, the difference is real.
public struct ProportionDifference: Sendable, Hashable {
    /// a − b.
    public var value: Double
    public var lower: Double
    public var upper: Double

    /// a − b with its interval, or nil when either has no trials.
    public init?(_ a: Proportion, minus b: Proportion) {
        guard let p1 = a.value, let p2 = b.value else { return nil }
        let (l1, u1) = a.wilson()
        let (l2, u2) = b.wilson()
        value = p1 - p2
        lower = value - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        upper = value + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
    }

    /// True when the interval holds zero: the data do not show a difference.
    public var includesZero: Bool { lower <= 0 && upper >= 0 }
}
