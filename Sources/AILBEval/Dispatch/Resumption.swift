import Foundation

/// A stored run to finish: which one, and the work it still lacks.
package struct Resumption: Sendable {
    /// The run being finished; its id is kept.
    package var runID: Int64
    /// The (case, repeat, backend) requests with no final answer in the store: never sent, lost in a crash,
    /// or cancelled by Ctrl-C.
    package var missing: [WorkItem]
    /// With `--retry-errors`: the requests whose stored answer is an error, sent again (the error is kept in
    /// `response_attempts`). A load balancer's request counts when it failed as a whole or for any member.
    package var retried: [WorkItem] = []
    /// Without `--retry-errors`: how many requests ended in an error and stay as they are.
    package var errorsKept = 0
    /// Requests of the run in all.
    package var planned: Int
    /// What differs from the run as it started (only under `--force`), for the user to read.
    package var notes: [String]
}

extension PreparedRun {
    /// Prepares the finishing of the stored run `options.resume` names. Config and suites are read as for a
    /// new run (from the run's own files unless others are given), with the run's flags (mode, tags,
    /// backends, repeat, stream, timeout, …) restored unless given again. The cases are the run's own, as
    /// stored; only requests without a final answer are planned. Throws `InputError` when the config or a
    /// suite changed since the run started (unless `options.force`), or the run cannot be resumed.
    /// A backend named by the run's `--backend` flags that is gone from the config is skipped with a note.
    package static func prepareResume(
        _ options: RunOptions, store: some RunStore, environment: [String: String]
    ) throws -> PreparedRun {
        guard let reference = options.resume else { throw InputError("--resume needs a run id or 'latest'") }
        let record: RunRecord
        do {
            record = try store.run(reference)
        } catch let error as StoreError {
            throw InputError("cannot resume: \(error.message)")
        }
        if let owner = try store.ownerElsewhere(ofRun: record.id) {
            throw InputError("run \(record.id) is still running (\(owner)); stop it first")
        }
        let snapshot = (try? JSONValue(parsing: record.configJSON)) ?? [:]
        let storedSuites = ((try? JSONValue(parsing: record.suitesJSON))?.arrayValue ?? []).map {
            (name: $0["name"]?.stringValue ?? "", path: $0["path"]?.stringValue ?? "", hash: $0["sha256"]?.stringValue ?? "")
        }

        var restored = options
        try restoreSplit(of: record, into: &restored)
        if restored.suitePaths.isEmpty { restored.suitePaths = storedSuites.map(\.path) }
        if restored.configPath == nil { restored.configPath = record.configPath }
        let config = try loadConfig(
            restored.configPath, environment: environment, allowInsecureTLS: restored.allowInsecureTLS)
        restoreFlags(from: snapshot, into: &restored, config: config)
        var prepared = try prepare(restored, environment: environment)

        var changes: [String] = []
        let hash = SHA256.hex(Array(prepared.configSnapshot.compactText.utf8))
        if hash != record.configHash {
            changes.append(
                "the config (\(record.configPath ?? "the embedded default")) or the run's flags differ from when run \(record.id) started")
        }
        let now = prepared.suites.map { (name: $0.name, path: $0.path, hash: $0.contentHash) }
        for old in storedSuites {
            guard let new = now.first(where: { $0.name == old.name }) else {
                changes.append("suite '\(old.name)' (\(old.path)) is not among the suites given")
                continue
            }
            if new.hash != old.hash { changes.append("suite '\(old.name)' (\(new.path)) changed since the run started") }
        }
        for new in now where !storedSuites.contains(where: { $0.name == new.name }) {
            changes.append("suite '\(new.name)' (\(new.path)) was not part of run \(record.id)")
        }
        if !changes.isEmpty && !options.force {
            throw InputError(
                "cannot resume run \(record.id): " + changes.joined(separator: "; ")
                    + ". Resume with --force to finish it anyway (its stored cases are kept), or start a new run")
        }

        // Each case keeps the seed strategy it was planned with: its suite's (unchanged, or --force), else the
        // restored flag's or the config's.
        var repeatSeeds: [String: RepeatSeed] = [:]
        for planned in prepared.plan.cases {
            repeatSeeds[planned.suiteName + "\u{1F}" + planned.caseID] = planned.repeatSeed
        }
        let (plan, missing, notes) = try resumePlan(
            record: record, store: store, backends: prepared.config.backends, repeatSeeds: repeatSeeds,
            defaultRepeatSeed: restored.repeatSeed ?? prepared.config.defaults.repeatSeed, shard: restored.shard)
        let failed = try failedWork(of: plan, store: store, runID: record.id)
        prepared.plan = plan
        prepared.resumption = Resumption(
            runID: record.id, missing: missing, retried: options.retryErrors ? failed : [],
            errorsKept: options.retryErrors ? 0 : failed.count, planned: record.plannedRequests,
            notes: (options.force ? changes.map { "--force: " + $0 } : []) + notes)
        return prepared
    }

    /// The requests of `plan` whose stored answer is an error, in plan order.
    static func failedWork(of plan: RunPlan, store: some RunStore, runID: Int64) throws -> [WorkItem] {
        let failed = try store.failedRequestKeys(runID: runID)
        guard !failed.isEmpty else { return [] }
        var items: [WorkItem] = []
        for planned in plan.cases {
            for repeatIndex in 0..<planned.repeats {
                for (backendIndex, backend) in plan.backends.enumerated()
                where failed.contains(ResponseKey(casePosition: planned.position, repeatIndex: repeatIndex, backend: backend.name)) {
                    items.append(WorkItem(casePosition: planned.position, repeatIndex: repeatIndex, backendIndex: backendIndex))
                }
            }
        }
        return items
    }

    /// A resumed run keeps the share and run key it was started with: `--shard` and `--run-key` may be given
    /// again, but not changed.
    static func restoreSplit(of record: RunRecord, into options: inout RunOptions) throws(InputError) {
        if let given = options.shard, given != record.shard {
            let stored = record.shard.map { "shard \($0)" } ?? "not a shard"
            throw InputError("cannot resume run \(record.id) as --shard \(given): it is \(stored), which it keeps")
        }
        if let given = options.runKey, given != record.runKey {
            let stored = record.runKey.map { "'\($0)'" } ?? "none"
            throw InputError("cannot resume run \(record.id) with --run-key '\(given)': its run key is \(stored), which it keeps")
        }
        options.shard = record.shard
        options.runKey = record.runKey
    }

    /// Fills the flags the user did not give again from those the run was started with, so that
    /// `--resume N` alone asks exactly what the run asked.
    static func restoreFlags(from snapshot: JSONValue, into options: inout RunOptions, config: EvalConfig) {
        guard let flags = snapshot["flags"] else { return }
        if options.mode == nil { options.mode = flags["mode"]?.stringValue.flatMap(RunMode.init(rawValue:)) }
        if options.profile == nil { options.profile = flags["profile"]?.stringValue.flatMap(EquivalenceProfile.init(rawValue:)) }
        if options.threshold == nil { options.threshold = flags["threshold"]?.numberValue }
        if options.concurrency == nil { options.concurrency = flags["concurrency"]?.intValue }
        if options.repeats == nil { options.repeats = flags["repeat"]?.intValue }
        if options.timeout == nil { options.timeout = flags["timeout"]?.numberValue }
        if options.retries == nil { options.retries = flags["retries"]?.intValue }
        if options.stream == nil { options.stream = flags["stream"]?.boolValue }
        if options.repeatSeed == nil { options.repeatSeed = flags["repeat_seed"]?.stringValue.flatMap(RepeatSeed.init(rawValue:)) }
        if options.backendNames.isEmpty {
            let configured = config.backends.map(\.name)
            options.backendNames = (flags["backend"]?.arrayValue?.compactMap(\.stringValue) ?? []).filter(configured.contains)
        }
        if options.tags.isEmpty { options.tags = flags["tag"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        if options.order.isEmpty { options.order = flags["order"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    }

    /// The run's plan rebuilt from the store (its cases exactly as they were sent) with today's backend
    /// settings, and the work still missing (of the cases in `shard`, for a shard's run).
    static func resumePlan(
        record: RunRecord, store: some RunStore, backends configured: [BackendConfig],
        repeatSeeds: [String: RepeatSeed] = [:], defaultRepeatSeed: RepeatSeed = .fixed, shard: Shard? = nil
    ) throws -> (RunPlan, [WorkItem], [String]) {
        var notes: [String] = []
        var backends: [BackendConfig] = []
        for stored in try store.backends(runID: record.id) {
            // A load balancer's members are asked again through it (and answer under their stored names);
            // they are no backends of the plan, even when a configured backend now has one's name.
            if stored.via != nil { continue }
            guard var backend = configured.first(where: { $0.name == stored.name }) else {
                notes.append("backend '\(stored.name)' is no longer configured; its missing answers stay missing")
                continue
            }
            // The run keeps the model `auto` chose when it started, whatever the server lists today.
            if backend.modelIsAuto {
                backend.model = stored.model
                backend.family = stored.family
            }
            backends.append(backend)
        }
        var plan = RunPlan(backends: backends)
        for c in try store.cases(runID: record.id) {
            plan.cases.append(stored: c, repeatSeed: repeatSeeds[c.suite + "\u{1F}" + c.caseID] ?? defaultRepeatSeed)
        }
        let answered = try store.answeredKeys(runID: record.id)
        var missing: [WorkItem] = []
        for (planned, repeats) in zip(plan.cases, plan.repeatsToSend(in: shard)) {
            for repeatIndex in 0..<repeats {
                for (backendIndex, backend) in backends.enumerated()
                where !answered.contains(ResponseKey(casePosition: planned.position, repeatIndex: repeatIndex, backend: backend.name)) {
                    missing.append(WorkItem(casePosition: planned.position, repeatIndex: repeatIndex, backendIndex: backendIndex))
                }
            }
        }
        return (plan, missing, notes)
    }
}
