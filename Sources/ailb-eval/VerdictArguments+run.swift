import AILBEval
import Foundation

extension VerdictArguments {
    /// Judges standard input, line by line, onto standard output.
    func run() throws {
        let options = VerdictWorkflow.Options(profile: profile, threshold: threshold, explain: explain)
        try VerdictWorkflow.run(options, input: .standardInput, output: .standardOutput)
    }
}
