import AILBEval
import ArgumentParser

extension RunResult {
    /// Ends the command as the run ended: an interrupted run exits 130, a failed write 4 (its gate failures
    /// still printed), a failed gate 1; otherwise nothing is thrown (exit 0).
    func exit() throws {
        if status == .interrupted { throw ExitCode(ExitStatus.interrupted.rawValue) }
        if let outputFailure {
            for line in gateFailure?.lines ?? [] { CommandErrors.printError(line) }
            throw outputFailure
        }
        if let gateFailure { throw gateFailure }
    }
}
