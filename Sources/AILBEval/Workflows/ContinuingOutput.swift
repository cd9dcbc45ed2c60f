/// Results written for a workflow that has more to do after a write fails: the first `OutputError` is kept
/// (and the rest of the results skipped), the workflow carries on with its files and its gate, and the
/// caller reports the failure at the end (exit 4).
struct ContinuingOutput<Output: WorkflowOutput> {
    let output: Output
    private(set) var failure: OutputError?

    init(_ output: Output) {
        self.output = output
    }

    /// Writes `text` and a newline to the results, unless a write already failed.
    mutating func line(_ text: String) {
        guard failure == nil else { return }
        do {
            try output.line(text)
        } catch {
            failure = error
        }
    }

    /// Runs `body`, keeping an `OutputError` it throws (a later one is reported at once as a message);
    /// other errors pass through.
    mutating func attempt(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as OutputError {
            if failure == nil {
                failure = error
            } else {
                output.messageLine("ailb-eval: \(error)")
            }
        }
    }
}
