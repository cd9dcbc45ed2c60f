import Foundation

/// Why a run could not be carried out at all (exit code 3).
package struct RunFailure: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(message: String) { self.message = message }
    package var description: String { message }
}

/// The result of a finished run. Its reports are read from the store afterwards, in one pass.
package struct RunOutcome: Sendable {
    package var runID: Int64
    package var status: RunStatus
    package var elapsedSeconds: Double
    /// For `--resume --retry-errors`: what became of the requests sent again.
    package var retries: RetryOutcome? = nil
    /// For one worker of a shared run: what its part came to, and how many requests it answered.
    package var worker: WorkerOutcome? = nil
    package var workerAnswers = 0
}

/// What became of the requests a resumed run sent again because they had ended in an error.
package struct RetryOutcome: Sendable, Equatable {
    /// Requests chosen to be sent again.
    package var planned: Int
    /// Of those, the ones that have a new answer (an interrupt may stop the others; their errors stand).
    package var answered: Int
    /// Of those, the ones that succeeded this time (a load balancer's: every member answered).
    package var succeeded: Int

    package init(planned: Int, answered: Int, succeeded: Int) {
        self.planned = planned
        self.answered = answered
        self.succeeded = succeeded
    }

    /// "Retried 5 requests that had ended in an error: 4 succeeded this time, 1 failed again."
    package var summary: String {
        let failedAgain = answered - succeeded
        var text =
            "Retried \(answered) request\(answered == 1 ? "" : "s") that had ended in an error: \(succeeded) succeeded this time, "
            + "\(failedAgain) failed again."
        if planned > answered {
            let left = planned - answered
            text +=
                " \(left) \(left == 1 ? "was" : "were") not sent again (interrupted); \(left == 1 ? "its error stands" : "their errors stand")."
        }
        return text
    }
}

/// Carries out a prepared run: serves mock backends, dispatches every request, stores each response as
/// it arrives, judges each repeat of a case as soon as all its responses are in, and finishes the run.
package struct EvalRun: Sendable {
    package var prepared: PreparedRun
    package var store: any RunStore
    package var progress: ProgressReporter?
    /// Backends already started by the caller (`PreparedRun.startBackends()`); nil: the run starts them
    /// itself and stops them when it ends. A caller that passes them stops them.
    package var started: StartedBackends?
    /// Set when this process is one worker of several finishing one run in a shared database: the run is
    /// joined (or created) by its key, and its requests are claimed from the run's work queue.
    package var workers: WorkerSettings?

    /// A run of `prepared` storing into `store`.
    package init(
        prepared: PreparedRun, store: any RunStore, progress: ProgressReporter?, started: StartedBackends? = nil,
        workers: WorkerSettings? = nil
    ) {
        self.prepared = prepared
        self.store = store
        self.progress = progress
        self.started = started
        self.workers = workers
    }

    enum Event: Sendable {
        case result(WorkResult)
        case tick
    }

    /// Runs to completion (or until the task is cancelled, which marks the run interrupted). A prepared
    /// resumption finishes its stored run instead: same id, only the missing requests, then every verdict
    /// recomputed from the stored responses.
    ///
    /// Cancellation stops new requests and cancels those in flight; their `cancelled` answers are still
    /// stored (the loop that stores results is not cancelled with the run), then the run is marked interrupted.
    ///
    /// A database that fails while the run stores into it (a full disk, a file removed or locked, a server
    /// gone) throws `StoreError` with the database's message: the run cannot be carried out, which is not a
    /// failed gate.
    package func execute() async throws -> RunOutcome {
        do {
            return try await carryOut()
        } catch {
            throw store.storingFailure(error) ?? error
        }
    }

    private func carryOut() async throws -> RunOutcome {
        let started = Date()
        var plan = prepared.plan
        let backends: StartedBackends
        if let given = self.started {
            backends = given
        } else {
            backends = try await prepared.startBackends()
        }
        defer { if self.started == nil { Task { await backends.stop() } } }
        plan.backends = backends.backends

        let runID: Int64
        var joinedExisting = false
        if let workers, let key = prepared.options.runKey {
            let joined = try joinSharedRun(plan, key: key, store: workers.store)
            runID = joined.runID
            joinedExisting = !joined.created
        } else if let resumption = prepared.resumption {
            runID = resumption.runID
            try store.reopenRun(runID)
        } else {
            runID = try createRun(plan)
        }
        let claims = workers.map { workers in
            WorkerClaims(
                store: workers.store, runID: runID, worker: workers.worker, plan: plan, serving: workers.serving,
                shard: workers.shard, leaseSeconds: workers.leaseSeconds)
        }
        let client = ChatClient.forRun(
            backends: plan.backends, concurrency: prepared.config.defaults.concurrency,
            maxResponseBytes: prepared.config.limits.maxResponseBytes)
        defer { client.invalidate() }
        let dispatcher = Dispatcher(
            plan: plan, defaults: prepared.config.defaults, client: client, environment: prepared.environment)
        // A resumption sends what is missing (and with --retry-errors what failed), in plan order; a shard the
        // requests of its share; a new run walks its whole plan without listing it.
        let shard = prepared.options.shard
        let items =
            prepared.resumption.map { resumption in
                (resumption.missing + resumption.retried).sorted {
                    ($0.casePosition, $0.repeatIndex, $0.backendIndex) < ($1.casePosition, $1.repeatIndex, $1.backendIndex)
                }
            } ?? shard.map { plan.workItems(in: $0) }

        // Bounded: senders wait once as many results are queued as requests may be in flight, so results never
        // pile up in memory faster than the store writes them. A send is not cancelled by an interrupt: a
        // request it cut short is still recorded (as cancelled).
        let events = ResultQueue<Event>(capacity: prepared.config.defaults.concurrency)
        let dispatch = Task {
            let deliver: @Sendable (WorkResult) async -> Void = { result in await events.send(.result(result)) }
            if let claims {
                let renewing = Task { await claims.renewLeases() }
                await dispatcher.run(feed: claims, deliver: deliver)
                renewing.cancel()
            } else {
                await dispatcher.run(items: items, deliver: deliver)
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                await events.send(.tick)
            }
        }
        let finisher = Task {
            await dispatch.value
            ticker.cancel()
            events.finish()
        }

        let assessor = CaseAssessor(threshold: prepared.config.consensus.threshold)
        // Every mode that has every answer is judged: `all`, `sequence` and `consensus` differ only in how the
        // answers are asked for. A race has only its winner's answer, so it is scored, not judged. Verdicts
        // of a resumed run need the answers stored before the interruption: they are recomputed from the
        // store at the end rather than judged as results arrive.
        let runMode = prepared.config.defaults.mode
        // A worker of a shared run judges the case repeats it answered in full (for every backend) and keeps
        // no more than a bounded number waiting: those whose answers come from several workers are judged
        // by the finalizer.
        let judgeLive = prepared.resumption == nil && runMode.hasEveryAnswer && (claims?.servesAll ?? true)
        let store = self.store
        let progress = self.progress
        // Progress counts answered requests of the whole run, as `ailb-eval runs` and the interrupt message
        // do: a resumed run starts from those answered before.
        let total = prepared.resumption?.planned ?? plan.requestCount(in: shard)
        // Requests sent again count once their new answer is stored (or their retry is cut short).
        let retrying = Set(prepared.resumption?.retried ?? [])
        let answeredBefore =
            prepared.resumption == nil && !joinedExisting ? 0 : try store.answeredRequestCount(runID: runID) - retrying.count
        let runPlan = plan
        let knownMembers = try store.backends(runID: runID).filter { $0.via != nil }
        // The one writer of the run: it gathers rows and writes each batch on the database's queue while it
        // gathers the next (at most one batch in flight).
        let consumer = Task {
            var collector = ResultCollector(
                plan: runPlan, mode: runMode, judge: judgeLive, assessor: assessor, knownMembers: knownMembers,
                retrying: retrying)
            // Also when this process resumes a shared run alone: the workers that come later must not find
            // what it answered still in the queue.
            collector.tracksWork = store is any WorkQueueStore
            if claims != nil {
                collector.waitingLimit = 4 * prepared.config.defaults.concurrency + 1024
                collector.keepsStoredVerdicts = true
            }
            var writing: Task<ResultCollector.BatchCounts, any Error>?
            func finishWriting() async throws {
                guard let pending = writing else { return }
                writing = nil
                collector.written(try await pending.value)
            }
            var lastFlush = Date()
            while let arrived = await events.next() {
                for event in arrived {
                    if case .result(let result) = event { collector.add(result) }
                    guard collector.pendingWrites >= 256 || Date().timeIntervalSince(lastFlush) >= 0.1 else { continue }
                    try await finishWriting()
                    let (batch, counts) = collector.takeBatch()
                    writing = Task {
                        try await store.write(runID: runID, batch: batch)
                        return counts
                    }
                    lastFlush = Date()
                    // Progress counts stored responses only: what it shows as done survives a crash.
                    progress?.update(
                        done: answeredBefore + collector.storedRequests, total: total, errors: collector.storedErrors,
                        inFlight: dispatcher.inFlightBackends())
                }
            }
            try await finishWriting()
            try collector.flush(to: store, runID: runID)
            return collector
        }
        let interrupted = BackendLockedState(false)
        let collector: ResultCollector
        do {
            collector = try await withTaskCancellationHandler {
                try await consumer.value
            } onCancel: {
                interrupted.write { $0 = true }
                dispatch.cancel()
            }
            _ = await finisher.value
        } catch {
            dispatch.cancel()
            // Nobody takes results any more: finishing the channel releases the senders waiting in it.
            events.finish()
            if let workers {
                // The run is not this worker's alone: others go on with it, and take over what it claimed.
                try? workers.store.requireRejudging(runID: runID)
                try? workers.store.releaseLeases(runID: runID, worker: workers.worker)
                workers.store.leaveRun(runID)
            } else {
                try? store.finishRun(runID, status: .failed)
            }
            throw error
        }
        progress?.finish(done: answeredBefore + collector.storedRequests, total: total, errors: collector.storedErrors)
        if let workers, let claims {
            return try finishPart(
                of: runID, workers: workers, claims: claims, stopped: interrupted.read({ $0 }) || Task.isCancelled,
                answered: collector.storedRequests, plan: plan, assessor: assessor, total: total, started: started)
        }
        if prepared.resumption != nil, runMode.hasEveryAnswer {
            try StoredVerdicts(store: store, assessor: assessor).recompute(runID: runID)
        }
        let missing = try remainingWork(runID: runID, plan: plan)
        var status: RunStatus = interrupted.read({ $0 }) || Task.isCancelled || missing > 0 ? .interrupted : .completed
        // Every request answered and not one answer usable: the run could not be carried out. (A shard whose
        // share holds no case had nothing to ask.)
        if status == .completed, total > 0, try store.responseCounts(runID: runID).successes == 0 { status = .failed }
        try store.finishRun(runID, status: status)
        let retries =
            retrying.isEmpty
            ? nil
            : RetryOutcome(planned: retrying.count, answered: collector.retriedAnswered, succeeded: collector.retriedSucceeded)
        return RunOutcome(
            runID: runID, status: status, elapsedSeconds: Date().timeIntervalSince(started), retries: retries)
    }

    /// Ends this worker's part in a shared run: gives back what it claimed and did not answer, then, if no work
    /// is left and nobody did before, finalizes the run (verdicts from every stored answer, and its status).
    func finishPart(
        of runID: Int64, workers: WorkerSettings, claims: WorkerClaims, stopped: Bool, answered: Int, plan: RunPlan,
        assessor: CaseAssessor, total: Int, started: Date
    ) throws -> RunOutcome {
        let queue = workers.store
        if stopped || claims.error != nil {
            // Its verdicts may have been judged with answers cut short, which others answer again: said before
            // its claims go back, so that no finalizer can keep those verdicts.
            try queue.requireRejudging(runID: runID)
        }
        try queue.releaseLeases(runID: runID, worker: workers.worker)
        if let error = claims.error {
            queue.leaveRun(runID)
            throw error
        }
        var outcome = RunOutcome(runID: runID, status: .running, elapsedSeconds: Date().timeIntervalSince(started))
        outcome.workerAnswers = answered
        if stopped {
            queue.leaveRun(runID)
            outcome.status = .interrupted
            outcome.worker = .stopped
            return outcome
        }
        switch try queue.claimFinalization(runID: runID, worker: workers.worker) {
        case .won:
            // Members behind a load balancer are numbered by each worker as it meets them: their order, which a
            // verdict depends on, is settled only in the store.
            let loadBalanced = plan.backends.contains { $0.kind == .ailb }
            outcome.status = try Self.finalize(
                runID: runID, store: queue, assessor: assessor, planned: total,
                keepLiveVerdicts: !loadBalanced && !(try queue.mustRejudge(runID: runID)))
            outcome.worker = .finalized
        case .workLeft(let left):
            queue.leaveRun(runID)
            outcome.worker = .workLeft(left)
        case .finalizedBy(let other):
            queue.leaveRun(runID)
            outcome.status = try queue.run(String(runID)).status
            outcome.worker = .finalizedBy(other)
        }
        outcome.elapsedSeconds = Date().timeIntervalSince(started)
        return outcome
    }

    /// Computes a run's verdicts from every stored answer (with `keepLiveVerdicts`, of the case repeats that
    /// have none yet) and marks it finished: completed, interrupted when requests are left without an answer,
    /// or failed when not one answer is usable. Returns the status.
    package static func finalize(
        runID: Int64, store: some RunStore, assessor: CaseAssessor, planned: Int, keepLiveVerdicts: Bool = false
    ) throws -> RunStatus {
        let record = try store.run(String(runID))
        if record.mode.hasEveryAnswer {
            try StoredVerdicts(store: store, assessor: assessor).recompute(runID: runID, onlyMissing: keepLiveVerdicts)
        }
        let answered = try store.answeredRequestCount(runID: runID)
        var status: RunStatus = answered < planned ? .interrupted : .completed
        if status == .completed, planned > 0, try store.responseCounts(runID: runID).successes == 0 { status = .failed }
        try store.finishRun(runID, status: status)
        return status
    }

    /// Requests of the run's plan (of its share, for a shard) that still have no final answer in the store.
    func remainingWork(runID: Int64, plan: RunPlan) throws -> Int {
        try PlannedWork.missingRequests(
            store: store, runID: runID, repeats: plan.repeatsToSend(in: prepared.options.shard),
            backends: plan.backends.map(\.name))
    }

    func createRun(_ plan: RunPlan) throws -> Int64 {
        let (run, cases) = newRun(plan)
        return try store.createRun(
            mode: run.mode, profile: run.profile, threshold: run.threshold, configPath: run.configPath,
            configJSON: run.configJSON, configHash: run.configHash, suitesJSON: run.suitesJSON,
            plannedRequests: run.plannedRequests, backends: run.backends, cases: cases, runKey: run.runKey, shard: run.shard,
            startedAt: nil)
    }

    /// The run as the store records it, and its cases, made one at a time as they are written (the plan holds
    /// its cases packed, and so does the store).
    func newRun(_ plan: RunPlan) -> (NewRun, LazyMapSequence<PlannedCases, CaseRecord>) {
        let snapshot = prepared.configSnapshot.compactText
        let suites = JSONValue.array(
            prepared.suites.map {
                ["name": .string($0.name), "path": .string($0.path), "sha256": .string($0.contentHash), "cases": .int($0.cases.count)]
            })
        let backends = plan.backends.enumerated().map { position, b in
            BackendRecord(
                position: position, name: b.name, kind: b.kind, urls: b.urls.map(ChatClient.redacted), model: b.model,
                family: b.family, quant: b.quant)
        }
        let run = NewRun(
            mode: prepared.config.defaults.mode, profile: prepared.config.consensus.profile,
            threshold: prepared.config.consensus.threshold, configPath: prepared.config.sourcePath,
            configJSON: prepared.storedConfigJSON, configHash: SHA256.hex(Array(snapshot.utf8)), suitesJSON: suites.compactText,
            plannedRequests: plan.requestCount(in: prepared.options.shard), backends: backends, runKey: prepared.options.runKey,
            shard: prepared.options.shard, startedAt: nil)
        return (run, plan.cases.lazy.map(\.record))
    }
}
