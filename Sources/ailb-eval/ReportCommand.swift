import AILBEval
import ArgumentParser

/// `ailb-eval report RUN --format html|csv|json|junit|markdown|text --out PATH`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a stored run's report: HTML, CSV, JSON, JUnit XML, Markdown or text.",
        discussion: """
            Examples:
              ailb-eval report latest                              reports/run-<id>/report.html
              ailb-eval report 3 --format csv --out out/           responses, verdicts, backends, by_*, pairs, flips, modes
              ailb-eval report latest --format text                the end-of-run summary, on standard output
              ailb-eval report latest --format junit --out junit.xml
              ailb-eval report latest --format markdown --out - >> "$GITHUB_STEP_SUMMARY"
            The HTML file is self-contained (no network) and is also written at the end of every run. Every format \
            has the mode advisor's table: what race, failover, consensus and each backend alone would have \
            returned, replayed from the stored answers.
            """)

    @Option(help: "Output format.")
    var format: ReportFileFormat = .html

    @OptionGroup var arguments: ReportArguments

    func run() throws { try arguments.run(format: format) }
}
