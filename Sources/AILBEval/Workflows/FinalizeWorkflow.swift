import Foundation

/// `ailb-eval finalize RUN`: what the last worker of a shared run does when it stores the last answer, done by
/// hand — when that worker was killed while finalizing, or when requests are left that no worker will answer
/// (a backend nobody serves). Verdicts are judged over every stored answer, the run is marked finished, and
/// its summary, CSV files, HTML report and gate follow as at the end of a run. Works on any run whose
/// process is gone, in either database.
package enum FinalizeWorkflow {
    package struct Options: Sendable {
        /// The database, and the config whose gates and report settings apply.
        package var location: StoredRunsLocation
        /// A run id, or `latest`.
        package var runReference: String
        /// The newest run with this key instead.
        package var runKey: String?
        /// Where the CSV files and report go; nil: `<reports dir>/run-<id>`.
        package var outputDirectory: String?

        package init(location: StoredRunsLocation, runReference: String, runKey: String?, outputDirectory: String?) {
            self.location = location
            self.runReference = runReference
            self.runKey = runKey
            self.outputDirectory = outputDirectory
        }
    }

    /// Finalizes the run; throws `InputError` when it cannot be (unknown, or still being worked on).
    package static func run(_ options: Options, output: some WorkflowOutput) throws -> RunResult {
        let location = try options.location.resolve(output: output)
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw InputError(file: path, "no database here: no run to finalize")
        }
        let store = try location.open()
        let record: RunRecord
        do {
            record = try options.runKey.map { try store.latestRun(withKey: $0) } ?? store.run(options.runReference)
        } catch let error as StoreError {
            throw InputError("cannot finalize: \(error.message)")
        }
        if let owner = try store.ownerElsewhere(ofRun: record.id) {
            throw InputError(
                "run \(record.id) is still being worked on (\(owner)); the last of its workers finalizes it, "
                    + "or stop them first")
        }
        try store.reopenRun(record.id)
        var config = try PreparedRun.loadConfig(options.location.configPath, environment: options.location.environment)
        config.consensus.profile = record.profile
        config.consensus.threshold = record.threshold
        if let queue = store as? any WorkQueueStore {
            // Whatever it finds: with work left the run stays open to workers (nobody is named its finalizer,
            // and the last of them finalizes it again); a finalizer named before is gone (no process owns the run).
            _ = try queue.claimFinalization(runID: record.id, worker: WorkerSettings.uniqueName())
        }
        let started = Date()
        let status: RunStatus
        do {
            status = try EvalRun.finalize(
                runID: record.id, store: store, assessor: CaseAssessor(threshold: record.threshold),
                planned: record.plannedRequests)
        } catch {
            try? store.finishRun(record.id, status: .interrupted)
            throw store.storingFailure(error) ?? error
        }
        let outcome = RunOutcome(runID: record.id, status: status, elapsedSeconds: Date().timeIntervalSince(started))
        return try EvalWorkflow.finish(
            outcome, EvalWorkflow.Finishing(config: config, store: store), outputDirectory: options.outputDirectory,
            output: output)
    }
}
