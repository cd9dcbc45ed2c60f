import Foundation

/// `ailb-eval run`: suites run against every backend of the config, everything stored, a summary, the
/// CSV files and HTML report, and the gate.
package enum EvalWorkflow {
    /// What to run (or resume), and whether to show the progress line.
    package struct Options: Sendable {
        package var run: RunOptions
        /// Show the progress line on standard error.
        package var showsProgress: Bool
        package var environment: [String: String]

        package init(
            run: RunOptions, showsProgress: Bool = true, environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.run = run
            self.showsProgress = showsProgress
            self.environment = environment
        }
    }

    /// Runs (or resumes) a run and writes its summary, files and report. Bad input throws `InputError` before
    /// anything is written; a run in which no backend answered at all throws `RunFailure` once it is stored.
    /// An interrupt from `signals` stops new requests, cancels those in flight and marks the run interrupted.
    /// Output that cannot be written does not stop the rest: every file that can be written is, the gate is
    /// still applied, and the first failure is in the result.
    package static func run(
        _ options: Options, signals: InterruptSource, output: some WorkflowOutput
    ) async throws
        -> RunResult
    {
        let (outcome, finishing) = try await execute(options, signals: signals, output: output)
        return try finish(outcome, finishing, outputDirectory: options.run.outputDirectory, output: output)
    }

    /// What the reports and the gate of a finished run need from its preparation: the suites and the plan are
    /// let go before the reports are read.
    struct Finishing {
        var config: EvalConfig
        var store: any RunStore
    }

    /// Prepares the run (or resumption), starts its backends and carries it out.
    static func execute(
        _ options: Options, signals: InterruptSource, output: some WorkflowOutput
    ) async throws -> (RunOutcome, Finishing) {
        let (prepared, store, started, workers) = try await start(options, output: output)
        // What reading the suites left behind (their trees, one line's at a time, and the id check) goes back.
        FreedMemory.giveBack()
        let outcome: RunOutcome
        do {
            for resolved in started.resolvedModels {
                try output.line("\(resolved.backend): model auto → \(resolved.model)")
            }
            let run = EvalRun(
                prepared: prepared, store: store, progress: options.showsProgress ? ProgressReporter() : nil,
                started: started, workers: workers)
            let task = Task { try await run.execute() }
            let stopWatching = signals.watch {
                output.writeMessage("\nInterrupted: stopping (Ctrl-C again to quit at once)…\n")
                task.cancel()
            }
            defer { stopWatching() }
            outcome = try await task.value
        } catch {
            await started.stop()
            throw error
        }
        await started.stop()
        return (outcome, Finishing(config: prepared.config, store: store))
    }

    /// Prepares a new run, or a resumption, and starts its backends. A new run resolves its models before
    /// the database is opened: a run that cannot start writes nothing. With `--run-key` and a PostgreSQL
    /// database, this process is one worker of a shared run: the run prepared is the whole run (every
    /// backend, every case), and `--backend` and `--shard` say which part of it this worker serves.
    static func start(
        _ options: Options, output: some WorkflowOutput
    ) async throws
        -> (PreparedRun, any RunStore, StartedBackends, WorkerSettings?)
    {
        let runOptions = options.run
        let environment = options.environment
        guard runOptions.resume != nil else {
            let shared = try PreparedRun.makesWorker(runOptions, environment: environment)
            let (prepared, serving) =
                shared
                ? try PreparedRun.prepareWorker(runOptions, environment: environment)
                : (try PreparedRun.prepare(runOptions, environment: environment), nil)
            let location = try prepared.storeLocation()
            let started = try await prepared.startBackends(resolving: serving)
            do {
                let store = try location.open()
                guard shared else { return (prepared, store, started, nil) }
                guard let queue = store as? any WorkQueueStore else {
                    throw InputError("\(store.name) cannot hold a run shared by several workers")
                }
                let workers = WorkerSettings(
                    store: queue, serving: serving, shard: runOptions.shard,
                    leaseSeconds: runOptions.leaseSeconds ?? WorkerSettings.defaultLeaseSeconds,
                    worker: WorkerSettings.uniqueName())
                return (prepared, store, started, workers)
            } catch {
                await started.stop()
                throw error
            }
        }
        let location: StoreLocation
        if let db = runOptions.databasePath {
            // The config may name the variable holding a server's password; the run's own config is read later.
            let config =
                StoreLocation.takesPassword(db) ? try? PreparedRun.loadConfig(runOptions.configPath, environment: environment) : nil
            location = try StoreLocation(db, passwordVariable: config?.storagePasswordEnv, environment: environment)
        } else {
            let config = try PreparedRun.loadConfig(runOptions.configPath, environment: environment)
            location = try StoreLocation(
                config.storagePath, passwordVariable: config.storagePasswordEnv, environment: environment, source: "storage.url")
        }
        let store = try location.openForResuming()
        let prepared = try PreparedRun.prepareResume(runOptions, store: store, environment: environment)
        if let resumption = prepared.resumption { try announce(resumption, output: output) }
        return (prepared, store, try await prepared.startBackends(), nil)
    }

    /// What a resumption is about to send, and what it leaves as it is.
    static func announce(_ resumption: Resumption, output: some WorkflowOutput) throws(OutputError) {
        for note in resumption.notes { output.messageLine("note: \(note)") }
        let retried = resumption.retried.count
        try output.line(
            "Resuming run \(resumption.runID): \(resumption.missing.count) of \(resumption.planned) requests to go"
                + (retried > 0 ? "; \(retried) that ended in an error \(retried == 1 ? "is" : "are") sent again." : "."))
        if resumption.errorsKept > 0 {
            let count = resumption.errorsKept
            output.messageLine(
                "note: \(count) request\(count == 1 ? "" : "s") of run \(resumption.runID) ended in an error and "
                    + "\(count == 1 ? "stays" : "stay") as \(count == 1 ? "it is" : "they are"); --retry-errors sends them again")
        }
    }

    /// Writes the summary (with the mode advisor's table), the CSV files and the HTML report of a finished run,
    /// and applies its gate. The run is read once: its statistics, analysis, mode table and case outlines are
    /// computed in one pass, in which the rows of the CSV files are written too; every other file and the
    /// summary are written from that one computation.
    static func finish(
        _ outcome: RunOutcome, _ finishing: Finishing, outputDirectory: String?, output: some WorkflowOutput
    ) throws -> RunResult {
        let config = finishing.config
        let store = finishing.store
        if let worker = outcome.worker, worker != .finalized {
            return try finishPart(outcome, worker, store: store, output: output)
        }
        // The plan and the requests' buffers are gone: their pages go back before the reports read the run.
        FreedMemory.giveBack()
        var results = ContinuingOutput(output)
        let directory = outputDirectory ?? "\(config.reportsDir)/run-\(outcome.runID)"
        let html = "\(directory)/report.html"
        let (content, files) = try writeReports(
            runID: outcome.runID, store: store, config: config, directory: directory, retries: outcome.retries,
            results: &results)
        results.line("")
        if outcome.worker == .finalized {
            results.line(
                "This worker answered \(outcome.workerAnswers) request\(outcome.workerAnswers == 1 ? "" : "s") of run "
                    + "\(outcome.runID), stored its last answer and finalized it.")
        }
        results.line(
            "Stored in \(store.name) as run \(outcome.runID)"
                + (results.failure == nil ? "; report \(html), CSV in \(directory)/ (\(files.count) files)." : "."))
        var result = RunResult(runID: outcome.runID, status: outcome.status, outputFailure: nil)
        if outcome.status == .interrupted {
            let answered = try store.answeredRequestCount(runID: outcome.runID)
            results.line(
                "Run \(outcome.runID) was interrupted: \(answered) of \(content.data.run.plannedRequests) requests answered."
                    + " Finish it with: ailb-eval run --resume \(outcome.runID)")
            return result
        }
        let statistics = content.data.statistics
        let shard = content.data.run.shard
        // (A shard whose share holds no case asked nothing, and failed at nothing.)
        guard statistics.totalSuccesses > 0 || (shard != nil && content.data.run.plannedRequests == 0) else {
            throw RunFailure.noAnswer(runID: outcome.runID, errors: try store.firstErrorTexts(runID: outcome.runID))
        }
        result.outputFailure = results.failure
        // A shard's figures are those of its share: the bars are for the merged run, so that one machine's share
        // does not fail the job before the parts are joined.
        if let shard {
            if config.gates != GateThresholds() {
                results.line(
                    "Gate not applied to shard \(shard): apply it to the merged run (ailb-eval merge …, then ailb-eval gate).")
            }
            return result
        }
        let failures = Gate.evaluate(statistics, thresholds: config.gates)
        let loadBalancerBar = config.gates.maxLoadBalancerMismatches.map { maximum in
            LoadBalancerGateCheck(
                maximum: maximum, compared: content.loadBalancerCompared, mismatches: content.loadBalancerMismatches)
        }
        let loadBalancerFailure = loadBalancerBar.flatMap { $0.passed ? nil : $0 }
        if !failures.isEmpty || loadBalancerFailure != nil {
            result.gateFailure = GateFailed(failures: failures, loadBalancer: loadBalancerFailure)
        }
        return result
    }
}

extension EvalWorkflow {
    /// Writes the summary (with the mode advisor's table and ai-lb's own verdicts), the CSV files and the
    /// HTML report (`directory/report.html`) of the stored run `runID`, reading it once: the statistics,
    /// analysis, mode table and case outlines are computed in one pass over its case repeats, in which the
    /// rows of `responses.csv` and `verdicts.csv` are written; the summary and every other file are written
    /// from that one computation. Returns it with the CSV files written.
    static func writeReports(
        runID: Int64, store: some RunReader, config: EvalConfig, directory: String, retries: RetryOutcome?,
        results: inout ContinuingOutput<some WorkflowOutput>
    ) throws -> (ReportContent, [String]) {
        let rows = CSVExport.RowFiles(directory: directory, runID: runID, backends: try store.backends(runID: runID))
        // The run's own reference backend (reports.reference) for flips, and its profile.
        let content = try ReportContent.load(
            store: store, runID: runID, profile: config.consensus.profile, options: ReportOptions(config: config),
            columns: CSVExport.RowFiles.columns, visit: rows.add)
        results.line(RunSummary.render(content))
        if let retries { results.line("\n" + retries.summary) }
        let loadBalancers = LoadBalancerComparison(
            compared: content.loadBalancerCompared, differences: content.loadBalancerDisagreements)
        if !loadBalancers.lines.isEmpty { results.line("\n" + loadBalancers.lines.joined(separator: "\n")) }
        var files: [String] = []
        try results.attempt { files = try CSVExport.write(content: content, rows: rows, store: store) }
        try results.attempt { try ReportWriter.write(.html, content: content, store: store, to: "\(directory)/report.html") }
        return (content, files)
    }
}

/// How a run ended, for the caller to pick its exit code.
package struct RunResult: Sendable {
    package var runID: Int64
    /// `completed`, or `interrupted` (its gate is then not applied).
    package var status: RunStatus
    /// The first write that failed (standard output, a CSV file, the HTML report); the rest was still done.
    package var outputFailure: OutputError?
    /// The bars that failed; nil when every bar passed, none was set, or the run was interrupted.
    package var gateFailure: GateFailed?

    package init(runID: Int64, status: RunStatus, outputFailure: OutputError? = nil, gateFailure: GateFailed? = nil) {
        self.runID = runID
        self.status = status
        self.outputFailure = outputFailure
        self.gateFailure = gateFailure
    }
}
