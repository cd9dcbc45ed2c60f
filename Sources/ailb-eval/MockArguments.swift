import ArgumentParser

/// The port and suites of `ailb-eval mock`.
struct MockArguments: ParsableArguments {
    @Option(help: "Port (0: any free port).")
    var port: UInt16 = 9100

    @Option(name: .customLong("suite"), help: "Suites whose expected answers the mock gives (repeatable; default: suites/*.yaml).")
    var suites: [String] = []

    @OptionGroup var common: CommonOptions
}
