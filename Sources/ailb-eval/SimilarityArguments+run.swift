import AILBEval
import Foundation

extension SimilarityArguments {
    /// Measures the pairs of standard input onto standard output.
    func run() throws {
        let options = SimilarityWorkflow.Options(normalize: normalize, profile: profile)
        try SimilarityWorkflow.run(options, input: .standardInput, output: .standardOutput)
    }
}
