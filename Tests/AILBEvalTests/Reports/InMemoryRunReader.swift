import Foundation

@testable import AILBEval

/// Stored runs held in memory, read as `ResultStore` reads them from SQLite (same orders, same columns left
/// out), so a report renders from it without a database.
struct InMemoryRunReader: RunReader {
    /// One run and its rows, in any order.
    struct Run: Sendable {
        var record: RunRecord
        var backends: [BackendRecord]
        var cases: [CaseRecord]
        var responses: [ResponseRecord] = []
        var verdicts: [VerdictRecord] = []
        var loadBalancerVerdicts: [LoadBalancerVerdictRecord] = []
        var races: [RaceRecord] = []
        var responseHeaders: [ResponseHeadersRecord] = []
    }

    private let runsByID: [Int64: Run]

    init(_ runs: [Run]) {
        runsByID = Dictionary(uniqueKeysWithValues: runs.map { ($0.record.id, $0) })
    }

    private func stored(_ runID: Int64) throws -> Run {
        guard let run = runsByID[runID] else { throw StoreError(message: "memory: no run '\(runID)'") }
        return run
    }

    func run(_ reference: String) throws -> RunRecord {
        if reference == "latest" {
            guard let id = runsByID.keys.max() else { throw StoreError(message: "memory: no runs yet") }
            return try stored(id).record
        }
        guard let id = Int64(reference) else { throw StoreError(message: "memory: no run '\(reference)'") }
        return try stored(id).record
    }

    func backends(runID: Int64) throws -> [BackendRecord] {
        try stored(runID).backends.sorted { $0.position < $1.position }
    }

    func cases(runID: Int64) throws -> [CaseRecord] {
        try stored(runID).cases.sorted { $0.position < $1.position }
    }

    /// Responses in (case, repeat, backend) order, backends compared as SQLite compares text (by bytes).
    private func sortedResponses(_ runID: Int64, columns: ResponseColumns) throws -> [ResponseRecord] {
        try stored(runID).responses.sorted {
            ($0.casePosition, $0.repeatIndex) != ($1.casePosition, $1.repeatIndex)
                ? ($0.casePosition, $0.repeatIndex) < ($1.casePosition, $1.repeatIndex)
                : Array($0.backend.utf8).lexicographicallyPrecedes(Array($1.backend.utf8))
        }.map(columns.applied)
    }

    private func sortedVerdicts(_ runID: Int64) throws -> [VerdictRecord] {
        try stored(runID).verdicts.sorted {
            ($0.casePosition, $0.repeatIndex, $0.profile.rawValue) < ($1.casePosition, $1.repeatIndex, $1.profile.rawValue)
        }
    }

    func forEachResponse(runID: Int64, columns: ResponseColumns, _ body: (ResponseRecord) throws -> Void) throws {
        for response in try sortedResponses(runID, columns: columns) { try body(response) }
    }

    func races(runID: Int64) throws -> [RaceRecord] {
        try stored(runID).races.sorted { ($0.casePosition, $0.repeatIndex) < ($1.casePosition, $1.repeatIndex) }
    }

    func responseHeaders(runID: Int64) throws -> [ResponseHeadersRecord] {
        try stored(runID).responseHeaders.sorted {
            ($0.casePosition, $0.repeatIndex, $0.backend) < ($1.casePosition, $1.repeatIndex, $1.backend)
        }
    }

    func forEachVerdict(runID: Int64, _ body: (VerdictRecord) throws -> Void) throws {
        for verdict in try sortedVerdicts(runID) { try body(verdict) }
    }

    func forEachCaseRepeat(runID: Int64, columns: ResponseColumns, _ body: (StoredCaseRepeat) throws -> Void) throws {
        struct Key: Hashable, Comparable {
            var casePosition: Int
            var repeatIndex: Int
            static func < (a: Key, b: Key) -> Bool { (a.casePosition, a.repeatIndex) < (b.casePosition, b.repeatIndex) }
        }
        var repeats: [Key: StoredCaseRepeat] = [:]
        for response in try sortedResponses(runID, columns: columns) {
            let key = Key(casePosition: response.casePosition, repeatIndex: response.repeatIndex)
            repeats[key, default: StoredCaseRepeat(casePosition: key.casePosition, repeatIndex: key.repeatIndex, responses: [])]
                .responses.append(response)
        }
        for verdict in try sortedVerdicts(runID) {
            let key = Key(casePosition: verdict.casePosition, repeatIndex: verdict.repeatIndex)
            var stored = repeats[key] ?? StoredCaseRepeat(casePosition: key.casePosition, repeatIndex: key.repeatIndex, responses: [])
            switch verdict.profile {
            case .ailb: stored.ailb = verdict
            case .semantic: stored.semantic = verdict
            }
            repeats[key] = stored
        }
        for key in repeats.keys.sorted() { try body(repeats[key]!) }
    }

    func caseRepeats(runID: Int64, keys: [(casePosition: Int, repeatIndex: Int)]) throws -> [StoredCaseRepeat] {
        var all: [String: StoredCaseRepeat] = [:]
        try forEachCaseRepeat(runID: runID, columns: .withoutRawBody) { all["\($0.casePosition)/\($0.repeatIndex)"] = $0 }
        return keys.map {
            all["\($0.casePosition)/\($0.repeatIndex)"]
                ?? StoredCaseRepeat(casePosition: $0.casePosition, repeatIndex: $0.repeatIndex, responses: [])
        }
    }

    func successfulRawBodies(runID: Int64, casePosition: Int, repeatIndex: Int) throws -> [String: String] {
        var bodies: [String: String] = [:]
        for r in try stored(runID).responses
        where r.casePosition == casePosition && r.repeatIndex == repeatIndex && r.success {
            bodies[r.backend] = r.rawBody
        }
        return bodies
    }

    func loadBalancerVerdictCounts(runID: Int64) throws -> (compared: Int, mismatches: Int) {
        let verdicts = try stored(runID).loadBalancerVerdicts
        return (verdicts.count, verdicts.count { !$0.matchesOurs })
    }

    func forEachLoadBalancerVerdict(
        runID: Int64, onlyMismatches: Bool, _ body: (LoadBalancerDisagreement) throws -> Void
    ) throws {
        let run = try stored(runID)
        let cases = Dictionary(uniqueKeysWithValues: run.cases.map { ($0.position, $0) })
        let ordered = run.loadBalancerVerdicts.sorted {
            ($0.casePosition, $0.repeatIndex) != ($1.casePosition, $1.repeatIndex)
                ? ($0.casePosition, $0.repeatIndex) < ($1.casePosition, $1.repeatIndex)
                : Array($0.backend.utf8).lexicographicallyPrecedes(Array($1.backend.utf8))
        }
        for verdict in ordered where !onlyMismatches || !verdict.matchesOurs {
            guard let c = cases[verdict.casePosition] else { continue }
            try body(LoadBalancerDisagreement(suite: c.suite, caseID: c.caseID, verdicts: verdict))
        }
    }
}
