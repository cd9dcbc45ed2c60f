import ArgumentParser

/// `ailb-eval gate RUN`: apply thresholds to a stored run.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Check a stored run against agreement thresholds (exit 1 when one fails).",
        discussion: """
            Thresholds are the run's own (the config's gates: and the --min-* flags it ran with); flags given here \
            override them. A bar with nothing to measure fails: agreement when no case repeat had two answers, a \
            family or quant without a judged answer. --min-accuracy on a run without expect is a usage error (exit 2).
            --min-mode-accuracy MODE=X holds a mode of the mode advisor (race, failover, consensus, \
            consensus-semantic, or a backend alone) to X; an unknown MODE is a usage error (exit 2), and the bar \
            fails when there is nothing to score (no expect, or a run in race mode).
            Example:
              ailb-eval gate latest --min-mode-accuracy race=0.9 --min-mode-accuracy consensus=0.95
            """)

    @OptionGroup var arguments: GateArguments

    func run() throws { try arguments.run() }
}
