/// Where a workflow writes what the user reads: results to standard output, notes and warnings to standard
/// error. Passed in, so that the caller decides where they go and a test can read them. (The progress line of
/// a run is the exception: it goes to standard error, or nowhere with `showsProgress` off.)
package protocol WorkflowOutput: Sendable {
    /// Writes `text` as it is to the results; throws when it cannot be written (exit 4).
    func write(_ text: String) throws(OutputError)
    /// Writes `text` as it is to the messages; a message that cannot be written is dropped, since there is
    /// nowhere left to report that.
    func writeMessage(_ text: String)
}

extension WorkflowOutput {
    /// Writes `text` and a newline to the results.
    package func line(_ text: String) throws(OutputError) {
        try write(text + "\n")
    }

    /// Writes `text` and a newline to the messages.
    package func messageLine(_ text: String) {
        writeMessage(text + "\n")
    }
}

/// The process's standard output and standard error, written with checked writes.
package struct StandardStreams: WorkflowOutput {
    package init() {}

    package func write(_ text: String) throws(OutputError) {
        try StandardOutput.write(text)
    }

    package func writeMessage(_ text: String) {
        StandardError.write(text)
    }
}
