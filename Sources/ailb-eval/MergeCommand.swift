import ArgumentParser

/// `ailb-eval merge A.sqlite B.sqlite … --into ALL.sqlite`: the parts of a split run joined into one run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Join the parts of a run split over machines (--shard, --backend) into one run.",
        discussion: """
            Each input is a database written by one part of the run (a CI matrix job): its newest run, or with \
            --run-key its newest run with that key. The parts must be of one run: the same config, suites, mode, \
            profile, threshold, run key and number of shards; they may differ only in their shard and their backends. \
            The merged run holds every backend, every case and every answer of the parts; its verdicts are judged \
            again over all the answers. A request answered by two parts is kept once when both answers are the same \
            (a duplicate, counted) and refused when they differ. Nothing is written when the parts cannot be merged.

            The merged run is completed when every request of the plan has an answer; when some are missing (a \
            shard was not among the inputs) it is interrupted, and `ailb-eval run --resume <id> --db <output>` \
            asks what is missing. report, gate, compare and export then read it like any other run.

            Exit codes: 0 merged and complete; 130 merged with work missing (or interrupted, nothing merged); \
            2 the inputs are not parts of one run, or conflict; 3 a database cannot be read or written.

            Examples:
              ailb-eval merge shard-1.sqlite shard-2.sqlite shard-3.sqlite --into all.sqlite
              ailb-eval merge parts/*.sqlite --into all.sqlite --run-key "$CI_PIPELINE_ID"
            """)

    @OptionGroup var arguments: MergeArguments

    func run() throws { try arguments.run() }
}
