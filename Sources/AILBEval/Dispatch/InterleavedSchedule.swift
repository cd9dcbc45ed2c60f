/// Which request goes out next in `all` and `consensus` runs: backends take turns (round-robin) among those
/// with a free slot of their own (`max_concurrency`) and work left, under the run's `concurrency`, so every
/// backend starts at once and a backend at its own limit leaves the run's other slots to the rest. Each
/// backend's requests go out in plan order.
///
/// Owned by the one task that hands requests out; not shared, so it needs no lock.
struct InterleavedSchedule {
    /// A request to send now: the item and the replica (a backend URL, round-robin) it goes to.
    struct Request {
        var item: WorkItem
        var replica: Int
    }

    private var queues: [WorkQueue]
    /// Requests in flight to each backend at most: its `max_concurrency`, never more than the run's.
    private let backendLimits: [Int]
    private var inFlight: [Int]
    private var exhausted: [Bool]
    private var exhaustedCount = 0
    private var totalInFlight = 0
    /// Answers received but not yet taken by the consumer: bounded, so a slow store slows the senders.
    private var awaitingDelivery = 0
    private let concurrency: Int
    /// The backend whose turn is next.
    private var turn = 0

    /// The schedule of `items` (each backend's in list order), or of the whole plan walked in place.
    init(plan: RunPlan, items: [WorkItem]?, concurrency: Int) {
        let slots = max(1, concurrency)
        self.concurrency = slots
        let backends = plan.backends.indices
        queues = backends.map { index in
            items.map { WorkQueue(items: $0, backendIndex: index) } ?? WorkQueue(plan: plan, backendIndex: index)
        }
        backendLimits = plan.backends.map { max(1, min($0.maxConcurrency ?? slots, slots)) }
        inFlight = Array(repeating: 0, count: plan.backends.count)
        exhausted = queues.map { $0.count == 0 }
        exhaustedCount = exhausted.count(where: { $0 })
    }

    /// Whether every request has been handed out.
    var isFinished: Bool { exhaustedCount == queues.count }

    /// Requests not handed out yet.
    var queued: Int { queues.reduce(0) { $0 + $1.remaining } }

    /// Adds `items` (claimed from a shared queue) after those not handed out yet, each to its backend's queue.
    mutating func append(_ items: [WorkItem]) {
        for index in queues.indices {
            let added = items.filter { $0.backendIndex == index }
            guard !added.isEmpty else { continue }
            queues[index].append(added)
            if exhausted[index] {
                exhausted[index] = false
                exhaustedCount -= 1
            }
        }
    }

    /// The next request to send, if a slot is free: the first backend from the one whose turn it is that has a
    /// free slot and work left. The turn then passes to the backend after it.
    mutating func next() -> Request? {
        guard totalInFlight < concurrency, awaitingDelivery < concurrency, !isFinished else { return nil }
        for offset in 0..<queues.count {
            let backend = (turn + offset) % queues.count
            guard !exhausted[backend], inFlight[backend] < backendLimits[backend] else { continue }
            guard let (item, replica) = queues[backend].next() else {
                exhausted[backend] = true
                exhaustedCount += 1
                continue
            }
            if queues[backend].isEmpty {
                exhausted[backend] = true
                exhaustedCount += 1
            }
            inFlight[backend] += 1
            totalInFlight += 1
            turn = (backend + 1) % queues.count
            return Request(item: item, replica: replica)
        }
        return nil
    }

    /// A request to `backendIndex` has its answer (or was cancelled): its slot is free, its result waits to
    /// be delivered.
    mutating func answered(backendIndex: Int) {
        inFlight[backendIndex] -= 1
        totalInFlight -= 1
        awaitingDelivery += 1
    }

    /// A result was taken by the consumer.
    mutating func delivered() {
        awaitingDelivery -= 1
    }
}

/// A cursor over one backend's items, which also hands out replica indices round-robin: either the items
/// of a list that are for the backend (more may be appended), or every repeat of every case of a plan, in
/// plan order.
struct WorkQueue {
    private enum Source {
        case list([WorkItem])
        case plan(cases: [(position: Int, repeats: Int)])
    }

    private var source: Source
    private let backendIndex: Int
    /// Items handed out so far.
    private var handedOut = 0
    /// Where the next item is looked for: an index into the list, or a case of the plan and its repeat.
    private var nextIndex = 0
    private var nextRepeat = 0
    /// The backend's items in all.
    private(set) var count: Int

    /// The items of `items` for backend `backendIndex`, in list order.
    init(items: [WorkItem], backendIndex: Int) {
        let own = items.filter { $0.backendIndex == backendIndex }
        source = .list(own)
        self.backendIndex = backendIndex
        count = own.count
    }

    /// Items not handed out yet.
    var remaining: Int { count - handedOut }

    /// Adds `items` (all for this backend) to a list's end; the items already handed out are let go.
    mutating func append(_ items: [WorkItem]) {
        guard case .list(let list) = source else { preconditionFailure("a plan's queue is complete") }
        source = .list(Array(list[nextIndex...]) + items)
        nextIndex = 0
        count += items.count
    }

    /// Every repeat of every case of `plan` for backend `backendIndex`, in plan order.
    init(plan: RunPlan, backendIndex: Int) {
        let cases = plan.cases.map { (position: $0.position, repeats: $0.repeats) }
        source = .plan(cases: cases)
        self.backendIndex = backendIndex
        count = cases.reduce(0) { $0 + $1.repeats }
    }

    /// Whether every item has been handed out.
    var isEmpty: Bool { handedOut >= count }

    mutating func next() -> (WorkItem, Int)? {
        let item: WorkItem
        switch source {
        case .list(let items):
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
