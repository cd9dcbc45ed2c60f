import Foundation

extension Dispatcher {
    /// How many races run at once: a race puts one request on every backend of the case repeat, so the run's
    /// concurrency is shared among them (at least one race), and no backend gets more races than its own
    /// `max_concurrency`.
    var racesAtOnce: Int {
        let backends = max(1, plan.backends.count)
        let perBackend = plan.backends.compactMap(\.maxConcurrency).min() ?? Int.max
        return max(1, min(defaults.concurrency / backends, perBackend))
    }

    /// `race`: every backend of a case repeat gets the request at once; the first success wins and the others
    /// are cancelled (answered `cancelled_by_race`, with the time they had run). A failure does not win: the
    /// race goes on among the rest — except an error body ai-lb would pass on as its answer (see `race`). Each race's results are delivered together, in config order, the last
    /// one carrying how the race ended.
    func runRaces(items: [WorkItem]?, deliver: @escaping @Sendable (WorkResult) async -> Void) async {
        let queue = CaseRepeatQueue(plan: plan, items: items)
        let replicas = ReplicaCounter(backends: plan.backends.count)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<racesAtOnce {
                group.addTask {
                    while !Task.isCancelled, let race = queue.next() {
                        let results = await self.race(race, replicas: replicas)
                        for result in results { await deliver(result) }
                    }
                }
            }
        }
    }

    /// Runs one race and returns every racer's result, in config order; the last carries the race's end.
    func race(_ items: [WorkItem], replicas: ReplicaCounter) async -> [WorkResult] {
        var responses: [Int: BackendResponse] = [:]
        var winner: (index: Int, latencyMs: Double)?
        var stillRunning: Set<Int> = []
        await withTaskGroup(of: (Int, BackendResponse).self) { group in
            for (index, item) in items.enumerated() {
                let backend = plan.backends[item.backendIndex]
                let replica = replicas.next(item.backendIndex)
                let headers = requestHeaders(for: backend)
                group.addTask {
                    let token = inFlight.begin(backendIndex: item.backendIndex)
                    defer { inFlight.end(token) }
                    return (index, await send(item, backend: backend, replica: replica, headers: headers))
                }
            }
            for await (index, response) in group {
                var response = response
                if let winner, response.errorClass == .cancelled, stillRunning.contains(index) {
                    let winnerName = plan.backends[items[winner.index].backendIndex].name
                    response.errorClass = .cancelledByRace
                    response.errorMessage =
                        "cancelled after \(Self.milliseconds(response.latencyMs)): \(winnerName) won the race"
                }
                responses[index] = response
                // What ai-lb's race takes as a success wins: a completion, but also an HTTP 4xx error body
                // (not 404) or a 2xx body that is no completion, which ai-lb passes on; a 5xx, 404, 429, timeout
                // or refused connection does not, and the race goes on among the rest.
                let endsRace =
                    response.errorClass == nil
                    || LoadBalancerVote.passesOn(
                        errorClass: response.errorClass, httpStatus: response.httpStatus, errorMessage: response.errorMessage)
                guard winner == nil, endsRace else { continue }
                winner = (index, response.latencyMs)
                stillRunning = Set(items.indices).subtracting(responses.keys)
                group.cancelAll()
            }
        }
        var results = items.indices.map { WorkResult(item: items[$0], response: responses[$0]!) }
        guard let last = results.indices.last else { return results }
        // An interrupt that stopped the race before anyone won leaves it to `--resume`, unrecorded.
        let interrupted = winner == nil && results.contains { $0.response.errorClass == .cancelled }
        if !interrupted {
            var record = RaceRecord(
                casePosition: items[0].casePosition, repeatIndex: items[0].repeatIndex,
                winner: winner.map { plan.backends[items[$0.index].backendIndex].name }, winnerLatencyMs: winner?.latencyMs,
                stillRunning: stillRunning.sorted().map { plan.backends[items[$0].backendIndex].name })
            if let winner, case let backend = plan.backends[items[winner.index].backendIndex], backend.kind == .ailb {
                record.identifyMember(
                    model: responses[winner.index]?.body?["model"]?.stringValue, loadBalancer: backend, among: plan.backends)
            }
            results[last].race = record
        }
        return results
    }

    /// `sequence`: one request on the wire at a time over the whole run, each case repeat's backends one
    /// after another in the run's order, so that no latency is measured while another backend works.
    func runSequences(items: [WorkItem]?, deliver: @escaping @Sendable (WorkResult) async -> Void) async {
        let queue = CaseRepeatQueue(plan: plan, items: items)
        let replicas = ReplicaCounter(backends: plan.backends.count)
        while !Task.isCancelled, let chain = queue.next() {
            for item in chain {
                guard !Task.isCancelled else { return }
                let backend = plan.backends[item.backendIndex]
                let token = inFlight.begin(backendIndex: item.backendIndex)
                let response = await send(
                    item, backend: backend, replica: replicas.next(item.backendIndex), headers: requestHeaders(for: backend))
                inFlight.end(token)
                await deliver(WorkResult(item: item, response: response))
            }
        }
    }

    static func milliseconds(_ value: Double) -> String {
        value >= 1000 ? String(format: "%.2f s", value / 1000) : String(format: "%.0f ms", value)
    }
}

/// A thread-safe cursor over the case repeats of a run, each handed out with its work items in backend
/// order: every backend of every repeat of a plan, or the given items grouped by case repeat.
final class CaseRepeatQueue: @unchecked Sendable {
    private let plan: RunPlan
    private let items: [WorkItem]?
    private var nextIndex = 0
    private var nextRepeat = 0
    private let lock = NSLock()

    /// `items` must be in (case, repeat, backend) order.
    init(plan: RunPlan, items: [WorkItem]?) {
        self.plan = plan
        self.items = items
    }

    func next() -> [WorkItem]? {
        lock.lock()
        defer { lock.unlock() }
        if let items {
            guard nextIndex < items.count else { return nil }
            let first = items[nextIndex]
            var group: [WorkItem] = []
            while nextIndex < items.count, items[nextIndex].casePosition == first.casePosition,
                items[nextIndex].repeatIndex == first.repeatIndex
            {
                group.append(items[nextIndex])
                nextIndex += 1
            }
            return group
        }
        while nextIndex < plan.cases.count, nextRepeat >= plan.cases[nextIndex].repeats {
            nextIndex += 1
            nextRepeat = 0
        }
        guard nextIndex < plan.cases.count else { return nil }
        let position = plan.cases[nextIndex].position
        let repeatIndex = nextRepeat
        nextRepeat += 1
        return plan.backends.indices.map { WorkItem(casePosition: position, repeatIndex: repeatIndex, backendIndex: $0) }
    }
}

/// Hands out each backend's replica indices round-robin, from any task.
final class ReplicaCounter: @unchecked Sendable {
    private var counts: [Int]
    private let lock = NSLock()

    init(backends: Int) { counts = Array(repeating: 0, count: backends) }

    func next(_ backendIndex: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        defer { counts[backendIndex] += 1 }
        return counts[backendIndex]
    }
}
