import Foundation
import Testing

@testable import AILBEval

/// The real HTTP path: ChatClient against MockServer on 127.0.0.1.
extension Backends {
    @Suite(.serialized) struct ChatClientTests {
        static let weatherTool: JSONValue = [
            "type": "function",
            "function": [
                "name": "get_weather",
                "parameters": [
                    "type": "object", "properties": ["city": ["type": "string"], "days": ["type": "integer"]],
                    "required": ["city", "days"],
                ],
            ],
        ]

        static let suite = Suite(
            name: "t", path: "t.yaml", contentHash: "",
            cases: [
                SuiteCase(
                    id: "weather", messages: [["role": "user", "content": "Weather in Paris for 3 days?"]],
                    tools: [weatherTool],
                    expect: Expectation(toolCalls: [ExpectedToolCall(name: "get_weather", arguments: ["city": "Paris", "days": 3])])),
                SuiteCase(
                    id: "capital", messages: [["role": "user", "content": "What is the capital of France?"]],
                    expect: Expectation(text: "The capital of France is Paris.")),
            ])

        static func request(_ prompt: String, tools: Bool = false) -> JSONValue {
            var body: [String: JSONValue] = ["model": "m", "messages": [["role": "user", "content": .string(prompt)]]]
            if tools { body["tools"] = [weatherTool] }
            return .object(body)
        }

        /// Runs `body` with a started server and a client, and tears both down. The client does not sleep
        /// between attempts: it asks `pauses` for each wait, which records it.
        static func withServer(
            faults: [String: MockFault] = [:], cap: Int = 8 << 20, pauses: RecordedPauses = RecordedPauses(),
            _ body: (MockServer, ChatClient, URL) async throws -> Void
        ) async throws {
            let server = MockServer(backends: [BackendConfig(name: "a", kind: .mock, model: "m")], suites: [suite], faults: faults)
            _ = try await server.start()
            let client = ChatClient(
                transport: HTTPTransport(maxConnectionsPerHost: 256), maxResponseBytes: cap, pause: pauses.pause)
            do {
                try await body(server, client, try #require(server.baseURL(for: "a")))
            } catch {
                client.invalidate()
                await server.stop()
                throw error
            }
            client.invalidate()
            await server.stop()
        }

        static func fault(_ fault: MockFault) -> [String: String] { ["X-Mock-Fault": fault.rawValue] }

        @Test func jsonCompletionCarriesTheExpectedToolCall() async throws {
            try await Self.withServer { _, client, url in
                let response = await client.send(ChatRequest(baseURL: url, body: Self.request("Weather in Paris for 3 days?", tools: true)))
                #expect(response.isSuccess)
                #expect(response.httpStatus == 200)
                #expect(response.attempts == 1)
                #expect(response.url == url.absoluteString + "/chat/completions")
                #expect(response.ttftMs == nil, "a JSON answer has no first token to time")
                let call = try #require(response.body?["choices"]?[0]?["message"]?["tool_calls"]?[0])
                #expect(call["function"]?["name"] == "get_weather")
                let arguments = try JSONValue(parsing: try #require(call["function"]?["arguments"]?.stringValue))
                #expect(arguments == ["city": "Paris", "days": 3])
                #expect(response.rawBody.contains("get_weather"))
            }
        }

        @Test func streamedCompletionAssemblesToTheJSONOne() async throws {
            try await Self.withServer { _, client, url in
                for (prompt, tools) in [("Weather in Paris for 3 days?", true), ("What is the capital of France?", false)] {
                    let plain = await client.send(ChatRequest(baseURL: url, body: Self.request(prompt, tools: tools)))
                    let streamed = await client.send(ChatRequest(baseURL: url, body: Self.request(prompt, tools: tools), stream: true))
                    #expect(streamed.isSuccess, "\(streamed.errorMessage ?? "")")
                    #expect(streamed.ttftMs != nil)
                    #expect(streamed.rawBody.contains("data: [DONE]"))
                    let a = try #require(plain.body?["choices"]?[0])
                    let b = try #require(streamed.body?["choices"]?[0])
                    #expect(a["message"]?["content"] == b["message"]?["content"])
                    #expect(a["message"]?["tool_calls"] == b["message"]?["tool_calls"])
                    #expect(a["finish_reason"] == b["finish_reason"])
                    #expect(plain.body?["usage"] == streamed.body?["usage"])
                }
            }
        }

        @Test func twoHundredFiftySixConcurrentRequestsAllSucceed() async throws {
            try await Self.withServer { _, client, url in
                let start = ContinuousClock.now
                let results = await withTaskGroup(of: BackendResponse.self) { group in
                    for n in 0..<256 {
                        group.addTask {
                            let stream = n % 2 == 1
                            return await client.send(
                                ChatRequest(baseURL: url, body: Self.request("prompt \(n)"), stream: stream, timeout: 60, retry: .none))
                        }
                    }
                    var all: [BackendResponse] = []
                    for await r in group { all.append(r) }
                    return all
                }
                let elapsed = ContinuousClock.now - start
                print("256 concurrent requests (half streamed): \(elapsed)")
                #expect(results.count == 256)
                let failures = results.filter { !$0.isSuccess }.compactMap(\.errorMessage)
                #expect(failures.isEmpty, "\(failures.prefix(3))")
            }
        }

        @Test func status500IsRetriedThenReported() async throws {
            let pauses = RecordedPauses()
            try await Self.withServer(faults: ["a": .status500], pauses: pauses) { _, client, url in
                let retry = RetryPolicy(maxRetries: 2, baseDelay: 0.01, maxDelay: 0.05)
                let response = await client.send(ChatRequest(baseURL: url, body: Self.request("x"), retry: retry))
                #expect(response.errorClass == .http5xx)
                #expect(response.httpStatus == 500)
                #expect(response.attempts == 3)
                // Full jitter under ceilings of 10 and 20 ms.
                #expect(pauses.waits.count == 2)
                #expect(zip(pauses.waits, [0.01, 0.02]).allSatisfy { $0 >= 0 && $0 <= $1 }, "\(pauses.waits)")
                #expect(response.body == nil)
                #expect(response.rawBody.contains("simulated internal error"))
            }
        }

        @Test func status429HonoursRetryAfter() async throws {
            let pauses = RecordedPauses()
            try await Self.withServer(pauses: pauses) { _, client, url in
                let retry = RetryPolicy(maxRetries: 1, baseDelay: 0.01, maxDelay: 0.05)
                let response = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.status429), retry: retry))
                #expect(response.errorClass == .http429)
                #expect(response.attempts == 2)
                // The server's `Retry-After: 1` outweighs a backoff of 10 ms at most.
                #expect(pauses.waits == [1])
            }
        }

        @Test func timeoutIsReportedAndNotRetried() async throws {
            try await Self.withServer { _, client, url in
                let start = ContinuousClock.now
                let response = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.timeout), timeout: 0.25))
                #expect(response.errorClass == .timeout)
                #expect(response.attempts == 1)
                // libcurl's timer starts a moment before the latency is clocked: it may read 249.98 ms.
                #expect(response.latencyMs >= 249)
                #expect(ContinuousClock.now - start >= .milliseconds(250))
            }
        }

        @Test func dripBodyCountsAgainstTheTotalTimeout() async throws {
            try await Self.withServer { _, client, url in
                let response = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.dripBody), timeout: 0.3))
                #expect(response.errorClass == .timeout)
                #expect(response.httpStatus == 200)
                #expect(!response.rawBody.isEmpty)
            }
        }

        @Test func dripBodyArrivesWhenTheTimeoutAllowsIt() async throws {
            try await Self.withServer { _, client, url in
                let response = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.dripBody), stream: true, timeout: 30))
                #expect(response.isSuccess, "\(response.errorMessage ?? "")")
            }
        }

        @Test func closedPortIsAConnectError() async throws {
            let server = MockServer(backends: [BackendConfig(name: "a", kind: .mock, model: "m")], suites: [])
            let port = try await server.start()
            await server.stop()
            let pauses = RecordedPauses()
            let client = ChatClient(transport: HTTPTransport(), pause: pauses.pause)
            defer { client.invalidate() }
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/mock/a/v1"))
            let retry = RetryPolicy(maxRetries: 1, baseDelay: 0.01, maxDelay: 0.01)
            let response = await client.send(ChatRequest(baseURL: url, body: Self.request("x"), timeout: 5, retry: retry))
            #expect(response.errorClass == .connect)
            #expect(response.httpStatus == nil)
            #expect(response.attempts == 2)
            #expect(pauses.waits.count == 1 && pauses.waits.allSatisfy { $0 <= 0.01 }, "\(pauses.waits)")
        }

        @Test func invalidJSONIsBadJSON() async throws {
            try await Self.withServer { _, client, url in
                let response = await client.send(ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.invalidJSON)))
                #expect(response.errorClass == .badJSON)
                #expect(response.httpStatus == 200)
                #expect(response.attempts == 1)
                #expect(response.rawBody.hasPrefix(#"{"id": "chatcmpl-broken""#))
                let streamed = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.invalidJSON), stream: true))
                #expect(streamed.errorClass == .badSSE)
            }
        }

        @Test func hugeBodyIsTooLargeAndKeepsTheTruncatedBody() async throws {
            try await Self.withServer(cap: 64 * 1024) { _, client, url in
                for stream in [false, true] {
                    let response = await client.send(
                        ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.hugeBody), stream: stream))
                    #expect(response.errorClass == .tooLarge)
                    #expect(response.attempts == 1)
                    #expect(response.rawBody.utf8.count == 64 * 1024)
                }
            }
        }

        @Test func truncatedStreamIsBadSSE() async throws {
            try await Self.withServer(faults: ["a": .truncatedSSE]) { _, client, url in
                let response = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("What is the capital of France?"), stream: true))
                #expect(response.errorClass == .badSSE)
                #expect(response.rawBody.contains("capital"))
                #expect(!response.rawBody.contains("[DONE]"))
            }
        }

        @Test func resetMidBodyIsReportedByStage() async throws {
            try await Self.withServer { _, client, url in
                let plain = await client.send(ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.resetMidBody)))
                #expect(plain.errorClass == .badJSON)
                #expect(plain.httpStatus == 200)
                let streamed = await client.send(
                    ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.resetMidBody), stream: true))
                #expect(streamed.errorClass == .badSSE)
            }
        }

        @Test func noChoicesIsBadJSON() async throws {
            try await Self.withServer { _, client, url in
                for stream in [false, true] {
                    let response = await client.send(
                        ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.noChoices), stream: stream))
                    #expect(response.errorClass == .badJSON, "stream \(stream)")
                    #expect(response.errorMessage?.contains("empty 'choices'") == true)
                    #expect(response.httpStatus == 200)
                    #expect(response.body == nil)
                }
            }
        }

        @Test func cancellationIsReportedAsCancelled() async throws {
            try await Self.withServer { server, client, url in
                let task = Task {
                    await client.send(ChatRequest(baseURL: url, body: Self.request("x"), headers: Self.fault(.timeout), timeout: 30))
                }
                // Cancelled while the server holds the request, not before it is sent.
                #expect(await eventually { server.requestsReceived == 1 })
                task.cancel()
                let response = await task.value
                #expect(response.errorClass == .cancelled)
                #expect(response.latencyMs < 30_000)
            }
        }

        @Test func authorizationNeverAppearsInMessages() async throws {
            try await Self.withServer(faults: ["a": .status500]) { _, client, url in
                let response = await client.send(
                    ChatRequest(
                        baseURL: url, body: Self.request("x"), headers: ["Authorization": "Bearer sk-secret-123"],
                        retry: .none))
                #expect(response.errorClass == .http5xx)
                #expect(!(response.errorMessage ?? "").contains("sk-secret-123"))
            }
        }

        @Test func unknownBackendAndModelsRoute() async throws {
            try await Self.withServer { server, client, url in
                let port = try #require(server.port)
                let unknown = try #require(URL(string: "http://127.0.0.1:\(port)/mock/nope/v1"))
                let response = await client.send(ChatRequest(baseURL: unknown, body: Self.request("x")))
                #expect(response.errorClass == .http4xx)
                #expect(response.httpStatus == 404)
                #expect(response.errorMessage?.contains("unknown mock backend") == true)
                let sole = try #require(URL(string: "http://127.0.0.1:\(port)/v1"))
                #expect(await client.send(ChatRequest(baseURL: sole, body: Self.request("x"))).isSuccess)
                let (data, models) = try await URLSession.shared.data(from: url.appendingPathComponent("models"))
                #expect((models as? HTTPURLResponse)?.statusCode == 200)
                #expect(try JSONValue(parsing: data)["data"]?[0]?["id"] == "m")
            }
        }

        @Test func theBodySentIsTheSameBytesInEveryOrderAndAsksStreamsForUsage() throws {
            var properties: [(String, JSONValue)] = []
            for name in ["zeta", "alpha", "mid", "beta", "omega"] { properties.append((name, ["type": "string"])) }
            let forward = JSONValue.object(Dictionary(uniqueKeysWithValues: properties))
            let backward = JSONValue.object(Dictionary(uniqueKeysWithValues: properties.reversed()))
            let url = URL(string: "http://127.0.0.1:1/v1")!
            let a = ChatClient.encodedBody(ChatRequest(baseURL: url, body: ["model": "m", "tools": [forward]]))
            let b = ChatClient.encodedBody(ChatRequest(baseURL: url, body: ["tools": [backward], "model": "m"]))
            #expect(a == b)
            #expect(
                String(decoding: a, as: UTF8.self)
                    == #"{"model":"m","stream":false,"tools":[{"alpha":{"type":"string"},"beta":{"type":"string"},"mid":{"type":"string"},"omega":{"type":"string"},"zeta":{"type":"string"}}]}"#
            )
            let streamed = try JSONValue(
                parsing: Data(ChatClient.encodedBody(ChatRequest(baseURL: url, body: ["model": "m"], stream: true))))
            #expect(streamed["stream_options"] == ["include_usage": true])
            let own = try JSONValue(
                parsing: Data(
                    ChatClient.encodedBody(
                        ChatRequest(baseURL: url, body: ["model": "m", "stream_options": ["include_usage": false]], stream: true))))
            #expect(own["stream_options"] == ["include_usage": false])
        }
    }
}

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
