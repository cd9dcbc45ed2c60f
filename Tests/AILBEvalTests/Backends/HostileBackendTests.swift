import Foundation
import Testing

@testable import AILBEval

/// Each fault a misbehaving server can commit, produced by the mock over real HTTP and classified by the
/// real client: the error class a run records for it, or the success it still is.
extension Backends {
    @Suite(.serialized) struct HostileBackendTests {
        typealias Harness = ChatClientTests

        static let weatherPrompt = "Weather in Paris for 3 days?"

        static func send(
            _ fault: MockFault, stream: Bool = false, prompt: String = "What is the capital of France?",
            timeout: Double = 10, retry: RetryPolicy = .none, cap: Int = 8 << 20, pauses: RecordedPauses = RecordedPauses()
        ) async throws -> BackendResponse {
            var response: BackendResponse?
            try await Harness.withServer(cap: cap, pauses: pauses) { _, client, url in
                response = await client.send(
                    ChatRequest(
                        baseURL: url, body: Harness.request(prompt, tools: prompt == weatherPrompt),
                        headers: Harness.fault(fault), stream: stream, timeout: timeout, retry: retry))
            }
            return try #require(response)
        }

        @Test(arguments: [(MockFault.status500, 500), (.status502, 502), (.status503, 503)])
        func serverErrorsAreHTTP5xxAndRetried(_ fault: MockFault, status: Int) async throws {
            let retry = RetryPolicy(maxRetries: 1, baseDelay: 0.01, maxDelay: 0.02)
            let pauses = RecordedPauses()
            let response = try await Self.send(fault, retry: retry, pauses: pauses)
            #expect(response.errorClass == .http5xx)
            #expect(response.httpStatus == status)
            #expect(response.attempts == 2)
            // 503 says `Retry-After: 1`; the others leave the wait to the backoff (10 ms at most).
            #expect(pauses.waits.count == 1)
            #expect(pauses.waits.allSatisfy { status == 503 ? $0 == 1 : $0 <= 0.01 }, "\(pauses.waits)")
            #expect(response.errorMessage?.hasPrefix("HTTP \(status): simulated") == true)
        }

        @Test func retryAfterAsAnHTTPDateIsHonoured() async throws {
            let pauses = RecordedPauses()
            let response = try await Self.send(
                .status429Date, retry: RetryPolicy(maxRetries: 1, baseDelay: 0.01, maxDelay: 0.02), pauses: pauses)
            #expect(response.errorClass == .http429)
            #expect(response.attempts == 2)
            // The date is two seconds ahead with one-second resolution: the wait is about one to two seconds,
            // where the backoff alone would have been 10 ms at most.
            #expect(pauses.waits.count == 1)
            #expect(pauses.waits.allSatisfy { (0.9...2).contains($0) }, "\(pauses.waits)")
        }

        @Test func theMockFormatsHTTPDatesTheClientParses() {
            let date = Date(timeIntervalSince1970: 1_445_412_480)
            #expect(MockFaultScript.httpDate(date) == "Wed, 21 Oct 2015 07:28:00 GMT")
            #expect(RetryPolicy.parseRetryAfter(MockFaultScript.httpDate(date.addingTimeInterval(30)), now: date) == 30)
        }

        @Test(arguments: [false, true])
        func invalidUTF8IsBadJSONOrBadSSE(stream: Bool) async throws {
            let response = try await Self.send(.invalidUTF8, stream: stream)
            #expect(response.errorClass == (stream ? .badSSE : .badJSON))
            #expect(response.httpStatus == 200)
            #expect(response.errorMessage?.contains("UTF-8") == true, "\(response.errorMessage ?? "")")
            #expect(response.rawBody.contains("\u{FFFD}"))
        }

        @Test(arguments: [false, true])
        func argumentsThatAreNotJSONAreStillASuccess(stream: Bool) async throws {
            let response = try await Self.send(.badArguments, stream: stream, prompt: Self.weatherPrompt)
            #expect(response.isSuccess, "\(response.errorMessage ?? "")")
            let arguments = try #require(
                response.body?["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue)
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: arguments) }
            // The judge reads such a call without failing: the name is still there to compare.
            let answer = ExtractedAnswer(body: response.body)
            #expect(answer.toolCalls.count == 1)
            let normalized = ToolCallNormalizer.normalize(answer.toolCalls, profile: .semantic)
            #expect(normalized.first?["name"] == "get_weather")
        }

        @Test func aStreamCutInTheMiddleOfAnEventIsBadSSE() async throws {
            let response = try await Self.send(.cutMidEvent, stream: true)
            #expect(response.errorClass == .badSSE)
            // The parser hands the unterminated last event over at the end of the stream; its JSON is cut off.
            #expect(response.errorMessage?.contains("is not JSON") == true, "\(response.errorMessage ?? "")")
            #expect(!response.rawBody.hasSuffix("\n\n"))
            let plain = try await Self.send(.cutMidEvent)
            #expect(plain.errorClass == .badJSON)
        }

        @Test func aStreamWithoutDoneButWithAFinishReasonIsComplete() async throws {
            let response = try await Self.send(.noDone, stream: true)
            #expect(response.isSuccess, "\(response.errorMessage ?? "")")
            #expect(!response.rawBody.contains("[DONE]"))
            #expect(response.body?["choices"]?[0]?["message"]?["content"] == "The capital of France is Paris.")
        }

        @Test func commentsKeepAlivesAndCRLFDoNotDisturbTheStream() async throws {
            let response = try await Self.send(.keepAlive, stream: true, prompt: Self.weatherPrompt)
            #expect(response.isSuccess, "\(response.errorMessage ?? "")")
            #expect(response.rawBody.contains(": keep-alive"))
            #expect(response.rawBody.contains("\r\n"))
            let plain = try await Self.send(.none, prompt: Self.weatherPrompt)
            #expect(
                response.body?["choices"]?[0]?["message"]?["tool_calls"]
                    == plain.body?["choices"]?[0]?["message"]?["tool_calls"])
        }

        @Test func aFiftyMegabyteBodyIsCutAtTheCapAndTooLarge() async throws {
            #expect(MockFaultScript.hugeBytes == 50 << 20)
            let start = ContinuousClock.now
            for stream in [false, true] {
                let response = try await Self.send(.hugeBody, stream: stream, cap: 256 * 1024)
                #expect(response.errorClass == .tooLarge)
                #expect(response.rawBody.utf8.count == 256 * 1024)
                #expect(response.errorMessage == "response body exceeded 262144 bytes")
            }
            // The download stops at the cap instead of reading 50 MB.
            #expect(ContinuousClock.now - start < .seconds(10))
        }

        @Test func oneBytePerSecondIsBoundedByTheRequestTimeout() async throws {
            let start = ContinuousClock.now
            let response = try await Self.send(.dripByte, timeout: 1.5)
            let elapsed = ContinuousClock.now - start
            #expect(response.errorClass == .timeout)
            #expect(response.httpStatus == 200)
            #expect(response.errorMessage?.contains("the body was incomplete") == true)
            #expect((1...3).contains(response.rawBody.utf8.count), "\(response.rawBody.utf8.count) bytes")
            #expect(elapsed < .seconds(4))
        }

        @Test func connectionResetMidBodyIsBadJSONAndNotRetried() async throws {
            let pauses = RecordedPauses()
            let response = try await Self.send(
                .resetMidBody, retry: RetryPolicy(maxRetries: 2, baseDelay: 0.01, maxDelay: 0.02), pauses: pauses)
            #expect(response.errorClass == .badJSON)
            #expect(response.attempts == 1)
            #expect(pauses.waits.isEmpty)
            #expect(response.errorMessage?.contains("connection lost") == true)
        }

        @Test func everyFaultHasAnOutcomeOverHTTP() async throws {
            // A fault added later without a classification would show up here as an unexpected success.
            let expected: [MockFault: ErrorClass?] = [
                .none: nil, .status500: .http5xx, .status502: .http5xx, .status503: .http5xx, .status429: .http429,
                .status429Date: .http429, .timeout: .timeout, .invalidJSON: .badJSON, .invalidUTF8: .badJSON,
                .noChoices: .badJSON, .badArguments: nil, .truncatedSSE: .badJSON, .cutMidEvent: .badJSON, .noDone: nil,
                .keepAlive: nil, .hugeBody: .tooLarge, .dripBody: .timeout, .dripByte: .timeout, .resetMidBody: .badJSON,
            ]
            #expect(Set(expected.keys) == Set(MockFault.allCases))
            // All at once: the faults only a deadline ends get a short one, the others one they never need,
            // so the test takes about the short deadline.
            try await Harness.withServer(cap: 64 * 1024) { _, client, url in
                let responses = await withTaskGroup(of: (MockFault, BackendResponse).self) { group in
                    for fault in MockFault.allCases {
                        let timeout = expected[fault].flatMap { $0 } == .timeout ? 0.25 : 10
                        group.addTask {
                            let response = await client.send(
                                ChatRequest(
                                    baseURL: url, body: Harness.request(Self.weatherPrompt, tools: true),
                                    headers: Harness.fault(fault), timeout: timeout, retry: .none))
                            return (fault, response)
                        }
                    }
                    return await group.reduce(into: [MockFault: BackendResponse]()) { $0[$1.0] = $1.1 }
                }
                for fault in MockFault.allCases {
                    let response = try #require(responses[fault])
                    #expect(response.errorClass == expected[fault]!, "\(fault): \(response.errorMessage ?? "ok")")
                }
            }
        }
    }
}

extension Backends {
    /// A mock backend with an API key behaves like a server started with one.
    @Suite struct MockAPIKeyTests {
        @Test func onlyTheRightBearerTokenIsServedAndNoneIsEchoed() async throws {
            let key = "sk-right-\(UUID().uuidString)"
            let server = MockServer(
                backends: [BackendConfig(name: "a", kind: .mock, model: "m")], suites: [], apiKeys: ["a": key])
            _ = try await server.start()
            let client = ChatClient()
            let url = try #require(server.baseURL(for: "a"))
            let body = ChatClientTests.request("hello")
            let right = await client.send(ChatRequest(baseURL: url, body: body, headers: ["Authorization": "Bearer \(key)"]))
            let wrong = await client.send(
                ChatRequest(baseURL: url, body: body, headers: ["Authorization": "Bearer \(key)-wrong"], retry: .none))
            let missing = await client.send(ChatRequest(baseURL: url, body: body, retry: .none))
            client.invalidate()
            await server.stop()
            #expect(right.isSuccess)
            for refused in [wrong, missing] {
                #expect(refused.errorClass == .http4xx && refused.httpStatus == 401)
                #expect(refused.errorMessage == "HTTP 401: invalid or missing API key")
                #expect(!refused.rawBody.contains(key))
            }
        }
    }
}
