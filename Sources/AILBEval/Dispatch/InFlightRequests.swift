import Foundation

/// The dispatcher's bookkeeping of the requests on the wire: for each, the backend it went to and when it
/// was sent. The progress line reads it to say which backends keep the run waiting.
package final class InFlightRequests: Sendable {
    private struct State {
        var nextToken = 0
        var requests: [Int: (backendIndex: Int, sentAt: Date)] = [:]
    }

    private let state = BackendLockedState(State())

    package init() {}

    /// Records a request to backend `backendIndex` sent at `sentAt`; returns the token that ends it.
    func begin(backendIndex: Int, at sentAt: Date = Date()) -> Int {
        state.write { state in
            defer { state.nextToken += 1 }
            state.requests[state.nextToken] = (backendIndex, sentAt)
            return state.nextToken
        }
    }

    /// The request of `token` has its answer (or was cancelled).
    func end(_ token: Int) {
        state.write { _ = $0.requests.removeValue(forKey: token) }
    }

    /// When each request now in flight was sent, by backend index.
    package func sendTimes() -> [Int: [Date]] {
        state.read { state in
            var result: [Int: [Date]] = [:]
            for request in state.requests.values { result[request.backendIndex, default: []].append(request.sentAt) }
            return result
        }
    }
}
