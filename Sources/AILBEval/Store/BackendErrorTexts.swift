import Foundation
import GRDB

/// The distinct failures of one backend in a run, first seen first.
package struct BackendErrorTexts: Sendable, Hashable {
    /// The backend (a load balancer's member, or the load balancer itself when its whole request failed).
    package var backend: String
    /// Distinct error texts (the error class where there is no text), in order of first occurrence, each
    /// with how often it occurred; at most the number asked for.
    package var texts: [(text: String, count: Int)]
    /// Distinct texts beyond those listed.
    package var moreTexts: Int

    package static func == (a: BackendErrorTexts, b: BackendErrorTexts) -> Bool {
        a.backend == b.backend && a.moreTexts == b.moreTexts && a.texts.map(\.text) == b.texts.map(\.text)
            && a.texts.map(\.count) == b.texts.map(\.count)
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(backend) }
}

extension ResultStore {
    /// Per backend of a run (in the run's order), the first `limit` distinct error texts of its failed
    /// responses, in (case, repeat) order; backends without a failure are left out.
    package func firstErrorTexts(runID: Int64, limit: Int = 3) throws -> [BackendErrorTexts] {
        let order = try backends(runID: runID).map(\.name)
        var found: [String: BackendErrorTexts] = [:]
        var seen: [String: [String: Int]] = [:]
        try queue.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT backend, error_class, error_message FROM responses
                    WHERE run_id = ? AND success = 0 ORDER BY case_position, repeat
                    """,
                arguments: [runID])
            while let row = try rows.next() {
                let backend: String = row["backend"]
                let message = (row["error_message"] as String?)?.trimmingCharacters(in: .whitespacesAndNewlines)
                let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? (row["error_class"] as String?) ?? "failed"
                var entry = found[backend] ?? BackendErrorTexts(backend: backend, texts: [], moreTexts: 0)
                if let index = seen[backend]?[text] {
                    if index < entry.texts.count { entry.texts[index].count += 1 }
                } else {
                    let index = seen[backend, default: [:]].count
                    seen[backend, default: [:]][text] = index
                    if entry.texts.count < limit {
                        entry.texts.append((text, 1))
                    } else {
                        entry.moreTexts += 1
                    }
                }
                found[backend] = entry
            }
        }
        let known = order.filter { found[$0] != nil }
        let others = found.keys.filter { !order.contains($0) }.sorted()
        return (known + others).compactMap { found[$0] }
    }
}

extension RunFailure {
    /// The failure of a run in which no backend answered: the first distinct error texts of each backend
    /// (`Connection refused`, `HTTP 404: No eligible backends for multi-exec`), so the cause is on screen.
    package static func noAnswer(runID: Int64, errors: [BackendErrorTexts]) -> RunFailure {
        var lines = ["no backend answered at all in run \(runID) (is the server running?)"]
        if errors.isEmpty {
            lines[0] += "; no request was answered or failed"
        } else {
            lines[0] += "; the first errors per backend:"
            for entry in errors {
                let texts = entry.texts.map { $0.count > 1 ? "\($0.text) (×\($0.count))" : $0.text }
                let more = entry.moreTexts > 0 ? " and \(entry.moreTexts) more" : ""
                lines.append("  \(entry.backend): \(texts.joined(separator: "; "))\(more)")
            }
        }
        return RunFailure(message: lines.joined(separator: "\n"))
    }
}
