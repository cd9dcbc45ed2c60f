import AILBEval
import ArgumentParser
import Foundation

/// The root command: `ailb-eval SUITE…` runs suites; the subcommands inspect what runs stored.
@main
struct AILBEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ailb-eval",
        abstract: "Run prompt suites against several LLM servers and measure whether they agree.",
        discussion: """
            Examples:
              ailb-eval suites/tools.yaml                   run a suite against every backend in config.yaml
              ailb-eval runs                                list stored runs
              ailb-eval report latest                       HTML report: reports/run-<id>/report.html
              ailb-eval report latest --format csv --out reports/latest
              ailb-eval compare 3 4 --fail-on-regression    what changed between two runs
              ailb-eval gate latest --min-agreement 0.9     exit 1 below the bar
              ailb-eval verdict --explain < responses.jsonl judge captured responses offline
              ailb-eval mock --port 9100                    serve the config's mock backends
              ailb-eval SUITE --shard 2/4 --run-key K       one machine's share of a split run
              ailb-eval merge p*.sqlite --into all.sqlite   join the parts into one run

            Exit codes: 0 success, 1 a gate failed, 2 bad usage, config or suite (or inputs of merge that are not \
            parts of one run), 3 the run could not be carried out (or the database is unusable), 4 output could \
            not be written, 130 interrupted (or a merged run with work missing).
            """,
        version: ToolInfo.version,
        subcommands: [
            RunCommand.self, RunsCommand.self, ReportCommand.self, ExportCommand.self, CompareCommand.self,
            GateCommand.self, VerdictCommand.self, SimilarityCommand.self, MockCommand.self, BackendsCommand.self,
            MergeCommand.self, FinalizeCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Parses the command line, runs the chosen command (an async one through its async `run()`, whichever it
    /// is), and maps every error to its message and exit code in one place (see `ExitStatus`).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Foundation.exit(CommandErrors.report(error))
        }
    }
}
