import Foundation

/// A count of successes out of trials, with its Wilson score interval.
///
/// Trials that come in clusters (the repeats of one case) are not independent: a proportion built with
/// `clustered(_:)` keeps the number of clusters and an effective sample size, and its interval uses that
/// size instead of the trial count.
public struct Proportion: Sendable, Hashable {
    public var successes: Int
    public var trials: Int
    /// The number of clusters (distinct cases) behind the trials, when known.
    public var clusters: Int?
    /// The number of independent trials the clustered trials are worth (Kish's n / design effect).
    public var effectiveTrials: Double?

    public init(successes: Int, trials: Int) {
        self.successes = successes
        self.trials = trials
    }

    /// successes ÷ trials, or nil with no trials.
    public var value: Double? { trials > 0 ? Double(successes) / Double(trials) : nil }

    /// The Wilson score interval at confidence `z` (1.959964 for 95%); (0, 1) with no trials.
    ///
    /// Wilson rather than the normal approximation because agreement rates sit near 1, where the
    /// normal interval overshoots 1 and collapses to zero width at 100%. For clustered trials the
    /// effective sample size stands in for n.
    public func wilson(z: Double = 1.959963984540054) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = effectiveTrials ?? Double(trials)
        let p = Double(successes) / Double(trials)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let margin = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - margin), min(1, centre + margin))
    }

    /// The proportion over clusters of trials, each `(successes, trials)`: the pooled proportion, with an
    /// effective sample size n / (1 + (m̄ − 1)·ρ) from the one-way ANOVA estimate ρ of the intraclass
    /// correlation (Donner & Klar 2000, §6.2; Kish 1965). ρ is clamped to [0, 1] and taken as 1 when the
    /// clusters show no variance at all (every trial alike), so identical repeats count as one trial each.
    public static func clustered(_ groups: [(successes: Int, trials: Int)]) -> Proportion {
        var summary = ClusterSummary()
        for group in groups { summary.add(successes: group.successes, trials: group.trials) }
        return summary.proportion
    }
}

/// Running sums over clusters of binary trials, enough for the pooled proportion and its design effect.
public struct ClusterSummary: Sendable, Hashable {
    public private(set) var successes = 0
    public private(set) var trials = 0
    public private(set) var clusters = 0
    /// Σ yᵢ² / mᵢ.
    var sumSquaredSuccessesOverSize = 0.0
    /// Σ mᵢ².
    var sumSquaredSizes = 0.0

    public init() {}

    /// Adds one cluster with `successes` out of `trials` (a cluster without trials is ignored).
    public mutating func add(successes: Int, trials: Int) {
        guard trials > 0 else { return }
        self.successes += successes
        self.trials += trials
        clusters += 1
        sumSquaredSuccessesOverSize += Double(successes * successes) / Double(trials)
        sumSquaredSizes += Double(trials * trials)
    }

    /// The ANOVA estimate of the intraclass correlation, clamped to [0, 1]; nil with fewer than two
    /// clusters or no more trials than clusters (nothing to estimate it from).
    public var intraclassCorrelation: Double? {
        let (n, k) = (Double(trials), Double(clusters))
        guard clusters >= 2, trials > clusters else { return nil }
        let y = Double(successes)
        let between = (sumSquaredSuccessesOverSize - y * y / n) / (k - 1)
        let within = (y - sumSquaredSuccessesOverSize) / (n - k)
        let m0 = (n - sumSquaredSizes / n) / (k - 1)
        let denominator = between + (m0 - 1) * within
        guard denominator > 1e-12 else { return 1 }
        return min(1, max(0, (between - within) / denominator))
    }

    /// The trials' worth in independent trials: n / (1 + (n/k − 1)·ρ). Equal to n when every cluster has
    /// one trial; equal to k when the repeats are perfectly correlated or ρ cannot be estimated.
    public var effectiveTrials: Double {
        guard clusters > 0 else { return 0 }
        let (n, k) = (Double(trials), Double(clusters))
        if trials == clusters { return n }
        let rho = intraclassCorrelation ?? 1
        return n / (1 + (n / k - 1) * rho)
    }

    /// The pooled proportion carrying the cluster count and effective sample size.
    public var proportion: Proportion {
        var result = Proportion(successes: successes, trials: trials)
        result.clusters = clusters
        result.effectiveTrials = clusters > 0 ? effectiveTrials : nil
        return result
    }
}
