import AILBEval
import ArgumentParser

/// The inputs and output of `ailb-eval merge`.
struct MergeArguments: ParsableArguments {
    @Argument(help: "The databases of the parts (SQLite files).", completion: .file(extensions: ["sqlite"]))
    var inputs: [String] = []

    @Option(help: "The database the merged run is stored in (a new or an existing SQLite file).", completion: .file())
    var into: String

    @Option(name: .customLong("run-key"), help: "Take from each input its newest run with this run key (default: its newest run).")
    var runKey: String?

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("name the databases to merge: merge A.sqlite B.sqlite … --into OUT.sqlite") }
        if let runKey { try checkRunKey(runKey) }
    }
}
