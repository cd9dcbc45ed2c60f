import Foundation

/// `ailb-eval runs`: the stored runs, newest first.
package enum RunsWorkflow {
    /// The listing to print: a table of the runs, or a line saying there are none. No database (or an
    /// empty file) means no runs; nothing is created just to say so.
    package static func list(_ location: StoredRunsLocation, output: some WorkflowOutput) throws -> String {
        let path = try location.resolve(output: output)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size, size > 0 else { return "No runs in \(path) yet." }
        let store = try ResultStore(readingFrom: path)
        let runs = try store.runs()
        guard !runs.isEmpty else { return "No runs in \(store.path) yet." }
        var answered: [Int64: Int] = [:]
        for run in runs { answered[run.id] = try store.answeredRequestCount(runID: run.id) }
        try store.finishReading()
        return RunSummary.renderRuns(runs, answeredRequests: answered)
    }
}
