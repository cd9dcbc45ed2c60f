import AILBEval
import Foundation

/// Standard output and report files for a command that has more to do after a write fails: the first
/// `OutputError` is kept (and the rest of standard output skipped), the command carries on with its files
/// and its gate, and `finish()` throws the error at the end (exit 4).
struct OutputSink {
    private(set) var failure: OutputError?

    /// Writes `text` and a newline to standard output, unless it already failed.
    mutating func line(_ text: String) {
        guard failure == nil else { return }
        do {
            try StandardOutput.line(text)
        } catch {
            failure = error
        }
    }

    /// Runs `body`, keeping an `OutputError` it throws for `finish()` (a later one is printed at once);
    /// other errors pass through.
    mutating func attempt(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as OutputError {
            if failure == nil {
                failure = error
            } else {
                CommandErrors.printError("ailb-eval: \(error)")
            }
        }
    }

    /// Throws the first output failure, if any.
    func finish() throws {
        if let failure { throw failure }
    }
}
