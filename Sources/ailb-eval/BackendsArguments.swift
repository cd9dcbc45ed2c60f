import ArgumentParser

/// The config, output form and timeout of `ailb-eval backends`.
struct BackendsArguments: ParsableArguments {
    @OptionGroup var common: CommonOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Seconds to wait for each request.")
    var timeout: Double = 30

    @OptionGroup var diagnostics: DiagnosticOptions

    func validate() throws {
        if !(timeout > 0) { throw ValidationError("--timeout must be positive, got \(timeout)") }
    }
}
