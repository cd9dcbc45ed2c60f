import Foundation
import Testing

@testable import AILBEval

extension Mock {
    @Suite struct MockServerTests {
        static let backends = [
            BackendConfig(name: "good", kind: .mock, model: "m-good"), BackendConfig(name: "bad q4", kind: .mock, model: "m-bad"),
        ]

        @Test func perBackendFaultsFailOnlyThatBackend() async throws {
            let server = MockServer(backends: Self.backends, suites: [], faults: ["bad q4": .status500])
            let port = try await server.start()
            let client = ChatClient()
            defer { client.invalidate() }
            let good = try #require(server.baseURL(for: "good"))
            let bad = try #require(server.baseURL(for: "bad q4"))
            #expect(good.absoluteString == "http://127.0.0.1:\(port)/mock/good/v1")
            #expect(server.baseURL(for: "missing") == nil)
            let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "hi"]]]
            let okResponse = await client.send(ChatRequest(baseURL: good, body: body, retry: .none))
            let failed = await client.send(ChatRequest(baseURL: bad, body: body, retry: .none))
            let overridden = await client.send(ChatRequest(baseURL: bad, body: body, headers: ["X-Mock-Fault": "none"], retry: .none))
            let typo = await client.send(ChatRequest(baseURL: good, body: body, headers: ["X-Mock-Fault": "status-500"], retry: .none))
            await server.stop()
            #expect(okResponse.isSuccess)
            #expect(okResponse.body?["model"] == "m")
            #expect(failed.errorClass == .http5xx)
            #expect(overridden.isSuccess)
            #expect(typo.errorClass == .http4xx && typo.httpStatus == 400)
            #expect(server.port == nil)
            #expect(server.baseURL(for: "good") == nil)
        }

        @Test func latencyIsAddedBeforeAnswering() async throws {
            var behavior = MockBehavior()
            behavior.latencyMs = 300
            let server = MockServer(backends: [BackendConfig(name: "slow", kind: .mock, model: "m", mock: behavior)], suites: [])
            _ = try await server.start()
            let client = ChatClient()
            defer { client.invalidate() }
            let response = await client.send(
                ChatRequest(baseURL: try #require(server.baseURL(for: "slow")), body: ["messages": [["role": "user", "content": "hi"]]]))
            await server.stop()
            #expect(response.isSuccess)
            #expect(response.latencyMs >= 300)
        }

        @Test func stoppingEndsAHangingRequestAtOnce() async throws {
            let server = MockServer(
                backends: [BackendConfig(name: "a", kind: .mock, model: "m")], suites: [], faults: ["a": .timeout])
            _ = try await server.start()
            let client = ChatClient()
            defer { client.invalidate() }
            let url = try #require(server.baseURL(for: "a"))
            let hanging = Task {
                await client.send(
                    ChatRequest(baseURL: url, body: ["messages": [["role": "user", "content": "hi"]]], timeout: 60, retry: .none))
            }
            #expect(await eventually(within: 30) { server.connectionsOpen == 1 })
            await server.stop()
            let response = await hanging.value
            // Closed by the server, not given up by the client after its 60 s.
            #expect(response.errorClass != nil && response.errorClass != .timeout, "\(response.errorMessage ?? "")")
            #expect(response.latencyMs < 30_000)
            #expect(response.httpStatus == nil)
            #expect(server.connectionsOpen == 0)
            #expect(server.connectionsAccepted == 1)
        }

        @Test func streamEventsConcatenateBackToTheCompletion() throws {
            let completion: JSONValue = [
                "id": "x", "object": "chat.completion", "created": 1, "model": "m",
                "choices": [["index": 0, "message": ["role": "assistant", "content": "Hello there, world."], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3],
            ]
            var parser = SSEParser()
            var assembler = ChatStreamAssembler()
            for event in parser.feed(MockStream.events(for: completion)) + parser.finish() { try assembler.consume(event) }
            let assembled = try assembler.finish()
            #expect(assembled["choices"]?[0]?["message"]?["content"] == "Hello there, world.")
            #expect(assembled["usage"] == completion["usage"])
            #expect(MockStream.wordPieces("Hello there, world.") == ["Hello ", "there, ", "world."])
        }
    }
}
