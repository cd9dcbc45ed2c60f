import AILBEval
import ArgumentParser
import Foundation

/// `ailb-eval compare RUN_A RUN_B`: what changed between two stored runs.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Show what changed between two stored runs: agreement gained or lost, flips.",
        discussion: """
            Case repeats are matched by suite, case id and repeat; backends by name. Both runs are judged under the
            same profile (--profile, else RUN_B's), over the backends and case repeats they share; every output
            says first what is and is not comparable. A case repeat whose shared backends answered exactly as
            before is never a change. --fail-on-regression exits 1 on a regression or when no case repeat was
            judged in both runs, and 2 (writing nothing) when the runs share no case repeat or no backend.
            Examples:
              ailb-eval compare 3 4
              ailb-eval compare 3 latest --fail-on-regression --tolerance 0.02
              ailb-eval compare 3 4 --format markdown --out - >> "$GITHUB_STEP_SUMMARY"
            """)

    @Argument(help: "The earlier run (an id, or latest).")
    var runA: String

    @Argument(help: "The later run (an id, or latest).")
    var runB: String = "latest"

    @Option(help: "Output format: text, markdown, json, csv, junit or html.")
    var format: ComparisonReport.Format = .text

    @Option(help: "Output file ('-' or absent: standard output).")
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

    func run() throws {
        let store = try common.openStoredRuns()
        let recordB = try store.run(runB)
        let recordA = try store.run(runA)
        let chosen = profile ?? recordB.profile
        var options = ReportOptions(settings: StoredReportSettings(run: recordB))
        options.bootstrapIterations = 0
        let a = try ReportContent.load(
            report: RunReportData.load(store: store, runID: recordA.id, profile: chosen), store: store, options: options)
        let b = try ReportContent.load(
            report: RunReportData.load(store: store, runID: recordB.id, profile: chosen), store: store, options: options)
        let comparison = try RunComparison.compute(a, b)
        // A gate over two runs that share nothing is a mistake in the command: say so and write nothing.
        if failOnRegression, let nothing = comparison.nothingComparable {
            try store.finishReading()
            throw InputError("--fail-on-regression: nothing to compare: \(nothing)")
        }
        let document = ComparisonReport.render(comparison, format: format, tolerance: tolerance, maxCases: maxCases)
        try store.finishReading()
        if let out, out != "-" {
            try AtomicFile.write(document, to: out)
            try StandardOutput.line(out)
        } else {
            try StandardOutput.write(document)
        }
        guard failOnRegression else { return }
        // No case repeat judged in both runs is no evidence that nothing regressed: the gate fails.
        if let none = comparison.regressionGateNoData {
            StandardError.line("regression gate failed: agreement not compared: \(none)")
            throw ExitCode(ExitStatus.gateFailed.rawValue)
        }
        let regressions = comparison.regressions(tolerance: tolerance)
        if !regressions.isEmpty {
            for regression in regressions {
                StandardError.line("regression: \(regression)")
            }
            throw ExitCode(ExitStatus.gateFailed.rawValue)
        }
    }
}

extension ComparisonReport.Format: ExpressibleByArgument {}
