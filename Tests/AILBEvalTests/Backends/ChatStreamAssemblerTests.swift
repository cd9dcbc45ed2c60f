import Foundation
import Testing

@testable import AILBEval

extension Backends {
    @Suite struct ChatStreamAssemblerTests {
        static func chunk(_ delta: JSONValue, finish: JSONValue = .null, extra: [String: JSONValue] = [:]) -> String {
            var object: [String: JSONValue] = [
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
            ]
            object.merge(extra) { _, new in new }
            return "data: " + JSONValue.object(object).compactText + "\n\n"
        }

        /// A parallel-tool-call stream as vLLM and llama.cpp send it, with a keep-alive and reasoning.
        static let parallelStream: String =
            ": keep-alive\n\n"
            + chunk(["role": "assistant", "content": ""])
            + chunk(["reasoning_content": "Two cities"]) + chunk(["reasoning_content": ", two calls."])
            + chunk([
                "tool_calls": [["index": 0, "id": "call_a", "type": "function", "function": ["name": "get_weather", "arguments": ""]]]
            ])
            + chunk(["tool_calls": [["index": 0, "function": ["arguments": "{\"city\": "]]]])
            + chunk([
                "tool_calls": [["index": 1, "id": "call_b", "type": "function", "function": ["name": "get_time", "arguments": "{\"tz\""]]]
            ])
            + chunk(["tool_calls": [["index": 0, "function": ["arguments": "\"Paris\"}"]]]])
            + chunk(["tool_calls": [["index": 1, "function": ["arguments": ": \"CET\"}"]]]])
            + chunk([:], finish: "tool_calls", extra: ["usage": ["prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14]])
            + "data: [DONE]\n\n"

        static let expectedParallel: JSONValue = [
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "usage": ["prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14],
            "choices": [
                [
                    "index": 0, "finish_reason": "tool_calls",
                    "message": [
                        "role": "assistant", "content": nil, "reasoning_content": "Two cities, two calls.",
                        "tool_calls": [
                            [
                                "id": "call_a", "type": "function",
                                "function": ["name": "get_weather", "arguments": "{\"city\": \"Paris\"}"],
                            ],
                            ["id": "call_b", "type": "function", "function": ["name": "get_time", "arguments": "{\"tz\": \"CET\"}"]],
                        ],
                    ],
                ]
            ],
        ]

        /// Feeds `chunks` through a parser and an assembler; returns the body (or the error) and the
        /// number of chunks after which the first token was seen.
        static func assemble(_ chunks: [ArraySlice<UInt8>]) -> (Result<JSONValue, StreamAssemblyError>, Int?) {
            var parser = SSEParser()
            var assembler = ChatStreamAssembler()
            var firstTokenAt: Int?
            do {
                for (n, chunk) in chunks.enumerated() {
                    for event in parser.feed(chunk) where try assembler.consume(event) { firstTokenAt = firstTokenAt ?? n }
                }
                for event in parser.finish() where try assembler.consume(event) { firstTokenAt = firstTokenAt ?? chunks.count }
                return (.success(try assembler.finish()), firstTokenAt)
            } catch {
                return (.failure(error), firstTokenAt)
            }
        }

        @Test func mergesParallelToolCallsByIndex() throws {
            let (result, first) = Self.assemble([Array(Self.parallelStream.utf8)[...]])
            #expect(try result.get() == Self.expectedParallel)
            #expect(first == 0)
        }

        @Test func sameMessageForEveryTwoWaySplit() throws {
            let bytes = Array(Self.parallelStream.utf8)
            for cut in 0...bytes.count {
                let (result, _) = Self.assemble([bytes[..<cut], bytes[cut...]])
                #expect(try result.get() == Self.expectedParallel, "cut at \(cut)")
            }
        }

        @Test func sameMessageForRandomSplits() throws {
            let bytes = Array(Self.parallelStream.utf8)
            var generator = SplitMix64(seed: 42)
            for _ in 0..<300 {
                var chunks: [ArraySlice<UInt8>] = []
                var start = 0
                while start < bytes.count {
                    let size = Int(generator.next() % 40) + 1
                    chunks.append(bytes[start..<min(bytes.count, start + size)])
                    start += size
                }
                #expect(try Self.assemble(chunks).0.get() == Self.expectedParallel)
            }
        }

        @Test func concatenatesContentAndReportsFirstTokenOnce() throws {
            let text =
                Self.chunk(["role": "assistant"]) + Self.chunk(["content": ""]) + Self.chunk(["content": "Hel"])
                + Self.chunk(["content": "lo"]) + Self.chunk([:], finish: "stop") + "data: [DONE]\n\n"
            let chunks = text.split(separator: "\n\n").map { Array(($0 + "\n\n").utf8)[...] }
            let (result, first) = Self.assemble(chunks)
            let body = try result.get()
            #expect(body["choices"]?[0]?["message"]?["content"] == "Hello")
            #expect(body["choices"]?[0]?["finish_reason"] == "stop")
            #expect(first == 2)
        }

        @Test func missingDoneIsAcceptedAfterAFinishReason() throws {
            let text = Self.chunk(["content": "Hi"]) + Self.chunk([:], finish: "stop")
            #expect(try Self.assemble([Array(text.utf8)[...]]).0.get()["choices"]?[0]?["message"]?["content"] == "Hi")
        }

        @Test func missingDoneWithoutFinishReasonIsBadSSE() {
            let text = Self.chunk(["content": "Hi"]) + Self.chunk(["content": " there"])
            #expect(throws: StreamAssemblyError.self) { try Self.assemble([Array(text.utf8)[...]]).0.get() }
        }

        @Test func nonJSONDataIsBadSSE() {
            let text = Self.chunk(["content": "Hi"]) + "data: {\"id\": \n\n" + "data: [DONE]\n\n"
            #expect(throws: StreamAssemblyError.self) { try Self.assemble([Array(text.utf8)[...]]).0.get() }
        }

        @Test func errorObjectInTheStreamCarriesTheStatusItStandsFor() {
            let text = Self.chunk(["content": "Hi"]) + "data: {\"error\": {\"message\": \"out of memory\"}}\n\n"
            let (result, _) = Self.assemble([Array(text.utf8)[...]])
            #expect(throws: StreamAssemblyError("out of memory", serverStatus: 500)) { try result.get() }
            let cases: [(JSONValue, Int)] = [
                (["message": "busy", "code": 503], 503), (["message": "slow down", "type": "rate_limit_error"], 429),
                (["message": "bad", "type": "invalid_request_error"], 400), ("plain text", 500),
            ]
            for (error, status) in cases { #expect(ChatStreamAssembler.status(ofStreamError: error) == status) }
        }

        @Test func aServerErrorIsClassifiedAlikeWithAndWithoutStreaming() {
            func result(stream: Bool, status: Int, contentType: String, body: String) -> BackendResponse {
                var transfer = ChatTransfer(stream: stream, cap: 1 << 20)
                transfer.head(status: status, headers: ["content-type": contentType])
                _ = Array(body.utf8).withUnsafeBytes { transfer.body($0, elapsedMs: { 1 }) }
                transfer.complete(nil)
                return transfer.result(cancelled: false, timedOut: false, timeout: 5, latencyMs: 2)
            }
            let error = #"{"error": {"code": 500, "message": "failed to decode", "type": "server_error"}}"#
            let plain = result(stream: false, status: 500, contentType: "application/json", body: error)
            let streamed = result(stream: true, status: 200, contentType: "text/event-stream", body: "data: \(error)\n\n")
            #expect(plain.errorClass == .http5xx && streamed.errorClass == .http5xx)
            #expect(streamed.errorMessage == "HTTP 500 (sent in the stream): failed to decode")
            let broken = result(stream: true, status: 200, contentType: "text/event-stream", body: "data: {\"id\": \n\n")
            #expect(broken.errorClass == .badSSE)
            #expect(plain.ttftMs == nil)
        }

        @Test func emptyStreamIsBadSSE() {
            #expect(throws: StreamAssemblyError.self) { try Self.assemble([Array("data: [DONE]\n\n".utf8)[...]]).0.get() }
        }

        @Test func eventsAfterDoneAreIgnored() throws {
            let text = Self.chunk(["content": "A"]) + "data: [DONE]\n\n" + "data: not json\n\n"
            #expect(try Self.assemble([Array(text.utf8)[...]]).0.get()["choices"]?[0]?["message"]?["content"] == "A")
        }

        @Test func argumentsSentAsAnObjectAreKeptAsAnObject() throws {
            let text =
                Self.chunk(["tool_calls": [["index": 0, "id": "c", "function": ["name": "f", "arguments": ["x": 1]]]]])
                + Self.chunk([:], finish: "tool_calls")
            let body = try Self.assemble([Array(text.utf8)[...]]).0.get()
            #expect(body["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["arguments"] == ["x": 1])
        }
    }
}

/// A small deterministic generator for reproducible random splits.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
