import Foundation

/// Recomputes a run's verdicts from its stored responses, as `--resume` does once the missing work is in:
/// the verdict of a (case, repeat) must see every backend's answer, including those from before the
/// interruption.
package struct StoredVerdicts: Sendable {
    package var store: any RunStore
    package var assessor: CaseAssessor

    /// A rebuilder over `store` judging with `assessor`'s threshold.
    package init(store: any RunStore, assessor: CaseAssessor) {
        self.store = store
        self.assessor = assessor
    }

    /// Judges every (case, repeat) of the run that has an answer from each of its backends and replaces its
    /// verdict rows; returns how many (case, repeat) pairs were judged. A load balancer has answered when
    /// one of its members has, or it has a row of its own (its whole request failed); its members' answers
    /// take its place in the order, as when the run judged them live. With `onlyMissing`, the (case, repeat)
    /// pairs that have verdicts keep them (workers of a shared run judged those as they went).
    @discardableResult
    package func recompute(runID: Int64, onlyMissing: Bool = false) throws -> Int {
        var judged = Set<[Int]>()
        if onlyMissing { try store.forEachVerdict(runID: runID) { judged.insert([$0.casePosition, $0.repeatIndex]) } }
        let records = try store.backends(runID: runID)
        let members = Dictionary(grouping: records.filter { $0.via != nil }, by: { $0.via! })
            .mapValues { $0.sorted { ($0.position, $0.name) < ($1.position, $1.name) }.map(\.name) }
        let planned = records.filter { $0.via == nil }.sorted { $0.position < $1.position }
        let cases = try store.cases(runID: runID)
        // Every case repeat judged already: the answers need not be read.
        if onlyMissing, judged.count == cases.reduce(0, { $0 + $1.repeats }) { return 0 }
        let expectations = cases.reduce(into: [Int: Expectation]()) { result, c in
            if let text = c.expectJSON, let value = try? JSONValue(parsing: text) {
                result[c.position] = ExpectationJSON.decode(value)
            }
        }
        var verdicts: [VerdictRecord] = []
        var current: (key: (Int, Int), responses: [String: BackendResponse])?
        func judge() {
            guard let (key, responses) = current, !judged.contains([key.0, key.1]) else { return }
            var ordered: [(String, BackendResponse)] = []
            for backend in planned {
                let answered = (members[backend.name] ?? []).compactMap { name in responses[name].map { (name, $0) } }
                if !answered.isEmpty {
                    ordered += answered
                } else if let own = responses[backend.name] {
                    ordered.append((backend.name, own))
                } else {
                    return
                }
            }
            verdicts += assessor.verdicts(
                casePosition: key.0, repeatIndex: key.1, responses: ordered, expect: expectations[key.0])
        }
        try store.forEachResponse(runID: runID) { record in
            let key = (record.casePosition, record.repeatIndex)
            if let existing = current, existing.key != key {
                judge()
                current = nil
            }
            if current == nil { current = (key, [:]) }
            // A cancelled answer is work still to do, not an answer.
            guard record.errorClass != .cancelled else { return }
            current?.responses[record.backend] = Self.response(from: record)
        }
        judge()
        for start in stride(from: 0, to: verdicts.count, by: 512) {
            try store.write(runID: runID, responses: [], verdicts: Array(verdicts[start..<min(start + 512, verdicts.count)]))
        }
        return verdicts.count / max(1, EquivalenceProfile.allCases.count)
    }

    /// A stored response as the judge needs it: success, latency and the completion body re-read from the raw
    /// body (a JSON completion, or the event stream it was assembled from).
    static func response(from record: ResponseRecord) -> BackendResponse {
        var response = BackendResponse(
            errorClass: record.errorClass, errorMessage: record.errorMessage, httpStatus: record.httpStatus,
            latencyMs: record.latencyMs, ttftMs: record.ttftMs, rawBody: record.rawBody, attempts: record.attempts,
            url: record.url)
        guard record.success else {
            if response.errorClass == nil { response.errorClass = .badJSON }
            return response
        }
        response.body = completion(fromRawBody: record.rawBody)
        if response.body == nil {
            response.errorClass = .badJSON
            response.errorMessage = "the stored body can no longer be read"
        }
        return response
    }

    /// The chat completion in a stored raw body: the JSON object itself, or the stream reassembled.
    static func completion(fromRawBody raw: String) -> JSONValue? {
        if let value = try? JSONValue(parsing: raw), value.objectValue != nil { return value }
        var parser = SSEParser()
        var assembler = ChatStreamAssembler()
        do {
            for event in parser.feed(Array(raw.utf8)) + parser.finish() { try assembler.consume(event) }
            return try assembler.finish()
        } catch {
            return nil
        }
    }
}
