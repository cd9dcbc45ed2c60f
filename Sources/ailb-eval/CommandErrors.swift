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
            for line in error.lines { printError(line) }
            return ExitStatus.gateFailed.rawValue
        case let error as RegressionGateFailed:
            for line in error.lines { printError(line) }
            return ExitStatus.gateFailed.rawValue
        case let error as UsageError:
            // Found by a workflow, shown as if found while parsing: with the usage.
            return report(ValidationError(error.message))
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
