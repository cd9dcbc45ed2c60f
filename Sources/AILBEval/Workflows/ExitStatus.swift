/// The process exit codes, documented in the README.
package enum ExitStatus: Int32, Sendable {
    /// Everything passed.
    case success = 0
    /// A gate threshold failed (or `compare --fail-on-regression` found a regression).
    case gateFailed = 1
    /// Bad usage, config or suite; nothing was written.
    case badInput = 2
    /// The run could not be carried out: no backend answered at all, or the database is unusable.
    case runImpossible = 3
    /// Output could not be written (standard output, a report, a CSV folder): a full disk, `> /dev/full`, a
    /// folder that is not writable. What the run stored in the database is kept.
    case outputFailed = 4
    /// The run was interrupted (Ctrl-C or SIGTERM); what was done is stored and the run is marked interrupted.
    case interrupted = 130
}
