import Foundation

/// `ailb-eval runs`: the stored runs, newest first.
package enum RunsWorkflow {
    /// The listing to print: a table of the runs, or a line saying there are none. No database (an empty
    /// file, a PostgreSQL database without ailb-eval's tables) means no runs; nothing is created just to say so.
    package static func list(_ location: StoredRunsLocation, output: some WorkflowOutput) throws -> String {
        let database = try location.resolve(output: output)
        guard let store = try database.openForReadingIfStored() else { return "No runs in \(database.name) yet." }
        let runs = try store.runs()
        guard !runs.isEmpty else { return "No runs in \(store.name) yet." }
        var answered: [Int64: Int] = [:]
        for run in runs { answered[run.id] = try store.answeredRequestCount(runID: run.id) }
        try store.finishReading()
        return RunSummary.renderRuns(runs, answeredRequests: answered)
    }
}
