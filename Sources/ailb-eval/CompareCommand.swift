import ArgumentParser

/// `ailb-eval compare RUN_A RUN_B`: what changed between two stored runs.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Show what changed between two stored runs: agreement gained or lost, flips.",
        discussion: """
            Case repeats are matched by suite, case id and repeat; backends by name. Both runs are judged under the
            same profile (--profile, else RUN_B's), over the backends and case repeats they share; every output
            says first what is and is not comparable. A case repeat whose shared backends answered exactly as
            before is never a change. --fail-on-regression exits 1 on a regression or when no case repeat was
            judged in both runs, and 2 (writing nothing) when the runs share no case repeat or no backend. Each \
            run's mode advisor table (race, failover, consensus, each backend alone) is shown side by side.
            Examples:
              ailb-eval compare 3 4
              ailb-eval compare 3 latest --fail-on-regression --tolerance 0.02
              ailb-eval compare 3 4 --format markdown --out - >> "$GITHUB_STEP_SUMMARY"
            """)

    @OptionGroup var arguments: CompareArguments

    func run() throws { try arguments.run() }
}
