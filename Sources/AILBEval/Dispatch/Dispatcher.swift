import Foundation

/// One request of a plan: a repeat of a case sent to a backend.
package struct WorkItem: Sendable, Hashable {
    package var casePosition: Int
    package var repeatIndex: Int
    package var backendIndex: Int
}

/// What a backend answered to one work item.
package struct WorkResult: Sendable {
    package var item: WorkItem
    package var response: BackendResponse
    /// On the last result of a race (`--mode race`): how the race ended.
    package var race: RaceRecord? = nil
}

/// Sends a plan's requests concurrently: at most `concurrency` in flight overall and at most a
/// backend's `max_concurrency` to that backend, replicas used round-robin.
package struct Dispatcher: Sendable {
    package var plan: RunPlan
    package var defaults: RunDefaults
    package var client: ChatClient
    /// Environment for `api_key_env` lookups.
    package var environment: [String: String]
    /// The requests on the wire right now, and when each was sent.
    package let inFlight = InFlightRequests()

    package init(plan: RunPlan, defaults: RunDefaults, client: ChatClient, environment: [String: String]) {
        self.plan = plan
        self.defaults = defaults
        self.client = client
        self.environment = environment
    }

    /// Each backend's requests in flight right now, with the timeout they run against (backends with none
    /// are left out).
    package func inFlightBackends() -> [InFlightBackend] {
        inFlight.sendTimes().sorted { $0.key < $1.key }.map { index, times in
            InFlightBackend(name: plan.backends[index].name, timeout: timeout(for: plan.backends[index]), startTimes: times)
        }
    }

    /// A request's HTTP timeout for `backend`: its own, else the run's; a load balancer's leaves room beyond
    /// its execution timeout.
    func timeout(for backend: BackendConfig) -> Double {
        if let own = backend.timeout { return own }
        guard backend.kind == .ailb else { return defaults.timeout }
        return max(defaults.timeout, (backend.ailbOptions?.executionTimeout ?? AILBOptions.defaultTimeout) + 10)
    }

    /// Sends every item of `items` (default: the whole plan) and hands each result to `deliver` as it arrives;
    /// a sender waits in `deliver` until the result is taken, and no more than `concurrency` results wait at
    /// once, so a slow store slows the senders rather than piling results up in memory.
    /// Returns when all are done or the task is cancelled (in-flight requests then end as `cancelled`).
    /// The whole plan is walked in place rather than listed: a large run holds no list of its requests.
    package func run(items: [WorkItem]? = nil, deliver: @escaping @Sendable (WorkResult) async -> Void) async {
        switch defaults.mode {
        case .race: await runRaces(items: items, deliver: deliver)
        case .sequence: await runSequences(items: items, deliver: deliver)
        case .all, .consensus: await runIndependently(items: items, deliver: deliver)
        }
    }

    /// Sends what `feed` hands out, batch after batch, until it has no more (`all` and `consensus` only: a
    /// race or a sequence needs every backend of a case at once). The next batch is claimed while the last
    /// one's requests are still going, so the run's slots do not wait for the queue.
    package func run(feed: some WorkFeed, deliver: @escaping @Sendable (WorkResult) async -> Void) async {
        precondition(defaults.mode.hasEveryAnswer && defaults.mode != .sequence, "a work feed serves modes all and consensus")
        await runIndependently(items: [], feed: feed, deliver: deliver)
    }

    /// `all` and `consensus`: each backend's requests go out on their own, as fast as its slots allow, the
    /// backends taking turns for the run's slots (`InterleavedSchedule`). One loop hands requests out; each
    /// request is a child task that reports its answer (freeing its slot at once, so the next request goes
    /// out while this result waits for the consumer) and then its delivery. With a `feed`, a child task
    /// claims the next batch (four times the run's slots) whenever fewer than twice its slots are left to hand
    /// out, so that a claim's round trip to the database never leaves a slot idle.
    func runIndependently(
        items: [WorkItem]?, feed: (any WorkFeed)? = nil, deliver: @escaping @Sendable (WorkResult) async -> Void
    ) async {
        var schedule = InterleavedSchedule(plan: plan, items: items, concurrency: defaults.concurrency)
        var feedOpen = feed != nil
        var claiming = false
        let claimSize = max(4 * defaults.concurrency, 32)
        guard !schedule.isFinished || feedOpen else { return }
        let headers = plan.backends.map { requestHeaders(for: $0) }
        let (events, reporter) = AsyncStream.makeStream(of: RequestEvent.self)
        await withDiscardingTaskGroup { group in
            var waiting = events.makeAsyncIterator()
            while true {
                if let feed, feedOpen, !claiming, !Task.isCancelled, schedule.queued < 2 * defaults.concurrency {
                    claiming = true
                    group.addTask { reporter.yield(.claimed(await feed.next(limit: claimSize))) }
                }
                // Once stopped, nothing more is sent: those requests are left for --resume, not recorded as
                // cancelled.
                while !Task.isCancelled, let request = schedule.next() {
                    let backendIndex = request.item.backendIndex
                    let backend = plan.backends[backendIndex]
                    group.addTask {
                        let token = inFlight.begin(backendIndex: backendIndex)
                        let response = await send(request.item, backend: backend, replica: request.replica, headers: headers[backendIndex])
                        inFlight.end(token)
                        reporter.yield(.answered(backendIndex: backendIndex))
                        await deliver(WorkResult(item: request.item, response: response))
                        reporter.yield(.delivered)
                    }
                }
                // Everything handed out: the group waits for the requests still going.
                if (schedule.isFinished && !feedOpen) || Task.isCancelled { break }
                // Ends (nil) when the task is cancelled; the requests in flight are cancelled with it.
                guard let event = await waiting.next() else { break }
                switch event {
                case .answered(let backendIndex): schedule.answered(backendIndex: backendIndex)
                case .delivered: schedule.delivered()
                case .claimed(let items):
                    claiming = false
                    if let items { schedule.append(items) } else { feedOpen = false }
                }
            }
        }
        reporter.finish()
    }

    /// What a request task tells the loop that hands requests out.
    enum RequestEvent: Sendable {
        /// Its answer came (or it was cancelled): its slot is free.
        case answered(backendIndex: Int)
        /// Its result was taken by the consumer.
        case delivered
        /// A batch claimed from the feed; nil: the feed has no more.
        case claimed([WorkItem]?)
    }

    /// Every item of the plan, case by case so that verdicts complete early.
    package func planItems() -> [WorkItem] {
        var items: [WorkItem] = []
        items.reserveCapacity(plan.totalRequests)
        for planned in plan.cases {
            for repeatIndex in 0..<planned.repeats {
                for backendIndex in plan.backends.indices {
                    items.append(WorkItem(casePosition: planned.position, repeatIndex: repeatIndex, backendIndex: backendIndex))
                }
            }
        }
        return items
    }

    func requestHeaders(for backend: BackendConfig) -> [String: String] {
        var headers = backend.headers
        if let variable = backend.apiKeyEnv, let key = environment[variable] {
            headers["Authorization"] = "Bearer \(key)"
        }
        return headers
    }

    func send(_ item: WorkItem, backend: BackendConfig, replica: Int, headers: [String: String]) async -> BackendResponse {
        guard !backend.urls.isEmpty else {
            return BackendResponse(errorClass: .connect, errorMessage: "backend has no URL", latencyMs: 0)
        }
        var body = plan.cases[item.casePosition].requestBody(repeatIndex: item.repeatIndex)
        body["model"] = .string(backend.model)
        if backend.kind == .ailb { return await sendToLoadBalancer(body, backend: backend, replica: replica, headers: headers) }
        let request = ChatRequest(
            baseURL: backend.urls[replica % backend.urls.count], body: .object(body), headers: headers,
            stream: defaults.stream, timeout: timeout(for: backend),
            retry: RetryPolicy(maxRetries: defaults.retries), tls: backend.tls)
        return await client.send(request)
    }
}

extension Dispatcher {
    /// Sends one request to an ai-lb load balancer: never streamed (ai-lb does not parse streamed bodies in
    /// multi-backend modes), and answered by a multi-backend body rather than a chat completion (except in a
    /// race, answered by the winner's own completion). The
    /// request may take ai-lb's whole execution timeout, so the HTTP timeout leaves room beyond it.
    func sendToLoadBalancer(
        _ body: [String: JSONValue], backend: BackendConfig, replica: Int, headers: [String: String]
    ) async -> BackendResponse {
        let request = ChatRequest(
            baseURL: backend.urls[replica % backend.urls.count], body: .object(body),
            headers: headers.merging(LoadBalancerRequest.headers(for: backend, mode: defaults.mode)) { _, new in new },
            stream: false, timeout: timeout(for: backend),
            retry: RetryPolicy(maxRetries: defaults.retries), expectsCompletion: defaults.mode == .race, tls: backend.tls)
        return await client.send(request)
    }
}
