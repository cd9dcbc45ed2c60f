import Logging

/// Where the library's log goes: standard error, so that standard output stays the command's result.
package enum DiagnosticLog {
    /// Starts the log once per process, before any transport exists. `verbose` shows the transport's
    /// decisions (each request's connection, new or reused; redirects followed; the proxy used; retries and
    /// their wait), enough to diagnose a failure in the field; otherwise only warnings.
    package static func start(verbose: Bool) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
    }
}
