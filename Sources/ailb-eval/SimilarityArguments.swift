import AILBEval
import ArgumentParser

/// Whether `ailb-eval similarity` normalises the texts first.
struct SimilarityArguments: ParsableArguments {
    @Flag(help: "Normalise both texts as the consensus text rule does before comparing.")
    var normalize = false

    @Option(help: "Normalisation profile with --normalize: ailb or semantic.")
    var profile: EquivalenceProfile = .ailb
}
