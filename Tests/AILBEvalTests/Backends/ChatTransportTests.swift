import Foundation
import Testing

@testable import AILBEval

/// What the one transport makes of every fault the mock can produce, and what it does with its connections.
extension Backends {
    /// Each case against a server and client of its own, so the cases run side by side: the two that only a
    /// deadline ends take about that deadline together, not one after the other.
    @Suite struct ChatTransportFaultTests {
        typealias Harness = ChatClientTests

        struct Case: Sendable, CustomTestStringConvertible {
            var fault: MockFault
            var stream = false
            var timeout = 5.0
            /// nil: a success.
            var expected: ErrorClass?
            var testDescription: String { fault.rawValue + (stream ? " (stream)" : "") }
        }

        static let cases: [Case] = [
            Case(fault: .none), Case(fault: .none, stream: true), Case(fault: .status500, expected: .http5xx),
            Case(fault: .status503, expected: .http5xx), Case(fault: .invalidJSON, expected: .badJSON),
            Case(fault: .invalidJSON, stream: true, expected: .badSSE), Case(fault: .noChoices, expected: .badJSON),
            Case(fault: .truncatedSSE, stream: true, expected: .badSSE),
            Case(fault: .cutMidEvent, stream: true, expected: .badSSE), Case(fault: .keepAlive, stream: true),
            Case(fault: .resetMidBody, expected: .badJSON), Case(fault: .resetMidBody, stream: true, expected: .badSSE),
            Case(fault: .hugeBody, expected: .tooLarge), Case(fault: .hugeBody, stream: true, expected: .tooLarge),
            Case(fault: .timeout, timeout: 0.25, expected: .timeout), Case(fault: .dripByte, timeout: 0.25, expected: .timeout),
        ]

        @Test(arguments: cases)
        func everyFaultIsClassified(_ c: Case) async throws {
            try await Harness.withServer { _, _, url in
                let client = ChatClient(maxConnectionsPerHost: 8, maxResponseBytes: 64 * 1024)
                defer { client.invalidate() }
                let response = await client.send(
                    ChatRequest(
                        baseURL: url, body: Harness.request("Weather in Paris for 3 days?", tools: true),
                        headers: Harness.fault(c.fault), stream: c.stream, timeout: c.timeout, retry: .none))
                #expect(response.errorClass == c.expected, "\(response.errorMessage ?? "ok")")
                #expect(response.isSuccess == (c.expected == nil))
                #expect((response.body != nil) == (c.expected == nil))
                // Time to first token exists for a stream only.
                if !c.stream || c.expected == nil { #expect((response.ttftMs != nil) == c.stream) }
                if c.fault == .timeout { #expect(response.httpStatus == nil) }
            }
        }
    }

    @Suite(.serialized) struct ChatTransportTests {
        typealias Harness = ChatClientTests

        @Test func aTimeoutIsWordedAlikeForChatRequestsAndSmallGETs() {
            var transfer = ChatTransfer(stream: false, cap: 1024)
            let waiting = transfer.result(cancelled: false, timedOut: true, timeout: 0.25, latencyMs: 250)
            #expect(waiting.errorClass == .timeout)
            #expect(waiting.errorMessage == "timed out after 0.25 s (no response headers)")
            transfer.head(status: 200, headers: [:])
            let reading = transfer.result(cancelled: false, timedOut: true, timeout: 30, latencyMs: 30_000)
            #expect(reading.errorMessage == "timed out after 30.0 s (the body was incomplete)")
            let get = TransportFailure.timedOut(after: 30, receivedHead: true)
            #expect(get.isTimeout)
            #expect(get.description == reading.errorMessage)
            #expect(TransportFailure.timedOut(after: 0.25, receivedHead: false).description == waiting.errorMessage)
        }

        /// A started mock server with one backend, its base URL, and the chat requests it records.
        static func countingServer(closeConnectionsAfter: Int? = nil) async throws -> (MockServer, URL) {
            let server = MockServer(
                backends: [BackendConfig(name: "a", kind: .mock, model: "m")], suites: [], recordsRequests: true,
                closeConnectionsAfter: closeConnectionsAfter)
            _ = try await server.start()
            return (server, try #require(server.baseURL(for: "a")))
        }

        @Test func aRefusedConnectionIsConnectWithTheSystemsReason() async throws {
            let (server, url) = try await Self.countingServer()
            await server.stop()
            for scheme in ["http", "https"] {
                var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
                components.scheme = scheme
                let client = ChatClient(maxConnectionsPerHost: 4, maxResponseBytes: 1 << 20)
                let response = await client.send(
                    ChatRequest(baseURL: components.url!, body: Harness.request("x"), timeout: 5, retry: .none))
                client.invalidate()
                #expect(response.errorClass == .connect, "\(scheme): \(response.errorMessage ?? "")")
                #expect(
                    response.errorMessage?.hasPrefix("could not connect: Connection refused (errno ") == true,
                    "\(response.errorMessage ?? "")")
                #expect(response.httpStatus == nil)
            }
        }

        @Test func fiveHundredSequentialRequestsReuseOneConnection() async throws {
            let (server, url) = try await Self.countingServer()
            let client = ChatClient(maxConnectionsPerHost: 64, maxResponseBytes: 1 << 20)
            for n in 0..<500 {
                let response = await client.send(ChatRequest(baseURL: url, body: Harness.request("q\(n)"), retry: .none))
                #expect(response.isSuccess, "request \(n): \(response.errorMessage ?? "")")
                if !response.isSuccess { break }
            }
            client.invalidate()
            await server.stop()
            #expect(server.receivedRequests.count == 500)
            #expect(server.connectionsAccepted == 1)
        }

        @Test func concurrentRequestsStayWithinTheConnectionLimit() async throws {
            let (server, url) = try await Self.countingServer()
            let client = ChatClient(maxConnectionsPerHost: 4, maxResponseBytes: 1 << 20)
            let failures = await withTaskGroup(of: Int.self) { group in
                for n in 0..<400 {
                    group.addTask {
                        let response = await client.send(ChatRequest(baseURL: url, body: Harness.request("q\(n)"), retry: .none))
                        return response.isSuccess ? 0 : 1
                    }
                }
                return await group.reduce(0, +)
            }
            client.invalidate()
            await server.stop()
            #expect(failures == 0)
            #expect(server.receivedRequests.count == 400)
            #expect((1...4).contains(server.connectionsAccepted))
        }

        @Test func aConnectionTheServerClosedWhileIdleIsReplacedUnnoticed() async throws {
            // The server closes every connection after one answer without `Connection: close`: the client
            // finds out only when it reuses one, and sends the request again on a new connection.
            let (server, url) = try await Self.countingServer(closeConnectionsAfter: 1)
            let client = ChatClient(maxConnectionsPerHost: 8, maxResponseBytes: 1 << 20)
            for n in 0..<50 {
                let response = await client.send(ChatRequest(baseURL: url, body: Harness.request("q\(n)"), retry: .none))
                #expect(response.isSuccess, "request \(n): \(response.errorMessage ?? "")")
                #expect(response.attempts == 1)
            }
            client.invalidate()
            await server.stop()
            #expect(server.receivedRequests.count == 50)
            #expect(server.connectionsAccepted >= 50)
        }

        @Test func cancellationWhileWaitingForAConnectionIsCancelled() async throws {
            try await Harness.withServer { server, _, url in
                let client = ChatClient(maxConnectionsPerHost: 1, maxResponseBytes: 1 << 20)
                defer { client.invalidate() }
                let hanging = Task {
                    await client.send(ChatRequest(baseURL: url, body: Harness.request("x"), headers: Harness.fault(.timeout), timeout: 30))
                }
                // The hanging request holds the only connection before the next one is sent…
                #expect(await eventually { server.requestsReceived == 1 })
                let queued = Task { await client.send(ChatRequest(baseURL: url, body: Harness.request("y"), timeout: 30)) }
                // …which is cancelled while it waits inside the transport for that connection.
                #expect(await eventually { client.transport.transfersInProgress == 2 })
                queued.cancel()
                let response = await queued.value
                #expect(response.errorClass == .cancelled)
                #expect(response.errorMessage == "cancelled", "sent, not stopped before sending")
                #expect(response.latencyMs < 5_000)
                hanging.cancel()
                #expect(await hanging.value.errorClass == .cancelled)
                // The connection of the cancelled request was closed; the next one gets a new one.
                #expect(await client.send(ChatRequest(baseURL: url, body: Harness.request("z"), timeout: 10)).isSuccess)
            }
        }

        @Test func aQueuedRequestTimesOutOnItsOwnClock() async throws {
            try await Harness.withServer { server, _, url in
                let client = ChatClient(maxConnectionsPerHost: 1, maxResponseBytes: 1 << 20)
                defer { client.invalidate() }
                let hanging = Task {
                    await client.send(ChatRequest(baseURL: url, body: Harness.request("x"), headers: Harness.fault(.timeout), timeout: 3))
                }
                // The hanging request holds the only connection before the next one is sent.
                #expect(await eventually { server.requestsReceived == 1 })
                let queued = await client.send(ChatRequest(baseURL: url, body: Harness.request("y"), timeout: 0.3))
                #expect(queued.errorClass == .timeout)
                #expect(queued.errorMessage?.contains("no response headers") == true)
                #expect(queued.latencyMs < 2_000)
                hanging.cancel()
                _ = await hanging.value
            }
        }
    }
}
