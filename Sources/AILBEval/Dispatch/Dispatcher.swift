import Foundation

/// One request of a plan: a repeat of a case sent to a backend.
public struct WorkItem: Sendable, Hashable {
    public var casePosition: Int
    public var repeatIndex: Int
    public var backendIndex: Int
}

/// What a backend answered to one work item.
public struct WorkResult: Sendable {
    public var item: WorkItem
    public var response: BackendResponse
    /// On the last result of a race (`--mode race`): how the race ended.
    public var race: RaceRecord? = nil
}

/// Sends a plan's requests concurrently: at most `concurrency` in flight overall and at most a
/// backend's `max_concurrency` to that backend, replicas used round-robin.
public struct Dispatcher: Sendable {
    public var plan: RunPlan
    public var defaults: RunDefaults
    public var client: ChatClient
    /// Environment for `api_key_env` lookups.
    public var environment: [String: String]
    /// The requests on the wire right now, and when each was sent.
    public let inFlight = InFlightRequests()

    public init(plan: RunPlan, defaults: RunDefaults, client: ChatClient, environment: [String: String]) {
        self.plan = plan
        self.defaults = defaults
        self.client = client
        self.environment = environment
    }

    /// Each backend's requests in flight right now, with the timeout they run against (backends with none
    /// are left out).
    public func inFlightBackends() -> [InFlightBackend] {
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
    /// a sender waits in `deliver` until the result is taken, so a slow store slows the senders rather than
    /// piling results up in memory.
    /// Returns when all are done or the task is cancelled (in-flight requests then end as `cancelled`).
    /// The whole plan is walked in place rather than listed: a large run holds no list of its requests.
    public func run(items: [WorkItem]? = nil, deliver: @escaping @Sendable (WorkResult) async -> Void) async {
        switch defaults.mode {
        case .race: await runRaces(items: items, deliver: deliver)
        case .sequence: await runSequences(items: items, deliver: deliver)
        case .all, .consensus: await runIndependently(items: items, deliver: deliver)
        }
    }

    /// `all` and `consensus`: each backend's requests go out on their own, as fast as its slots allow.
    func runIndependently(items: [WorkItem]?, deliver: @escaping @Sendable (WorkResult) async -> Void) async {
        let slots = AsyncSemaphore(permits: max(1, defaults.concurrency))
        await withTaskGroup(of: Void.self) { group in
            for (backendIndex, backend) in plan.backends.enumerated() {
                let queue =
                    items.map { WorkQueue(items: $0, backendIndex: backendIndex) }
                    ?? WorkQueue(plan: plan, backendIndex: backendIndex)
                let workers = min(backend.maxConcurrency ?? defaults.concurrency, defaults.concurrency, queue.count)
                let headers = requestHeaders(for: backend)
                for _ in 0..<max(0, workers) {
                    group.addTask {
                        while !Task.isCancelled, let (item, replica) = queue.next() {
                            await slots.acquire()
                            // Stopped while waiting for a slot: this request was never sent, so it is left
                            // for --resume rather than recorded as cancelled.
                            if Task.isCancelled {
                                await slots.release()
                                break
                            }
                            let token = inFlight.begin(backendIndex: backendIndex)
                            let response = await send(item, backend: backend, replica: replica, headers: headers)
                            inFlight.end(token)
                            await slots.release()
                            await deliver(WorkResult(item: item, response: response))
                        }
                    }
                }
            }
        }
    }

    /// Every item of the plan, case by case so that verdicts complete early.
    public func planItems() -> [WorkItem] {
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

/// A thread-safe cursor over one backend's items, which also hands out replica indices round-robin: either
/// the items of a list that are for the backend, or every repeat of every case of a plan, in plan order.
final class WorkQueue: @unchecked Sendable {
    private enum Source {
        case list([WorkItem])
        case plan(cases: [(position: Int, repeats: Int)])
    }

    private let source: Source
    private let backendIndex: Int
    /// Items handed out so far.
    private var handedOut = 0
    /// Where the next item is looked for: an index into the list, or a case of the plan and its repeat.
    private var nextIndex = 0
    private var nextRepeat = 0
    private let lock = NSLock()
    let count: Int

    /// The items of `items` for backend `backendIndex`, in list order.
    init(items: [WorkItem], backendIndex: Int) {
        source = .list(items)
        self.backendIndex = backendIndex
        count = items.count(where: { $0.backendIndex == backendIndex })
    }

    /// Every repeat of every case of `plan` for backend `backendIndex`, in plan order.
    init(plan: RunPlan, backendIndex: Int) {
        let cases = plan.cases.map { (position: $0.position, repeats: $0.repeats) }
        source = .plan(cases: cases)
        self.backendIndex = backendIndex
        count = cases.reduce(0) { $0 + $1.repeats }
    }

    func next() -> (WorkItem, Int)? {
        lock.lock()
        defer { lock.unlock() }
        let item: WorkItem
        switch source {
        case .list(let items):
            while nextIndex < items.count, items[nextIndex].backendIndex != backendIndex { nextIndex += 1 }
            guard nextIndex < items.count else { return nil }
            item = items[nextIndex]
            nextIndex += 1
        case .plan(let cases):
            while nextIndex < cases.count, nextRepeat >= cases[nextIndex].repeats {
                nextIndex += 1
                nextRepeat = 0
            }
            guard nextIndex < cases.count else { return nil }
            item = WorkItem(casePosition: cases[nextIndex].position, repeatIndex: nextRepeat, backendIndex: backendIndex)
            nextRepeat += 1
        }
        defer { handedOut += 1 }
        return (item, handedOut)
    }
}
