/// Joins the stored rows of several runs of one plan (the parts of a run split over machines) into the rows of
/// one run, a few cases at a time, through the store's reads: every response, the answers retries replaced,
/// ai-lb's verdicts, the load balancers' headers and the races. Verdicts are not taken: they are judged again
/// over the joined answers.
///
/// A request (a repeat of a case sent to a backend of the plan; for a load balancer, its members' answers
/// together) is taken from the first part that has a final answer to it. When another part answered it too,
/// its answer must be the same (`ResponseRecord.hasSameContent`): then it is a duplicate, ignored and counted;
/// otherwise the parts conflict, and they cannot be joined. A cancelled answer is no answer (`--resume` asks
/// it again) and is left out.
package struct RunMerge: Sendable {
    /// One part: its store and run.
    package struct Part: Sendable {
        package var store: ResultStore
        package var runID: Int64

        package init(store: ResultStore, runID: Int64) {
            self.store = store
            self.runID = runID
        }
    }

    /// Two parts that answered the same request differently.
    package struct Conflict: Sendable, Hashable {
        package var casePosition: Int
        package var repeatIndex: Int
        /// The backend of the plan the request went to.
        package var backend: String
        /// The indices of the two parts in the order given.
        package var first: Int
        package var second: Int
    }

    /// What joining some cases gave.
    package struct Chunk: Sendable {
        /// The rows to write.
        package var batch = StoreBatch()
        /// Answers found in a later part exactly as in the part they were taken from, left out.
        package var duplicates = 0
        /// Requests answered differently by two parts.
        package var conflicts: [Conflict] = []
    }

    let parts: [Part]
    /// A load balancer's member → the load balancer, over every part.
    let loadBalancerOf: [String: String]
    /// Per part, by case position: the rows of the tables beside `responses`.
    let attempts: [[Int: [ResponseAttemptRecord]]]
    let loadBalancerVerdicts: [[Int: [LoadBalancerVerdictRecord]]]
    let headers: [[Int: [ResponseHeadersRecord]]]
    let races: [[Int: [RaceRecord]]]

    /// Reads what the parts keep beside their responses (rows of load balancers, retries and races: few).
    package init(parts: [Part], members: [BackendRecord]) throws {
        self.parts = parts
        var loadBalancerOf: [String: String] = [:]
        for member in members { if let via = member.via { loadBalancerOf[member.name] = via } }
        self.loadBalancerOf = loadBalancerOf
        attempts = try parts.map { part in
            Dictionary(grouping: try part.store.responseAttempts(runID: part.runID), by: \.response.casePosition)
        }
        loadBalancerVerdicts = try parts.map { part in
            Dictionary(grouping: try part.store.loadBalancerVerdicts(runID: part.runID), by: \.casePosition)
        }
        headers = try parts.map { part in
            Dictionary(grouping: try part.store.responseHeaders(runID: part.runID), by: \.casePosition)
        }
        races = try parts.map { part in Dictionary(grouping: try part.store.races(runID: part.runID), by: \.casePosition) }
    }

    /// The request a stored row answers: its case, repeat and the backend of the plan (a member's load balancer).
    struct Request: Hashable, Comparable {
        var casePosition: Int
        var repeatIndex: Int
        var backend: String

        static func < (a: Request, b: Request) -> Bool {
            (a.casePosition, a.repeatIndex, a.backend) < (b.casePosition, b.repeatIndex, b.backend)
        }
    }

    /// Joins the rows of the cases at `casePositions`.
    package func merge(casePositions: Range<Int>) throws -> Chunk {
        // Per request, per part: the final answers, by the backend that gave them.
        var answers: [Request: [Int: [String: ResponseRecord]]] = [:]
        for (index, part) in parts.enumerated() {
            for response in try part.store.responses(runID: part.runID, casePositions: casePositions)
            where response.errorClass != .cancelled {
                let request = Request(
                    casePosition: response.casePosition, repeatIndex: response.repeatIndex,
                    backend: loadBalancerOf[response.backend] ?? response.backend)
                answers[request, default: [:]][index, default: [:]][response.backend] = response
            }
        }
        var chunk = Chunk()
        var sources: [Request: Int] = [:]
        for request in answers.keys.sorted() {
            let byPart = answers[request]!
            let given = byPart.keys.sorted()
            let source = given[0]
            let taken = byPart[source]!
            sources[request] = source
            chunk.batch.responses += taken.keys.sorted().map { taken[$0]! }
            for other in given.dropFirst() {
                let rows = byPart[other]!
                if Self.same(taken, rows) {
                    chunk.duplicates += rows.count
                } else {
                    chunk.conflicts.append(
                        Conflict(
                            casePosition: request.casePosition, repeatIndex: request.repeatIndex, backend: request.backend,
                            first: source, second: other))
                }
            }
        }
        for position in casePositions {
            addRows(at: position, sources: sources, to: &chunk.batch)
        }
        return chunk
    }

    /// The rows beside the responses of the case at `position`, each from the part its request was taken from:
    /// ai-lb's verdicts and headers with the load balancer's answer, the answers retries replaced with the
    /// request's answer (or, for a request no part answered, from the first part that kept any), and each race
    /// from the first part that ran it.
    private func addRows(at position: Int, sources: [Request: Int], to batch: inout StoreBatch) {
        func source(_ casePosition: Int, _ repeatIndex: Int, _ backend: String) -> Int? {
            sources[Request(casePosition: casePosition, repeatIndex: repeatIndex, backend: loadBalancerOf[backend] ?? backend)]
        }
        for (index, verdicts) in loadBalancerVerdicts.enumerated() {
            batch.loadBalancerVerdicts += (verdicts[position] ?? []).filter {
                source($0.casePosition, $0.repeatIndex, $0.backend) == index
            }
        }
        for (index, headers) in headers.enumerated() {
            batch.responseHeaders += (headers[position] ?? []).filter {
                source($0.casePosition, $0.repeatIndex, $0.backend) == index
            }
        }
        var attemptsFrom: [Request: Int] = [:]
        for (index, attempts) in attempts.enumerated() {
            for attempt in attempts[position] ?? [] {
                let r = attempt.response
                let request = Request(
                    casePosition: r.casePosition, repeatIndex: r.repeatIndex, backend: loadBalancerOf[r.backend] ?? r.backend)
                let from = sources[request] ?? attemptsFrom[request] ?? index
                attemptsFrom[request] = from
                if from == index { batch.attempts.append(attempt) }
            }
        }
        var raced: Set<Int> = []
        for races in races {
            for race in races[position] ?? [] where raced.insert(race.repeatIndex).inserted {
                batch.races.append(race)
            }
        }
    }

    /// Whether two parts' answers to one request are the same, backend by backend.
    static func same(_ a: [String: ResponseRecord], _ b: [String: ResponseRecord]) -> Bool {
        a.count == b.count && a.allSatisfy { backend, response in b[backend].map(response.hasSameContent) ?? false }
    }
}

extension ResponseRecord {
    /// Whether `other` is the same answer: the same success, error class and HTTP status, text, tool calls,
    /// finish reason, correctness and token counts. What differs between two sendings of one request is not
    /// compared: times (latency, time to first token, when it arrived), attempts, the replica's URL, the error's
    /// wording, and the raw body, whose envelope (`id`, `created`) a server makes anew for every answer.
    package func hasSameContent(_ other: ResponseRecord) -> Bool {
        success == other.success && errorClass == other.errorClass && httpStatus == other.httpStatus && text == other.text
            && toolCalls == other.toolCalls && finishReason == other.finishReason && correct == other.correct
            && promptTokens == other.promptTokens && completionTokens == other.completionTokens
            && totalTokens == other.totalTokens
    }
}
