import Foundation

/// `ailb-eval verdict`: captured response sets judged offline, JSON Lines in and out.
package enum VerdictWorkflow {
    /// Defaults for the lines that name none, and whether to explain each verdict.
    package struct Options: Sendable {
        package var profile: EquivalenceProfile
        package var threshold: Double
        /// Add the pairwise similarities and equalities behind each verdict.
        package var explain: Bool

        package init(profile: EquivalenceProfile = .ailb, threshold: Double = 0.9, explain: Bool = false) {
            self.profile = profile
            self.threshold = threshold
            self.explain = explain
        }
    }

    /// Reads `input` to its end and writes one verdict line per input line (a line in error gets one too, and
    /// the stream goes on).
    package static func run(_ options: Options, input: FileHandle, output: FileHandle) throws(OutputError) {
        let processor = VerdictLineProcessor(
            defaultProfile: options.profile, defaultThreshold: options.threshold, explain: options.explain)
        try JSONLinesStream.run(input: input, output: output, processor: processor)
    }
}

/// `ailb-eval similarity`: difflib-exact similarity of text pairs, JSON Lines in and out.
package enum SimilarityWorkflow {
    /// Whether both texts are normalised first, and with which profile.
    package struct Options: Sendable {
        package var normalize: Bool
        package var profile: EquivalenceProfile

        package init(normalize: Bool = false, profile: EquivalenceProfile = .ailb) {
            self.normalize = normalize
            self.profile = profile
        }
    }

    /// Reads `input` to its end and writes each pair's ratio (or, for a line in error, why).
    package static func run(_ options: Options, input: FileHandle, output: FileHandle) throws(OutputError) {
        try JSONLinesStream.run(
            input: input, output: output,
            processor: SimilarityLineProcessor(normalize: options.normalize, profile: options.profile))
    }
}
