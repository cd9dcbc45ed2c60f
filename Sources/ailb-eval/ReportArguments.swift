import AILBEval
import ArgumentParser

/// Where and how a stored run is written, shared by `report` and `export`.
struct ReportArguments: ParsableArguments {
    @Argument(help: "A run id, or latest.")
    var runReference: String = "latest"

    @Option(
        help:
            "Output path: a folder for csv, a file otherwise ('-' for standard output). Default: <reports.dir of the run>/run-<id>/ (text: standard output)."
    )
    var out: String?

    @Option(help: "Profile for verdicts and statistics: ailb or semantic (default: the run's).")
    var profile: EquivalenceProfile?

    @Option(
        help: "Backend to measure flips against (default: the run's reports.reference, else the highest-precision quant of each family).")
    var reference: String?

    @Option(help: "Case repeats shown with every answer in the HTML report (the rest get one line each).")
    var detailLimit: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let detailLimit, detailLimit < 0 { throw ValidationError("--detail-limit must be 0 or more") }
    }
}
