import AILBEval
import ArgumentParser

/// Defaults of `ailb-eval verdict` for the lines that name none.
struct VerdictArguments: ParsableArguments {
    @Flag(help: "Add the pairwise similarities and equalities behind each verdict.")
    var explain = false

    @Option(help: "Profile for lines that name none: ailb or semantic.")
    var profile: EquivalenceProfile = .ailb

    @Option(help: "Threshold for lines that name none.")
    var threshold: Double = 0.9

    /// A line's own threshold must be a finite number; so must the default.
    func validate() throws {
        if !threshold.isFinite { throw ValidationError("--threshold must be a finite number, got \(threshold)") }
    }
}
