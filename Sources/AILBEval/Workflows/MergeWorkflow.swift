import Foundation
import GRDB

/// `ailb-eval merge`: the parts of a run split over machines (`--shard i/n`, or `--backend` per machine), each
/// stored in its own SQLite file, joined into one run: every backend, every case, every answer, and the
/// verdicts judged again over all of them, as the run would have been on one machine.
package enum MergeWorkflow {
    /// The parts and where the merged run goes.
    package struct Options: Sendable {
        /// The database files of the parts.
        package var inputs: [String]
        /// The database the merged run is stored in (created if needed; it may hold other runs).
        package var into: String
        /// Take from each file its newest run with this run key, not its newest run.
        package var runKey: String?

        package init(inputs: [String], into: String, runKey: String? = nil) {
            self.inputs = inputs
            self.into = into
            self.runKey = runKey
        }
    }

    /// How the merge ended.
    package struct Result: Sendable {
        /// The merged run; nil when an interrupt stopped the merge (nothing is then stored).
        package var runID: Int64?
        /// `completed` when every request of the plan has an answer; `interrupted` when some are missing (or the
        /// merge was stopped); `failed` when no answer succeeded.
        package var status: RunStatus
    }

    /// Cases joined per store transaction.
    static let casesPerChunk = 128

    /// Checks that the inputs are parts of one run, joins them into a new run of `options.into`, judges it and
    /// prints what was merged and the run's summary. Parts that are not of one run, or that answered a request
    /// differently, throw `InputError` before anything is written. A merged run that cannot be finished (the
    /// output fails, an interrupt) is removed again: the output never keeps half a run.
    package static func run(_ options: Options, signals: InterruptSource, output: some WorkflowOutput) throws -> Result {
        try checkPaths(options)
        let inputs = try options.inputs.map { try MergeInput(path: $0, runKey: options.runKey) }
        let first = inputs[0]
        for input in inputs.dropFirst() {
            let reasons = input.differences(from: first)
            if !reasons.isEmpty {
                throw InputError(
                    "cannot merge \(input.name) with \(first.name): they are not parts of one run: "
                        + reasons.joined(separator: "; "))
            }
        }
        let backends = mergedBackends(inputs)
        let cases = try first.store.storedCases(runID: first.run.id)
        for input in inputs.dropFirst() { try checkCases(of: input, against: cases, first: first) }
        let merge = try reading(inputs) {
            try RunMerge(
                parts: inputs.map { RunMerge.Part(store: $0.store, runID: $0.run.id) },
                members: backends.filter { $0.via != nil })
        }
        let positions = 0..<((cases.last?.position ?? -1) + 1)
        // First every case is joined without writing, so that parts that conflict leave the output untouched.
        var duplicates = 0
        var conflicts: [RunMerge.Conflict] = []
        for chunk in stride(from: positions.lowerBound, to: positions.upperBound, by: casesPerChunk) {
            let joined = try reading(inputs) { try merge.merge(casePositions: chunk..<min(chunk + casesPerChunk, positions.upperBound)) }
            duplicates += joined.duplicates
            conflicts += joined.conflicts
        }
        if !conflicts.isEmpty { throw conflictError(conflicts, inputs: inputs, cases: cases) }

        let store = try StoreLocation(options.into, source: "--into").open()
        let planned = backends.filter { $0.via == nil }.map(\.name)
        let repeats = cases.map(\.repeats)
        let (configJSON, configHash) = mergedConfig(inputs, planned: planned)
        let interrupts = InterruptFlag()
        let stopWatching = signals.watch { _ = interrupts.record() }
        defer { stopWatching() }
        let runID = try storing(options.into) {
            try store.createRun(
                mode: first.run.mode, profile: first.run.profile, threshold: first.run.threshold,
                configPath: first.run.configPath, configJSON: configJSON, configHash: configHash,
                suitesJSON: first.run.suitesJSON, plannedRequests: repeats.reduce(0, +) * planned.count, backends: backends,
                cases: cases, runKey: first.run.runKey, shard: nil, startedAt: inputs.map(\.run.startedAt).min())
        }
        let status: RunStatus
        let missing: Int
        var written = 0
        do {
            for chunk in stride(from: positions.lowerBound, to: positions.upperBound, by: casesPerChunk) {
                if interrupts.isSet { throw CancellationError() }
                let joined = try reading(inputs) {
                    try merge.merge(casePositions: chunk..<min(chunk + casesPerChunk, positions.upperBound))
                }
                written += joined.batch.responses.count
                try storing(options.into) { try store.write(runID: runID, batch: joined.batch) }
            }
            for input in inputs { try input.store.finishReading() }
            try storing(options.into) {
                // Judged as `--resume` judges a run: every case repeat from all its stored answers.
                if first.run.mode.hasEveryAnswer {
                    try StoredVerdicts(store: store, assessor: CaseAssessor(threshold: first.run.threshold)).recompute(runID: runID)
                }
            }
            if interrupts.isSet { throw CancellationError() }
            missing = try storing(options.into) {
                try PlannedWork.missingRequests(store: store, runID: runID, repeats: repeats, backends: planned)
            }
            var finished: RunStatus = missing > 0 ? .interrupted : .completed
            if finished == .completed, !repeats.isEmpty, try store.responseCounts(runID: runID).successes == 0 { finished = .failed }
            try storing(options.into) { try store.finishRun(runID, status: finished) }
            status = finished
        } catch {
            try? store.deleteRun(runID)
            if error is CancellationError {
                output.messageLine("Interrupted: nothing was merged into \(options.into).")
                return Result(runID: nil, status: .interrupted)
            }
            throw error
        }

        try output.line("Merged \(inputs.count) run\(inputs.count == 1 ? "" : "s") into run \(runID) of \(options.into):")
        for input in inputs {
            let count = try input.store.responseCounts(runID: input.run.id).total
            try output.line("  \(input.name) · \(input.split) · \(count) responses")
        }
        try output.line(
            "\(written) responses stored; \(duplicates) identical duplicate\(duplicates == 1 ? "" : "s") ignored; "
                + (missing == 0 ? "no work missing." : "\(missing) of \(repeats.reduce(0, +) * planned.count) requests missing."))
        for note in missingWorkNotes(inputs, planned: planned, cases: cases) { try output.line("  \(note)") }
        if missing > 0 {
            try output.line("Finish the merged run with: ailb-eval run --resume \(runID) --db \(options.into)")
        }
        let record = try store.run(String(runID))
        let content = try ReportContent.load(
            store: store, runID: runID, options: ReportOptions(settings: StoredReportSettings(run: record)))
        try output.line("")
        try output.line(RunSummary.render(content))
        if status == .failed { throw RunFailure.noAnswer(runID: runID, errors: try store.firstErrorTexts(runID: runID)) }
        return Result(runID: runID, status: status)
    }

    /// At least one input; the output is none of them (it is written while they are read).
    static func checkPaths(_ options: Options) throws(InputError) {
        guard !options.inputs.isEmpty else {
            throw InputError("merge needs at least one database to merge (merge A.sqlite B.sqlite … --into OUT.sqlite)")
        }
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        let output = resolved(options.into)
        if let input = options.inputs.first(where: { resolved($0) == output }) {
            throw InputError("--into \(options.into) is also an input (\(input)); merge into another file")
        }
    }

    /// The backends of the merged run: the planned backends of every part in the order of the run they are
    /// parts of (config order, after `--order`), then the members found behind load balancers, each once.
    static func mergedBackends(_ inputs: [MergeInput]) -> [BackendRecord] {
        var planned: [BackendRecord] = []
        var members: [BackendRecord] = []
        for input in inputs {
            for backend in input.backends {
                if backend.via == nil {
                    if !planned.contains(where: { $0.name == backend.name }) { planned.append(backend) }
                } else if !members.contains(where: { $0.name == backend.name }) {
                    members.append(backend)
                }
            }
        }
        if let order = inputs[0].unsplit.backends {
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            planned = stableSorted(planned) { rank[$0.name] ?? order.count }
        }
        let plannedRank = Dictionary(uniqueKeysWithValues: planned.enumerated().map { ($1.name, $0) })
        members = stableSorted(members) { plannedRank[$0.via ?? ""] ?? planned.count }
        return (planned + members).enumerated().map { position, backend in
            var backend = backend
            backend.position = position
            return backend
        }
    }

    /// `items` sorted by `rank`, those of equal rank in the order they had.
    static func stableSorted<T>(_ items: [T], by rank: (T) -> Int) -> [T] {
        items.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// Every part stores the whole plan of cases; they must be the same cases, asked the same way.
    static func checkCases(of input: MergeInput, against cases: StoredCases, first: MergeInput) throws {
        var index = 0
        var difference: String?
        try input.store.forEachCase(runID: input.run.id, detail: .all) { record in
            defer { index += 1 }
            guard difference == nil else { return }
            guard index < cases.count else {
                difference = "it has more cases (\(record.suite)/\(record.caseID) at position \(record.position))"
                return
            }
            let ours = cases[index]
            if ours != record {
                let what = ours.suite == record.suite && ours.caseID == record.caseID ? "is asked differently" : "differs"
                difference = "case \(record.position) (\(record.suite)/\(record.caseID)) \(what)"
            }
        }
        if difference == nil, index < cases.count { difference = "it has fewer cases (\(index) of \(cases.count))" }
        if let difference {
            throw InputError("cannot merge \(input.name) with \(first.name): their plans differ: \(difference)")
        }
    }

    /// The refusal for parts that answered the same requests differently: the first few, and how many in all.
    static func conflictError(_ conflicts: [RunMerge.Conflict], inputs: [MergeInput], cases: StoredCases) -> InputError {
        let shown = conflicts.prefix(5).map { c -> String in
            let name = cases.index(ofPosition: c.casePosition).map { "\(cases[$0].suite)/\(cases[$0].caseID)" } ?? "case \(c.casePosition)"
            return "\(name) repeat \(c.repeatIndex + 1) on \(c.backend): \(inputs[c.first].path) and \(inputs[c.second].path)"
        }
        let more = conflicts.count > shown.count ? "; and \(conflicts.count - shown.count) more" : ""
        return InputError(
            "cannot merge: \(conflicts.count) request\(conflicts.count == 1 ? " was" : "s were") answered differently by two "
                + "inputs (the same case, repeat and backend run twice?): " + shown.joined(separator: "; ") + more)
    }

    /// Why work is missing, as far as the inputs tell: shards or backends no input ran.
    static func missingWorkNotes(_ inputs: [MergeInput], planned: [String], cases: StoredCases) -> [String] {
        var notes: [String] = []
        if let count = inputs[0].run.shardCount {
            let present = Set(inputs.compactMap(\.run.shardIndex))
            let absent = (1...max(count, 1)).filter { !present.contains($0) }
            if !absent.isEmpty {
                let names = absent.map { "\($0)/\(count)" }.joined(separator: ", ")
                notes.append("shard\(absent.count == 1 ? "" : "s") \(names) \(absent.count == 1 ? "is" : "are") not among the inputs")
            }
        }
        let unrun = (inputs[0].unsplit.backends ?? []).filter { !planned.contains($0) }
        if !unrun.isEmpty {
            notes.append(
                "no input ran backend\(unrun.count == 1 ? "" : "s") \(unrun.joined(separator: ", ")) of the config; "
                    + "the merged run is of \(planned.joined(separator: ", "))")
        }
        return notes
    }

    /// The config snapshot and hash of the merged run. Parts of one run split by shard stored the same snapshot;
    /// parts split by `--backend` each list their own backends: the merged run lists them all, as a run of those
    /// backends would (and `--backend` only when they are not all the config has), so that `--resume` of the
    /// merged run finds its config unchanged.
    static func mergedConfig(_ inputs: [MergeInput], planned: [String]) -> (json: String, hash: String) {
        let first = inputs[0].run
        guard inputs.contains(where: { $0.plannedBackends != planned }),
            case .object(var object)? = try? JSONValue(parsing: first.configJSON)
        else { return (first.configJSON, first.configHash) }
        var snapshots: [String: JSONValue] = [:]
        for input in inputs {
            for backend in (try? JSONValue(parsing: input.run.configJSON))?["backends"]?.arrayValue ?? [] {
                if let name = backend["name"]?.stringValue, snapshots[name] == nil { snapshots[name] = backend }
            }
        }
        object["backends"] = .array(planned.compactMap { snapshots[$0] })
        var flags = object["flags"]?.objectValue ?? [:]
        let everyBackend = inputs[0].unsplit.backends.map { Set($0) == Set(planned) } ?? false
        flags["backend"] = everyBackend ? nil : .array(planned.map { .string($0) })
        object["flags"] = flags.isEmpty ? nil : .object(flags)
        var compared = object
        compared["report"] = nil
        compared["unsplit"] = nil
        return (JSONValue.object(object).compactText, SHA256.hex(Array(JSONValue.object(compared).compactText.utf8)))
    }

    /// `body`, with a failing read of an input reported as that store's failure.
    static func reading<T>(_ inputs: [MergeInput], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(
                message: "reading \(inputs.map(\.path).joined(separator: ", ")) failed: \(error.message ?? "\(error)")")
        }
    }

    /// `body`, with a failing write to the output reported as the store's failure (exit 3).
    static func storing<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(
                message:
                    "\(path): storing the merged run failed: \(error.message ?? "\(error)") (SQLite error \(error.resultCode.rawValue))")
        }
    }
}
