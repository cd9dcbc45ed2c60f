import Foundation

/// The built-in simulated OpenAI-compatible server (`kind: mock` backends), served in-process on
/// 127.0.0.1 only. Requests are routed by `MockRouter`, answered by `MockResponder`, and spoiled on
/// request by `MockFaultScript`.
///
/// Routes: `POST /mock/<name>/v1/chat/completions` (JSON, or SSE when `"stream": true`) and
/// `GET /mock/<name>/v1/models`; with exactly one backend also `/v1/…`.
package final class MockServer: Sendable {
    private let router: MockRouter
    private let http: LoopbackHTTPServer

    /// A server for these backends (their `mock` behaviour is used; nil means always the expected answer)
    /// that knows the cases of `suites`. `faults` makes a backend fail on every request (tests). A backend
    /// named in `apiKeys` behaves like a server started with an API key (vLLM's `--api-key`): requests
    /// without `Authorization: Bearer <key>` get 401. With `recordsRequests` the server keeps every chat
    /// request body it receives (`receivedRequests`), for tests that check what a client sent. With
    /// `closeConnectionsAfter`, each connection is closed after that many responses without
    /// `Connection: close`, as a server with a short keep-alive timeout does.
    package init(
        backends: [BackendConfig], suites: [Suite], faults: [String: MockFault] = [:], apiKeys: [String: String] = [:],
        recordsRequests: Bool = false, closeConnectionsAfter: Int? = nil
    ) {
        let router = MockRouter(
            backends: backends, responder: MockResponder(suites: suites), faults: faults, apiKeys: apiKeys,
            control: MockControl(recordsRequests: recordsRequests))
        self.router = router
        http = LoopbackHTTPServer(closeAfterResponses: closeConnectionsAfter) { request in await router.handle(request) }
    }

    /// A chat request as the server received it.
    package struct ReceivedRequest: Sendable {
        /// The mock backend it was sent to.
        package var backend: String
        /// The parsed request body.
        package var body: JSONValue
    }

    /// The chat requests received so far, in order of arrival (empty unless `recordsRequests`).
    package var receivedRequests: [ReceivedRequest] { router.control.received.read { $0 } }

    /// Forgets the requests received so far.
    package func clearReceivedRequests() {
        router.control.received.write { $0.removeAll() }
    }

    /// Makes `backend` fail with `fault` from the next request on (nil: as configured again), while the
    /// server runs: a server that was down and came back. An `X-Mock-Fault` header still wins.
    package func setFault(_ fault: MockFault?, for backend: String) {
        router.control.faults.write { $0[backend] = fault }
    }

    /// Connections accepted since the server was made: what a client's connection reuse is judged by.
    package var connectionsAccepted: Int { http.connectionsAccepted }

    /// Requests received since the server was made, on every route: what a test waits on to know that a
    /// request reached the server (and holds its connection) before it sends the next.
    package var requestsReceived: Int { http.requestsReceived }

    /// Connections open now (one the client closed leaves this count shortly after).
    package var connectionsOpen: Int { http.connectionsOpen }

    /// Starts listening on 127.0.0.1 (port 0: any free port) and returns the port. `listenTimeout`: how long
    /// to wait for the listener to come up.
    package func start(port: UInt16 = 0, listenTimeout: Double = 10) async throws -> UInt16 {
        try await http.start(port: port, listenTimeout: listenTimeout)
    }

    /// The port while running.
    package var port: UInt16? { http.port }

    /// The OpenAI base URL of a mock backend (`http://127.0.0.1:PORT/mock/<name>/v1`), or nil when the
    /// server is not running or the backend is unknown.
    package func baseURL(for backend: String) -> URL? {
        guard let port, router.backends[backend] != nil,
            let escaped = backend.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        else { return nil }
        return URL(string: "http://127.0.0.1:\(port)/mock/\(escaped)/v1")
    }

    /// Stops listening and closes open connections (hanging `timeout` requests included).
    package func stop() async {
        await http.stop()
    }
}

/// What may change while a mock server runs: faults switched on and off by a test, and the requests it
/// keeps when asked to.
final class MockControl: Sendable {
    let recordsRequests: Bool
    let faults = BackendLockedState<[String: MockFault]>([:])
    let received = BackendLockedState<[MockServer.ReceivedRequest]>([])

    init(recordsRequests: Bool) { self.recordsRequests = recordsRequests }
}
