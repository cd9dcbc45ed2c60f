import AILBEval
import ArgumentParser

/// Options of the commands that talk to backends.
struct DiagnosticOptions: ParsableArguments {
    @Flag(help: "Log each HTTP decision on standard error: new or reused connection, redirects, proxy, retries.")
    var verbose = false

    @Flag(
        name: .customLong("allow-insecure-tls"),
        help: "Allow insecure_skip_verify: true for backends that are not on this machine.")
    var allowInsecureTLS = false

    /// Starts the diagnostic log; call before any request.
    func startLog() {
        DiagnosticLog.start(verbose: verbose)
    }
}
