import AILBEval
import ArgumentParser

/// `ailb-eval export RUN`: `report` with CSV as the default format, kept for scripts written against it.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a stored run as files (as `report`, CSV by default).")

    @Option(help: "Output format.")
    var format: ReportFileFormat = .csv

    @OptionGroup var arguments: ReportArguments

    func run() throws { try arguments.run(format: format) }
}
