import Foundation

/// `ailb-eval run`: suites run against every backend of the config, everything stored, a summary, the
/// CSV files and HTML report, and the gate.
public enum EvalWorkflow {
    /// What to run (or resume), and whether to show the progress line.
    public struct Options: Sendable {
        public var run: RunOptions
        /// Show the progress line on standard error.
        public var showsProgress: Bool
        public var environment: [String: String]

        public init(
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
    public static func run(
        _ options: Options, signals: InterruptSource, output: some WorkflowOutput
    ) async throws
        -> RunResult
    {
        let (prepared, store, started) = try await start(options, output: output)
        let outcome: RunOutcome
        do {
            for resolved in started.resolvedModels {
                try output.line("\(resolved.backend): model auto → \(resolved.model)")
            }
            let run = EvalRun(
                prepared: prepared, store: store, progress: options.showsProgress ? ProgressReporter() : nil,
                started: started)
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
        return try finish(
            outcome, prepared: prepared, store: store, outputDirectory: options.run.outputDirectory, output: output)
    }

    /// Prepares a new run, or a resumption, and starts its backends. A new run resolves its models before
    /// the database is opened: a run that cannot start writes nothing.
    static func start(
        _ options: Options, output: some WorkflowOutput
    ) async throws
        -> (PreparedRun, ResultStore, StartedBackends)
    {
        let runOptions = options.run
        let environment = options.environment
        guard runOptions.resume != nil else {
            let prepared = try PreparedRun.prepare(runOptions, environment: environment)
            let started = try await prepared.startBackends()
            return (prepared, try ResultStore(path: prepared.databasePath), started)
        }
        let path = try runOptions.databasePath ?? PreparedRun.loadConfig(runOptions.configPath, environment: environment).storagePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(file: path, "no database to resume from")
        }
        let store = try ResultStore(path: path)
        let prepared = try PreparedRun.prepareResume(runOptions, store: store, environment: environment)
        if let resumption = prepared.resumption { try announce(resumption, output: output) }
        return (prepared, store, try await prepared.startBackends())
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
    /// and applies its gate.
    static func finish(
        _ outcome: RunOutcome, prepared: PreparedRun, store: ResultStore, outputDirectory: String?,
        output: some WorkflowOutput
    ) throws -> RunResult {
        var results = ContinuingOutput(output)
        // Read once for the summary's mode table, the CSV files and the HTML report, with the run's own
        // reference backend (reports.reference) for flips.
        let content = try ReportContent.load(
            report: outcome.report, store: store, options: ReportOptions(config: prepared.config))
        results.line(RunSummary.render(content))
        if let retries = outcome.retries { results.line("\n" + retries.summary) }
        let loadBalancers = try LoadBalancerComparison.load(store: store, runID: outcome.runID).lines
        if !loadBalancers.isEmpty { results.line("\n" + loadBalancers.joined(separator: "\n")) }
        let directory = outputDirectory ?? "\(prepared.config.reportsDir)/run-\(outcome.runID)"
        var files: [String] = []
        try results.attempt { files = try CSVExport.write(content: content, store: store, to: directory) }
        let html = "\(directory)/report.html"
        try results.attempt { try ReportWriter.write(.html, content: content, store: store, to: html) }
        results.line("")
        results.line(
            "Stored in \(prepared.databasePath) as run \(outcome.runID)"
                + (results.failure == nil ? "; report \(html), CSV in \(directory)/ (\(files.count) files)." : "."))
        var result = RunResult(runID: outcome.runID, status: outcome.status, outputFailure: nil)
        if outcome.status == .interrupted {
            let answered = try store.answeredRequestCount(runID: outcome.runID)
            results.line(
                "Run \(outcome.runID) was interrupted: \(answered) of \(outcome.report.run.plannedRequests) requests answered."
                    + " Finish it with: ailb-eval run --resume \(outcome.runID)")
            return result
        }
        guard outcome.report.statistics.totalSuccesses > 0 else {
            throw RunFailure.noAnswer(runID: outcome.runID, errors: try store.firstErrorTexts(runID: outcome.runID))
        }
        result.outputFailure = results.failure
        let failures = Gate.evaluate(outcome.report.statistics, thresholds: prepared.config.gates)
        let loadBalancerBar = try prepared.config.gates.maxLoadBalancerMismatches.map { maximum in
            let counts = try store.loadBalancerVerdictCounts(runID: outcome.runID)
            return LoadBalancerGateCheck(maximum: maximum, compared: counts.compared, mismatches: counts.mismatches)
        }
        let loadBalancerFailure = loadBalancerBar.flatMap { $0.passed ? nil : $0 }
        if !failures.isEmpty || loadBalancerFailure != nil {
            result.gateFailure = GateFailed(failures: failures, loadBalancer: loadBalancerFailure)
        }
        return result
    }
}

/// How a run ended, for the caller to pick its exit code.
public struct RunResult: Sendable {
    public var runID: Int64
    /// `completed`, or `interrupted` (its gate is then not applied).
    public var status: RunStatus
    /// The first write that failed (standard output, a CSV file, the HTML report); the rest was still done.
    public var outputFailure: OutputError?
    /// The bars that failed; nil when every bar passed, none was set, or the run was interrupted.
    public var gateFailure: GateFailed?

    public init(runID: Int64, status: RunStatus, outputFailure: OutputError? = nil, gateFailure: GateFailed? = nil) {
        self.runID = runID
        self.status = status
        self.outputFailure = outputFailure
        self.gateFailure = gateFailure
    }
}
