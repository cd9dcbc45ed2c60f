import ArgumentParser

/// `ailb-eval [run] SUITE…`: the main job.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run suites against every backend of the config, store everything, print a summary, apply the gate.",
        discussion: """
            Without --config, ./config.yaml is used, or the embedded default (three mock backends) if there is none.
            CSV files are written to <reports.dir>/run-<id>/ unless --out says otherwise.

            --resume RUN (or latest) finishes a run that was interrupted (Ctrl-C, a crash, a kill): the same run id,
            only the requests with no answer yet, then every verdict recomputed. Suites, config and flags default to
            the run's own; if the config or a suite changed since, it refuses unless --force is given. With
            --retry-errors the requests that ended in an error are sent again too; the failed answers are kept in
            the table response_attempts.

            --shard i/n runs one machine's share of a run split over machines (a CI matrix): the cases whose \
            stable hash of suite and id falls in shard i; the run stores every case but sends only its share, and \
            leaves its gate to the merged run. --run-key names the parts of one split run; `ailb-eval merge` joins \
            them into one run.
            """
    )

    @OptionGroup var arguments: RunArguments

    func run() async throws { try await arguments.run() }
}
