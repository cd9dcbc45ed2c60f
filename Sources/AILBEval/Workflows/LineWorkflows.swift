import Foundation

/// `ailb-eval verdict`: captured response sets judged offline, JSON Lines in and out.
public enum VerdictWorkflow {
    /// Defaults for the lines that name none, and whether to explain each verdict.
    public struct Options: Sendable {
        public var profile: EquivalenceProfile
        public var threshold: Double
        /// Add the pairwise similarities and equalities behind each verdict.
        public var explain: Bool

        public init(profile: EquivalenceProfile = .ailb, threshold: Double = 0.9, explain: Bool = false) {
            self.profile = profile
            self.threshold = threshold
            self.explain = explain
        }
    }

    /// Reads `input` to its end and writes one verdict line per input line; returns the number of lines that
    /// carried an error (they get an output line too, and the stream goes on).
    @discardableResult
    public static func run(_ options: Options, input: FileHandle, output: FileHandle) throws(OutputError) -> Int {
        let processor = VerdictLineProcessor(
            defaultProfile: options.profile, defaultThreshold: options.threshold, explain: options.explain)
        return try JSONLinesStream.run(input: input, output: output, processor: processor)
    }
}

/// `ailb-eval similarity`: difflib-exact similarity of text pairs, JSON Lines in and out.
public enum SimilarityWorkflow {
    /// Whether both texts are normalised first, and with which profile.
    public struct Options: Sendable {
        public var normalize: Bool
        public var profile: EquivalenceProfile

        public init(normalize: Bool = false, profile: EquivalenceProfile = .ailb) {
            self.normalize = normalize
            self.profile = profile
        }
    }

    /// Reads `input` to its end and writes each pair's ratio; returns the number of lines that carried an error.
    @discardableResult
    public static func run(_ options: Options, input: FileHandle, output: FileHandle) throws(OutputError) -> Int {
        try JSONLinesStream.run(
            input: input, output: output,
            processor: SimilarityLineProcessor(normalize: options.normalize, profile: options.profile))
    }
}
