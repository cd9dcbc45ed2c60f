/// What one way of answering would have given over a run's case repeats: one row of the advisor's table.
package struct ModeRow: Sendable, Hashable {
    package var mode: AnsweringMode
    /// Case repeats it would have answered or failed: every stored repeat for a mode with answers to replay,
    /// the repeats with a stored verdict for consensus, those with a stored answer of its own for a backend.
    package var repeats: Int
    /// Of them, those where it would have returned no answer.
    package var failures: Int
    /// Correct answers out of the repeats of cases with `expect`, a failure counting as wrong (a user gets no
    /// correct answer). Interval over cases.
    package var accuracy: Proportion
    /// Repeats whose answer is in the group of ai-lb's consensus winner (`ailb` profile), out of the repeats
    /// where consensus has a winner; a failure counts as not agreeing. Interval over cases.
    package var agreement: Proportion
    /// Time until the answer, or until the failure, over every repeat counted.
    package var latencyP50: Double?
    package var latencyP95: Double?
    /// The backend whose own answer this way of answering returned on every repeat, failing exactly where it
    /// failed; nil when there is none (and always for a backend's own row).
    package var sameAs: String?
    /// Paired with the reference backend alone over the repeats with `expect` both have (a failure is wrong);
    /// nil without a reference, and for the reference's own row.
    package var flips: ReferenceFlips?

    package init(
        mode: AnsweringMode, repeats: Int = 0, failures: Int = 0, accuracy: Proportion = Proportion(successes: 0, trials: 0),
        agreement: Proportion = Proportion(successes: 0, trials: 0), latencyP50: Double? = nil, latencyP95: Double? = nil,
        sameAs: String? = nil, flips: ReferenceFlips? = nil
    ) {
        self.mode = mode
        self.repeats = repeats
        self.failures = failures
        self.accuracy = accuracy
        self.agreement = agreement
        self.latencyP50 = latencyP50
        self.latencyP95 = latencyP95
        self.sameAs = sameAs
        self.flips = flips
    }

    /// The share of repeats with no answer; nil when no repeat was counted.
    package var failureRate: Double? { repeats > 0 ? Double(failures) / Double(repeats) : nil }

    /// The figure rows are compared by: accuracy, or agreement with consensus.
    package func figure(_ basis: ModeAdvice.Basis) -> Proportion {
        basis == .accuracy ? accuracy : agreement
    }
}
