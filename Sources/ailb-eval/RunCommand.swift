import AILBEval
import ArgumentParser
import Foundation

/// `ailb-eval [run] SUITE…`: the main job.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run suites against every backend of the config, store everything, print a summary, apply the gate.",
        discussion: """
            Without --config, ./config.yaml is used, or the embedded default (three mock backends) if there is none.
            CSV files are written to <reports.dir>/run-<id>/ unless --out says otherwise.

            --resume RUN (or latest) finishes a run that was interrupted (Ctrl-C, a crash, a kill): the same run id,
            only the requests with no answer yet, then every verdict recomputed. Suites, config and flags default to
            the run's own; if the config or a suite changed since, it refuses unless --force is given. With
            --retry-errors the requests that ended in an error are sent again too; the failed answers are kept in
            the table response_attempts.
            """
    )

    @Argument(help: "Suite files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var suites: [String] = []

    @OptionGroup var common: CommonOptions

    @Option(help: "Both judge every answer. For a kind: ailb backend, all asks for every answer; consensus also for ai-lb's vote.")
    var mode: RunMode?

    @Option(help: "Equivalence profile for the summary and gate (both are stored): ailb or semantic.")
    var profile: EquivalenceProfile?

    @Option(help: "Text similarity threshold (0…1).")
    var threshold: Double?

    @Option(help: "Requests in flight at once, over all backends.")
    var concurrency: Int?

    @Option(name: .customLong("repeat"), help: "Ask each case this many times.")
    var repeats: Int?

    @Option(
        name: .customLong("repeat-seed"),
        help: "fixed: every repeat sends the same seed; vary: repeat r sends seed + r - 1 when the temperature is above 0 (overrides repeat_seed).")
    var repeatSeed: RepeatSeed?

    @Option(help: "Request timeout in seconds.")
    var timeout: Double?

    @Option(help: "Retries on connect errors, 429 and 5xx.")
    var retries: Int?

    @Flag(inversion: .prefixedNo, help: "Stream responses (server-sent events; measures time to first token).")
    var stream: Bool?

    @Option(name: .customLong("backend"), help: "Only this backend (repeatable).")
    var backends: [String] = []

    @Option(name: .customLong("tag"), help: "Only cases with this tag (repeatable).")
    var tags: [String] = []

    @Option(help: "Fail (exit 1) when agreement is below this (0…1); overrides gates.min_agreement.")
    var minAgreement: Double?

    @Option(help: "Fail (exit 1) when consensus accuracy is below this (0…1); overrides gates.min_accuracy.")
    var minAccuracy: Double?

    @Option(
        name: .customLong("max-lb-mismatch"),
        help: "Fail (exit 1) when more than N case repeats have an ai-lb verdict that differs from ours; overrides gates.max_lb_mismatch.")
    var maxLBMismatch: Int?

    @Option(help: "Directory for the CSV files (default: <reports.dir>/run-<id>).")
    var out: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @Option(help: "Finish this interrupted run (an id, or latest) instead of starting a new one.")
    var resume: String?

    @Flag(help: "With --resume: finish the run even though the config or a suite changed since it started.")
    var force = false

    @Flag(
        name: .customLong("retry-errors"),
        help: "With --resume: also send again the requests that ended in an error (the failed answers are kept as history).")
    var retryErrors = false

    func validate() throws {
        if force && resume == nil { throw ValidationError("--force only applies with --resume") }
        if retryErrors && resume == nil { throw ValidationError("--retry-errors only applies with --resume") }
    }

    func run() async throws { try await execute() }

    /// The work of the command (called by name: the inherited synchronous `run()` would win overload resolution).
    func execute() async throws {
        var options = RunOptions(suitePaths: suites)
        options.configPath = common.config
        options.databasePath = common.db
        options.mode = mode
        options.profile = profile
        options.threshold = threshold
        options.concurrency = concurrency
        options.repeats = repeats
        options.timeout = timeout
        options.retries = retries
        options.stream = stream
        options.repeatSeed = repeatSeed
        options.backendNames = backends
        options.tags = tags
        options.minAgreement = minAgreement
        options.minAccuracy = minAccuracy
        options.maxLoadBalancerMismatches = maxLBMismatch
        options.outputDirectory = out
        options.resume = resume
        options.force = force
        options.retryErrors = retryErrors
        let environment = ProcessInfo.processInfo.environment
        let prepared: PreparedRun
        let store: ResultStore
        let started: StartedBackends
        if resume != nil {
            let path = try common.db ?? PreparedRun.loadConfig(common.config, environment: environment).storagePath
            guard FileManager.default.fileExists(atPath: path) else {
                throw InputError(file: path, "no database to resume from")
            }
            store = try ResultStore(path: path)
            prepared = try PreparedRun.prepareResume(options, store: store, environment: environment)
            if let resumption = prepared.resumption {
                for note in resumption.notes { CommandErrors.printError("note: \(note)") }
                let retried = resumption.retried.count
                try StandardOutput.line(
                    "Resuming run \(resumption.runID): \(resumption.missing.count) of \(resumption.planned) requests to go"
                        + (retried > 0
                            ? "; \(retried) that ended in an error \(retried == 1 ? "is" : "are") sent again." : "."))
                if resumption.errorsKept > 0 {
                    let count = resumption.errorsKept
                    CommandErrors.printError(
                        "note: \(count) request\(count == 1 ? "" : "s") of run \(resumption.runID) ended in an error and "
                            + "\(count == 1 ? "stays" : "stay") as \(count == 1 ? "it is" : "they are"); --retry-errors sends them again")
                }
            }
            started = try await prepared.startBackends()
        } else {
            prepared = try PreparedRun.prepare(options, environment: environment)
            // Models are resolved before the database is opened: a run that cannot start writes nothing.
            started = try await prepared.startBackends()
            store = try ResultStore(path: prepared.databasePath)
        }
        for resolved in started.resolvedModels {
            try StandardOutput.line("\(resolved.backend): model auto → \(resolved.model)")
        }
        let run = EvalRun(prepared: prepared, store: store, progress: quiet ? nil : ProgressReporter(), started: started)
        let task = Task { try await run.execute() }
        // First Ctrl-C: no new requests, in-flight ones cancelled, run marked interrupted. Second: exit now.
        let interrupts = InterruptFlag()
        let signals = TerminationSignals { _ in
            if interrupts.record() > 1 { Foundation.exit(ExitStatus.interrupted.rawValue) }
            StandardError.write("\nInterrupted: stopping (Ctrl-C again to quit at once)…\n")
            task.cancel()
        }
        let outcome = try await task.value
        signals.restoreDefault()
        await started.stop()

        // Output that cannot be written (standard output on a full disk, an unwritable --out) does not stop the
        // rest: every file that can be written is, the gate is still applied, and the exit code is 4.
        var output = OutputSink()
        output.line(RunSummary.render(outcome.report))
        if let retries = outcome.retries { output.line("\n" + retries.summary) }
        let loadBalancers = try LoadBalancerComparison.load(store: store, runID: outcome.runID).lines
        if !loadBalancers.isEmpty { output.line("\n" + loadBalancers.joined(separator: "\n")) }
        let directory = out ?? "\(prepared.config.reportsDir)/run-\(outcome.runID)"
        var files: [String] = []
        try output.attempt {
            // The run's own reference backend (reports.reference) for flips, as its HTML report uses.
            files = try CSVExport.write(
                report: outcome.report, store: store, to: directory, options: ReportOptions(config: prepared.config))
        }
        let html = "\(directory)/report.html"
        try output.attempt {
            try ReportWriter.writeHTML(
                report: outcome.report, store: store, to: html, options: ReportOptions(config: prepared.config))
        }
        output.line("")
        output.line(
            "Stored in \(prepared.databasePath) as run \(outcome.runID)"
                + (output.failure == nil ? "; report \(html), CSV in \(directory)/ (\(files.count) files)." : "."))
        if outcome.status == .interrupted {
            let answered = try store.answeredRequestCount(runID: outcome.runID)
            output.line(
                "Run \(outcome.runID) was interrupted: \(answered) of \(outcome.report.run.plannedRequests) requests answered."
                    + " Finish it with: ailb-eval run --resume \(outcome.runID)")
            throw ExitCode(ExitStatus.interrupted.rawValue)
        }
        guard outcome.report.statistics.totalSuccesses > 0 else {
            throw RunFailure.noAnswer(runID: outcome.runID, errors: try store.firstErrorTexts(runID: outcome.runID))
        }
        let failures = Gate.evaluate(outcome.report.statistics, thresholds: prepared.config.gates)
        let loadBalancerBar = try prepared.config.gates.maxLoadBalancerMismatches.map { maximum in
            let counts = try store.loadBalancerVerdictCounts(runID: outcome.runID)
            return LoadBalancerGateCheck(maximum: maximum, compared: counts.compared, mismatches: counts.mismatches)
        }
        let loadBalancerFailure = loadBalancerBar.flatMap { $0.passed ? nil : $0 }
        if output.failure != nil {
            for failure in failures { CommandErrors.printError("gate failed: \(failure)") }
            if let loadBalancerFailure { CommandErrors.printError("gate failed: \(loadBalancerFailure)") }
            try output.finish()
        }
        if !failures.isEmpty || loadBalancerFailure != nil {
            throw GateFailed(failures: failures, loadBalancer: loadBalancerFailure)
        }
    }
}

/// Options shared by the commands that read config or database.
struct CommonOptions: ParsableArguments {
    @Option(help: "Config file (default: ./config.yaml, else the embedded default).", completion: .file(extensions: ["yaml"]))
    var config: String?

    @Option(help: "SQLite database (default: storage.path of the config).", completion: .file())
    var db: String?

    /// The database of stored runs, opened read-only: --db, else the config's storage.path (that key only: see
    /// `DatabaseLocation`). A note about a config that could not be read goes to standard error.
    func openStoredRuns() throws -> ResultStore {
        let (path, note) = try DatabaseLocation.forReading(db: db, config: config, environment: ProcessInfo.processInfo.environment)
        if let note { CommandErrors.printError("note: \(note)") }
        return try ResultStore(readingFrom: path)
    }
}

extension RunMode: ExpressibleByArgument {}
extension EquivalenceProfile: ExpressibleByArgument {}
extension GateBasis: ExpressibleByArgument {}
extension RepeatSeed: ExpressibleByArgument {}
