/// The reads a report makes of a stored run. Reports take any `RunReader` rather than the database, so that
/// a run held in memory renders exactly as a stored one; `ResultStore` is the reader of the SQLite file.
///
/// Orders are part of the contract: the reports stream in them and keep only what they summarise.
package protocol RunReader: Sendable {
    /// The run named by `reference`: a run id, or `latest`.
    func run(_ reference: String) throws -> RunRecord
    /// The backends of a run, in config order.
    func backends(runID: Int64) throws -> [BackendRecord]
    /// The cases of a run, in plan order.
    func cases(runID: Int64) throws -> [CaseRecord]
    /// Calls `body` for each case of a run, in plan order, with what `detail` keeps of it (see `StoredCases`).
    func forEachCase(runID: Int64, detail: StoredCases.Detail, _ body: (CaseRecord) throws -> Void) throws
    /// The cases at the given plan positions, in the order asked, whole but for their requests; a position
    /// with no case is left out.
    func cases(runID: Int64, positions: [Int]) throws -> [CaseRecord]
    /// Calls `body` for each response of a run in (case, repeat, backend) order with `columns` filled in.
    func forEachResponse(runID: Int64, columns: ResponseColumns, _ body: (ResponseRecord) throws -> Void) throws
    /// Calls `body` for each verdict of a run in (case, repeat, profile) order.
    func forEachVerdict(runID: Int64, _ body: (VerdictRecord) throws -> Void) throws
    /// Calls `body` for each stored repeat of a case of a run, in (case, repeat) order, with its responses
    /// (`columns` filled in, backend order) and verdicts: one repeat in memory at a time. A repeat with
    /// responses but no verdicts, or verdicts but no responses, is passed too.
    func forEachCaseRepeat(runID: Int64, columns: ResponseColumns, _ body: (StoredCaseRepeat) throws -> Void) throws
    /// The given repeats of cases (responses without their raw bodies), in the order asked.
    func caseRepeats(runID: Int64, keys: [(casePosition: Int, repeatIndex: Int)]) throws -> [StoredCaseRepeat]
    /// The raw bodies of the successful responses to one repeat of one case, by backend.
    func successfulRawBodies(runID: Int64, casePosition: Int, repeatIndex: Int) throws -> [String: String]
    /// The races of a `race` run, in (case, repeat) order.
    func races(runID: Int64) throws -> [RaceRecord]
    /// The response headers a run's load balancers sent, in (case, repeat, backend) order.
    func responseHeaders(runID: Int64) throws -> [ResponseHeadersRecord]
    /// How many of ai-lb's verdicts a run compared with ours, and how many of them differ.
    func loadBalancerVerdictCounts(runID: Int64) throws -> (compared: Int, mismatches: Int)
    /// Calls `body` with each of ai-lb's verdicts of a run beside ours, its case named, in (case, repeat,
    /// backend) order; only those that differ from ours when `onlyMismatches`.
    func forEachLoadBalancerVerdict(
        runID: Int64, onlyMismatches: Bool, _ body: (LoadBalancerDisagreement) throws -> Void) throws
    /// Every (case, repeat, load balancer) where ai-lb's verdict differs from ours, in (case, repeat, backend)
    /// order.
    func loadBalancerDisagreements(runID: Int64) throws -> [LoadBalancerDisagreement]
}

extension RunReader {
    package func forEachCase(runID: Int64, detail: StoredCases.Detail, _ body: (CaseRecord) throws -> Void) throws {
        for record in try cases(runID: runID) { try body(record) }
    }

    package func cases(runID: Int64, positions: [Int]) throws -> [CaseRecord] {
        let wanted = Set(positions)
        var found: [Int: CaseRecord] = [:]
        try forEachCase(runID: runID, detail: .withoutRequests) { if wanted.contains($0.position) { found[$0.position] = $0 } }
        return positions.compactMap { found[$0] }
    }

    /// The cases of a run, packed, with what `detail` keeps of each.
    package func storedCases(runID: Int64, detail: StoredCases.Detail = .all) throws -> StoredCases {
        var cases = StoredCases(detail: detail)
        try forEachCase(runID: runID, detail: detail) { cases.append($0) }
        cases.shrink()
        return cases
    }

    package func loadBalancerDisagreements(runID: Int64) throws -> [LoadBalancerDisagreement] {
        var result: [LoadBalancerDisagreement] = []
        try forEachLoadBalancerVerdict(runID: runID, onlyMismatches: true) { result.append($0) }
        return result
    }
}

extension ResponseColumns {
    /// `record` with only these columns kept, the others read as the database reads them (empty, or nil):
    /// a reader that holds whole records gives reports what `ResultStore` would.
    package func applied(to record: ResponseRecord) -> ResponseRecord {
        var record = record
        switch self {
        case .all:
            break
        case .withoutRawBody:
            record.rawBody = ""
        case .outline:
            record.rawBody = ""
            record.errorMessage = nil
            record.url = ""
            record.receivedAt = ""
        }
        return record
    }
}
