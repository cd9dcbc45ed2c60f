import ArgumentParser

/// `ailb-eval runs`: the stored runs, newest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List stored runs.")

    @OptionGroup var arguments: RunsArguments

    func run() throws { try arguments.run() }
}
