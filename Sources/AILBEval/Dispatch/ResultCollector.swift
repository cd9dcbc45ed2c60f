import Foundation

/// Gathers results, builds rows, judges each repeat of a case once every backend of the plan has answered,
/// and holds rows until the next flush.
///
/// A `kind: ailb` backend's one answer becomes one row per backend behind it (named by `MemberNaming`,
/// added to the run's backends when first seen), or one failed row under its own name when the request
/// failed as a whole. A (case, repeat) is judged over every row: direct backends in config order, each load
/// balancer's members in place of it.
struct ResultCollector: Sendable {
    let plan: RunPlan
    /// The run's mode: how load balancers were asked, and whether they sent a verdict. Both modes are judged.
    let mode: RunMode
    /// Whether to judge each (case, repeat) as it completes (not on resume: verdicts are recomputed then).
    let judge: Bool
    let assessor: CaseAssessor
    var members: MemberRegistry
    /// Each load balancer's naming (by plan index), learning member addresses as answers arrive.
    var namings: [Int: MemberNaming]
    var batch = StoreBatch()
    var pendingRequests = 0
    var waiting: [WorkKey: [[(backend: String, response: BackendResponse)]?]] = [:]
    /// Responses written to the store so far, and how many of them are failures.
    var stored = 0
    var storedErrors = 0
    /// Requests whose final answers are written (a load balancer's answer counts once, however many rows it
    /// gave; a request cancelled by an interrupt is not answered: `--resume` sends it again). The same count
    /// as `ResultStore.answeredRequestCount`, so progress, the interrupt message and `runs` agree.
    var storedRequests = 0
    /// Requests sent again because their stored answer was an error (`--retry-errors`): their rows move to
    /// `response_attempts` when the new answer is written. A retry cut short by an interrupt writes nothing,
    /// so the error stays the answer.
    let retrying: Set<WorkItem>
    /// Retried requests with a new answer, and how many of those succeeded.
    var retriedAnswered = 0
    var retriedSucceeded = 0
    /// Whether the run's requests may be rows of a work queue shared by several workers (`WorkQueueStore`): each
    /// final answer then takes its request's row out of the queue, in the transaction that stores it.
    var tracksWork = false
    /// About this many (case, repeat) pairs wait for the rest of their answers: past twice as many, the oldest
    /// are let go unjudged down to this many (a worker of a shared run: their other answers went to other
    /// workers, and the finalizer judges them). Nil: no limit.
    var waitingLimit: Int?
    /// Whether the batches keep verdicts already stored (`StoreBatch.keepsStoredVerdicts`): a worker's.
    var keepsStoredVerdicts = false

    struct WorkKey: Hashable {
        var casePosition: Int
        var repeatIndex: Int
    }

    init(
        plan: RunPlan, mode: RunMode, judge: Bool, assessor: CaseAssessor, knownMembers: [BackendRecord] = [],
        retrying: Set<WorkItem> = []
    ) {
        self.plan = plan
        self.retrying = retrying
        self.mode = mode
        self.judge = judge
        self.assessor = assessor
        members = MemberRegistry(known: knownMembers, firstPosition: plan.backends.count)
        var namings: [Int: MemberNaming] = [:]
        for (index, backend) in plan.backends.enumerated() where backend.kind == .ailb {
            var naming = MemberNaming(loadBalancer: backend.name, backends: plan.backends)
            naming.learn(stored: knownMembers)
            namings[index] = naming
        }
        self.namings = namings
    }

    var pendingWrites: Int { batch.responses.count + batch.verdicts.count + batch.loadBalancerVerdicts.count }

    mutating func add(_ result: WorkResult) {
        if let race = result.race { batch.races.append(race) }
        let isRetry = retrying.contains(result.item)
        if isRetry && result.response.errorClass == .cancelled {
            // Cut short: the error stored before is still this request's answer.
            pendingRequests += 1
            return
        }
        let expect = plan.cases[result.item.casePosition].expect
        let backend = plan.backends[result.item.backendIndex]
        if result.response.errorClass != .cancelled {
            pendingRequests += 1
            if tracksWork {
                batch.finishedWork.append(
                    ResponseKey(casePosition: result.item.casePosition, repeatIndex: result.item.repeatIndex, backend: backend.name))
            }
        }
        if isRetry {
            batch.retried.append(
                ResponseKey(casePosition: result.item.casePosition, repeatIndex: result.item.repeatIndex, backend: backend.name))
        }
        if backend.kind == .ailb { keepHeaders(of: result, loadBalancer: backend) }
        // ai-lb answers a race with the winner's own completion: it is the load balancer's answer, not its
        // members'.
        let answers: [(backend: String, response: BackendResponse)] =
            backend.kind == .ailb && mode != .race
            ? expand(result, loadBalancer: backend) : [(backend.name, result.response)]
        let receivedAt = ResultStore.timestamp()
        let firstRecord = batch.responses.count
        for answer in answers {
            batch.responses.append(
                assessor.record(
                    for: answer.response, item: result.item, backend: answer.backend, expect: expect,
                    receivedAt: receivedAt))
        }
        if isRetry {
            retriedAnswered += 1
            if batch.responses[firstRecord...].allSatisfy(\.success) { retriedSucceeded += 1 }
        }
        guard judge else { return }
        let key = WorkKey(casePosition: result.item.casePosition, repeatIndex: result.item.repeatIndex)
        var slots = waiting[key] ?? Array(repeating: nil, count: plan.backends.count)
        // Judging needs the raw body (the `ailb` judge reads every digit and code point from it, and votes
        // with the error bodies ai-lb passes on), not the headers: answers that wait for the rest of their
        // repeat do not keep those alive after the batch is written.
        slots[result.item.backendIndex] = answers.map { answer in
            var parked = answer.response
            parked.headers = [:]
            return (answer.backend, parked)
        }
        if slots.allSatisfy({ $0 != nil }) {
            waiting[key] = nil
            batch.verdicts += assessor.verdicts(
                casePosition: key.casePosition, repeatIndex: key.repeatIndex, responses: slots.flatMap { $0! },
                expect: expect)
        } else {
            waiting[key] = slots
            if let limit = waitingLimit, waiting.count > 2 * limit {
                for stale in waiting.keys.sorted(by: { ($0.casePosition, $0.repeatIndex) < ($1.casePosition, $1.repeatIndex) })
                    .prefix(waiting.count - limit)
                {
                    waiting[stale] = nil
                }
            }
        }
    }

    /// The response headers a load balancer sent (`x-…`, which carry its mode, attempted backends, fastest
    /// backend and verdict), with the fastest member its own latencies name, to check the header against.
    mutating func keepHeaders(of result: WorkResult, loadBalancer: BackendConfig) {
        var headers = result.response.headers.filter { $0.key.hasPrefix("x-") }
        guard !headers.isEmpty else { return }
        if mode != .race, let body = result.response.body,
            let fastest = LoadBalancerAnswer.fastestMember(in: body, mode: mode)
        {
            headers[LoadBalancerAnswer.expectedFastestKey] = fastest
        }
        batch.responseHeaders.append(
            ResponseHeadersRecord(
                casePosition: result.item.casePosition, repeatIndex: result.item.repeatIndex, backend: loadBalancer.name,
                headers: headers))
    }

    /// A load balancer's answer as rows: its members' answers in the order of their first appearance in the
    /// run (so a verdict does not depend on the order ai-lb happened to list them in), or its own failure.
    /// Registers new members and, in consensus mode, sets ai-lb's verdict beside ours.
    mutating func expand(_ result: WorkResult, loadBalancer: BackendConfig) -> [(backend: String, response: BackendResponse)] {
        let answer = LoadBalancerAnswer.interpret(
            result.response, mode: mode, naming: namings[result.item.backendIndex]!,
            timeouts: LoadBalancerTimeouts(loadBalancer.ailbOptions))
        if let failure = answer.failure { return [(loadBalancer.name, failure)] }
        for member in answer.members {
            namings[result.item.backendIndex]!.learn(alias: member.alias, address: member.address)
            if let record = members.register(member, via: loadBalancer) { batch.newBackends.append(record) }
        }
        // A failed or cancelled attempt from before a resume gives way to the members' answers.
        batch.superseded.append(
            ResponseKey(casePosition: result.item.casePosition, repeatIndex: result.item.repeatIndex, backend: loadBalancer.name))
        if mode == .consensus {
            batch.loadBalancerVerdicts.append(
                Self.compare(answer, item: result.item, loadBalancer: loadBalancer.name, threshold: assessor.threshold))
        }
        return answer.members.sorted { members.position(of: $0.name) < members.position(of: $1.name) }
            .map { ($0.name, $0.response) }
    }

    /// ai-lb's verdict beside ours over exactly what it judged: its members' answers, in its order, with its
    /// own idea of success. A consensus answer without a verdict is recorded as a difference too.
    static func compare(
        _ answer: LoadBalancerAnswer, item: WorkItem, loadBalancer: String, threshold: Double
    )
        -> LoadBalancerVerdictRecord
    {
        let ours = ConsensusJudge(profile: .ailb, threshold: threshold).verdict(
            answer.members.map(\.asLoadBalancerCandidate))
        let reported =
            answer.verdict
            ?? ReportedVerdict(
                winner: "(missing)", agreementCount: 0, disagreement: false, comparisonType: "(missing)",
                xDisagreement: false)
        return LoadBalancerVerdictRecord(
            casePosition: item.casePosition, repeatIndex: item.repeatIndex, backend: loadBalancer,
            winner: reported.winner, agreementCount: reported.agreementCount, disagreement: reported.disagreement,
            comparisonType: reported.comparisonType, xDisagreement: reported.xDisagreement, oracle: reported.oracle,
            oracleAgreed: reported.oracleAgreed, ours: ours)
    }

    /// What one batch adds to the counts once it is written.
    struct BatchCounts: Sendable {
        var responses = 0
        var errors = 0
        var requests = 0
    }

    /// Hands over the rows gathered since the last call, with what they will count for once written.
    mutating func takeBatch() -> (StoreBatch, BatchCounts) {
        let counts = BatchCounts(
            responses: batch.responses.count, errors: batch.responses.count(where: { !$0.success }),
            requests: pendingRequests)
        defer {
            pendingRequests = 0
            batch = StoreBatch()
        }
        batch.keepsStoredVerdicts = keepsStoredVerdicts
        return (batch, counts)
    }

    /// A batch taken with `takeBatch` is in the store.
    mutating func written(_ counts: BatchCounts) {
        stored += counts.responses
        storedErrors += counts.errors
        storedRequests += counts.requests
    }

    mutating func flush(to store: some RunStore, runID: Int64) throws {
        let (batch, counts) = takeBatch()
        try store.write(runID: runID, batch: batch)
        written(counts)
    }
}

/// The backends found behind load balancers so far: their rows and their order of first appearance.
struct MemberRegistry: Sendable {
    private var positions: [String: Int] = [:]
    private var nextPosition: Int

    /// A registry continuing from `known` members (a resumed run's), numbering new ones after them and
    /// after `firstPosition`.
    init(known: [BackendRecord], firstPosition: Int) {
        for record in known { positions[record.name] = record.position }
        nextPosition = max(firstPosition, (known.map(\.position).max() ?? -1) + 1)
    }

    /// The position of a member (new ones sort last).
    func position(of name: String) -> Int { positions[name] ?? Int.max }

    /// The backend row of `member` when it is seen for the first time, else nil. Family and quant come from
    /// the load balancer's `members:` (by alias, else host:port); the family defaults to the load balancer's.
    mutating func register(_ member: MemberAnswer, via loadBalancer: BackendConfig) -> BackendRecord? {
        guard positions[member.name] == nil else { return nil }
        positions[member.name] = nextPosition
        defer { nextPosition += 1 }
        let described = loadBalancer.ailbOptions?.members
        let info = member.alias.flatMap { described?[$0] } ?? described?[member.address]
        return BackendRecord(
            position: nextPosition, name: member.name, kind: .ailbMember, urls: [member.address],
            model: member.model ?? loadBalancer.model, family: info?.family ?? loadBalancer.family,
            quant: info?.quant ?? "", via: loadBalancer.name)
    }
}
