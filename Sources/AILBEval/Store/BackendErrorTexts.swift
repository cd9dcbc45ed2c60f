import Foundation

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
