import AILBEval
import ArgumentParser
import Foundation

/// Maps every error to its message and exit code, in one place.
enum CommandErrors {
    static func report(_ error: Error) -> Int32 {
        switch error {
        case let error as InputError:
            printError("ailb-eval: \(error)")
            return ExitStatus.badInput.rawValue
        case let error as OutputError:
            printError("ailb-eval: \(error)")
            return ExitStatus.outputFailed.rawValue
        case let error as StoreError:
            printError("ailb-eval: \(error)")
            return ExitStatus.runImpossible.rawValue
        case let error as RunFailure:
            printError("ailb-eval: \(error)")
            return ExitStatus.runImpossible.rawValue
        case let error as GateFailed:
            for failure in error.failures { printError("gate failed: \(failure)") }
            if let bar = error.loadBalancer { printError("gate failed: \(bar)") }
            return ExitStatus.gateFailed.rawValue
        default:
            let code = AILBEvalCommand.exitCode(for: error)
            let message = AILBEvalCommand.fullMessage(for: error)
            if code == .success {
                do {
                    try StandardOutput.line(message)
                } catch {
                    printError("ailb-eval: \(error)")
                    return ExitStatus.outputFailed.rawValue
                }
                return 0
            }
            if let exitCode = error as? ExitCode { return exitCode.rawValue }
            printError(message)
            return code == .validationFailure ? ExitStatus.badInput.rawValue : code.rawValue
        }
    }

    /// Writes a message to standard error; never fails (a message that cannot be written is dropped).
    static func printError(_ text: String) {
        StandardError.line(text)
    }
}

/// Thrown when a run or a stored run fails its gate (exit 1).
struct GateFailed: Error {
    var failures: [GateFailure]
    /// The bar on ai-lb's own verdicts, when it failed.
    var loadBalancer: LoadBalancerGateCheck? = nil
}
