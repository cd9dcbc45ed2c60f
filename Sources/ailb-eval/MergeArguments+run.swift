import AILBEval
import ArgumentParser

extension MergeArguments {
    /// Merges; a merged run with work missing, or a merge an interrupt stopped, exits 130.
    func run() throws {
        let options = MergeWorkflow.Options(inputs: inputs, into: into, runKey: runKey)
        let result = try MergeWorkflow.run(options, signals: .terminationSignals, output: StandardStreams())
        if result.status == .interrupted { throw ExitCode(ExitStatus.interrupted.rawValue) }
    }
}
