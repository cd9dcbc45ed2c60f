import AILBEval
import ArgumentParser

/// The runs, format and regression gate of `ailb-eval compare`.
struct CompareArguments: ParsableArguments {
    @Argument(help: "The earlier run (an id, or latest).")
    var runA: String

    @Argument(help: "The later run (an id, or latest).")
    var runB: String = "latest"

    @Option(help: "Output format: text, markdown, json, csv, junit or html.")
    var format: ComparisonReport.Format = .text

    @Option(help: "Output file ('-' or absent: standard output). With csv, the mode tables go beside it in <name>-modes.csv.")
    var out: String?

    @Option(help: "Profile for both runs: ailb or semantic (default: RUN_B's).")
    var profile: EquivalenceProfile?

    @Flag(
        help: """
            Exit 1 when agreement, the share of correct consensus answers or a backend's accuracy dropped beyond \
            --tolerance, a backend's failures rose beyond it, or no case repeat was judged in both runs; exit 2 when \
            the runs share no case repeat or no backend.
            """)
    var failOnRegression = false

    @Option(help: "Allowed drop, as a fraction (0.02 = 2 points).")
    var tolerance: Double = 0

    @Option(help: "Changed case repeats listed in text and markdown output.")
    var maxCases: Int = 50

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if !(0...1).contains(tolerance) { throw ValidationError("--tolerance must be between 0 and 1, got \(tolerance)") }
        if maxCases < 0 { throw ValidationError("--max-cases must be 0 or more") }
    }
}
