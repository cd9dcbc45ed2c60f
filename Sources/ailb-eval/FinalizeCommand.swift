import AILBEval
import ArgumentParser

/// `ailb-eval finalize RUN`: verdicts, status and reports of a shared run, by hand.
struct FinalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finalize", abstract: "Finish a run by hand: verdicts over every stored answer, its status, reports and gate.",
        discussion: """
            The workers of a shared run (--run-key on PostgreSQL) finalize it themselves: the one that stores the \
            last answer judges every case, marks the run finished and writes its reports. finalize does that by hand \
            when no worker will: the finalizing worker was killed, or requests are left for a backend no worker \
            serves (the run is then marked interrupted, with what was answered judged). It refuses a run a live \
            process is still working on.

            Exit codes as for a run: 0 finished (gate passed), 1 gate failed, 130 requests are left unanswered, \
            2 unknown run or still being worked on, 3 the database failed or no answer is usable, 4 a report could \
            not be written.

            Examples:
              ailb-eval finalize 7 --db postgres://ci@db.internal/evals
              ailb-eval finalize --run-key "$CI_PIPELINE_ID" --db postgres://ci@db.internal/evals
            """)

    @Argument(help: "A run id, or latest.")
    var runReference: String = "latest"

    @Option(name: .customLong("run-key"), help: "Finalize the newest run with this key instead.")
    var runKey: String?

    @Option(help: "Directory for the CSV files and report (default: <reports.dir>/run-<id>).")
    var out: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let runKey { try checkRunKey(runKey) }
    }

    func run() throws {
        let options = FinalizeWorkflow.Options(
            location: common.storedRuns, runReference: runReference, runKey: runKey, outputDirectory: out)
        try FinalizeWorkflow.run(options, output: StandardStreams()).exit()
    }
}
