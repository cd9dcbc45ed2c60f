import Foundation

extension EvalWorkflow {
    /// The end of a worker's part in a shared run that it did not finalize: what it stored, and who has the
    /// rest. The run's reports and gate are the finalizer's.
    static func finishPart(
        _ outcome: RunOutcome, _ worker: WorkerOutcome, store: any RunStore, output: some WorkflowOutput
    ) throws(OutputError) -> RunResult {
        let runID = outcome.runID
        // This worker's part is done (exit 0) unless it was stopped (130), whatever the run's own status.
        let result = RunResult(runID: runID, status: worker == .stopped ? .interrupted : .completed)
        let answers = outcome.workerAnswers
        try output.line("This worker answered \(answers) request\(answers == 1 ? "" : "s") of run \(runID).")
        switch worker {
        case .finalized:
            break
        case .stopped:
            try output.line(
                "This worker stopped; what it had claimed of run \(runID) is given back to the other workers. "
                    + "Run the same command again to go on with it.")
        case .workLeft(let left):
            let others = left.claimed > 0 ? ", \(left.claimed) of them being answered by other workers" : ""
            try output.line(
                "This worker's part of run \(runID) is done. \(left.requests) request\(left.requests == 1 ? " is" : "s are") "
                    + "left for \(left.backends.joined(separator: ", "))\(others): the worker that stores the last "
                    + "answer finalizes the run and writes its reports (or, once no worker is left: ailb-eval finalize \(runID)"
                    + " --db \(store.name)).")
        case .finalizedBy(let other):
            let state =
                outcome.status == .running
                ? "is being finalized by \(other), which writes its reports"
                : "was finalized (\(outcome.status.rawValue)) by \(other)"
            try output.line("Run \(runID) \(state); to read it: ailb-eval report \(runID) --db \(store.name)")
        }
        return result
    }
}

extension PreparedRun {
    /// Whether `options` make this process a worker of a shared run: a run key, and a PostgreSQL database.
    package static func makesWorker(_ options: RunOptions, environment: [String: String]) throws(InputError) -> Bool {
        guard options.runKey != nil else { return false }
        if let database = options.databasePath { return StoreLocation.takesPassword(database) }
        let config = try loadConfig(options.configPath, environment: environment, allowInsecureTLS: options.allowInsecureTLS)
        return StoreLocation.takesPassword(config.storagePath)
    }

    /// Prepares one worker's part in a shared run (`--run-key` on PostgreSQL): the whole run, every configured
    /// backend and every case, as every worker records it; and the backends this worker serves (`--backend`;
    /// nil: all). `--shard` leaves the run whole too: it names the cases the worker claims.
    package static func prepareWorker(
        _ options: RunOptions, environment: [String: String]
    ) throws(InputError) -> (PreparedRun, serving: Set<String>?) {
        var whole = options
        whole.backendNames = []
        whole.shard = nil
        let prepared = try prepare(whole, environment: environment)
        let mode = prepared.config.defaults.mode
        guard mode == .all || mode == .consensus else {
            throw InputError(
                "--run-key with a PostgreSQL database makes this process one worker of a shared run, which needs "
                    + "--mode all or consensus; a \(mode.rawValue) asks every backend of a case together: split it with "
                    + "--shard into SQLite files and join them with ailb-eval merge")
        }
        guard !options.backendNames.isEmpty else { return (prepared, nil) }
        let known = prepared.plan.backends.map(\.name)
        for name in options.backendNames where !known.contains(name) {
            let hint = suggestion(for: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw InputError("unknown backend '\(name)'\(hint); config has: \(known.joined(separator: ", "))")
        }
        return (prepared, Set(options.backendNames))
    }
}
