import AILBEval
import Foundation

extension InterruptSource {
    /// SIGINT and SIGTERM of this process: the first is passed on, so the workflow stops cleanly and stores
    /// what it did; a second ends the process at once (exit 130), for a stop that takes too long.
    static let terminationSignals = InterruptSource { onInterrupt in
        let interrupts = InterruptFlag()
        let signals = TerminationSignals { _ in
            if interrupts.record() > 1 { exit(ExitStatus.interrupted.rawValue) }
            onInterrupt()
        }
        return { signals.restoreDefault() }
    }
}
