import Foundation
import Testing

@testable import AILBEval

extension Backends {
    @Suite struct ListeningSocketTuningTests {
        @Test func findsTheMockServersListenerAndNothingElse() async throws {
            let server = MockServer(backends: [BackendConfig(name: "a", kind: .mock, model: "m", mock: MockBehavior())], suites: [])
            let port = try await server.start()
            defer { Task { await server.stop() } }
            #expect(ListeningSocketTuning.disableNagle(onListenerAt: port))
            #expect(!ListeningSocketTuning.disableNagle(onListenerAt: port &+ 1 == 0 ? 1 : port &+ 1))
        }
    }
}
