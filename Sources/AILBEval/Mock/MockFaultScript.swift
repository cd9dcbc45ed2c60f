import Foundation
import NIOHTTP1

/// How the mock answers under each `MockFault`: the normal answer as JSON or SSE, or that answer spoiled
/// (cut, dripped, padded to 50 MiB, hung up on), or an error status, or no answer at all.
enum MockFaultScript {
    /// Size of the `hugeBody` fault: 50 MiB, produced lazily, beyond the client's default 8 MiB cap.
    static let hugeBytes = 50 << 20

    /// The response to a chat request whose normal answer is `reply`, under `fault`; `stream` when the
    /// request asked for SSE. The `timeout` fault waits here for a day, or until the task is cancelled
    /// (the client went away or the server stopped).
    static func response(to reply: MockReply, with fault: MockFault, stream: Bool) async -> LoopbackHTTPResponse {
        switch fault {
        case .none, .dripBody, .dripByte, .resetMidBody, .badArguments, .noDone, .keepAlive, .cutMidEvent:
            if reply.status != 200 { return MockRouter.json(reply.status, reply.body) }
            return spoiled(fault == .badArguments ? breakingArguments(of: reply.body) : reply.body, by: fault, stream: stream)
        case .status500:
            return MockRouter.error(500, "simulated internal error")
        case .status502:
            return MockRouter.error(502, "simulated bad gateway")
        case .status503:
            return retryingLater(MockRouter.error(503, "simulated model reload"), after: "1")
        case .status429:
            return retryingLater(MockRouter.error(429, "simulated rate limit"), after: "1")
        case .status429Date:
            return retryingLater(MockRouter.error(429, "simulated rate limit"), after: httpDate(Date().addingTimeInterval(2)))
        case .timeout:
            try? await Task.sleep(for: .seconds(24 * 3600))
            return MockRouter.error(503, "server stopped")
        case .invalidJSON:
            if stream { return ok(.sse, "data: {\"id\": \"chatcmpl-broken\", \"choices\": [\n\ndata: [DONE]\n\n") }
            return ok(.json, #"{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "#)
        case .invalidUTF8:
            // 0xC3 0x28 is a lead byte with a bad continuation, 0xFF never occurs in UTF-8.
            let bad: [UInt8] = [0x63, 0x61, 0x66, 0xC3, 0x28, 0x20, 0xFF]
            if stream {
                let head = #"data: {"id":"chatcmpl-utf8","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""#
                return ok(.sse, Array(head.utf8) + bad + Array("\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".utf8))
            }
            let head = #"{"id":"chatcmpl-utf8","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""#
            return ok(.json, Array(head.utf8) + bad + Array(#""},"finish_reason":"stop"}]}"#.utf8))
        case .noChoices:
            var empty = reply.body.objectValue ?? [:]
            empty["choices"] = []
            guard stream else { return MockRouter.json(200, .object(empty)) }
            var chunk = empty
            chunk["object"] = "chat.completion.chunk"
            return ok(.sse, "data: " + JSONValue.object(chunk).compactText + "\n\ndata: [DONE]\n\n")
        case .truncatedSSE:
            return ok(.sse, MockStream.events(for: reply.body, finish: false))
        case .hugeBody:
            return huge(stream: stream)
        }
    }

    /// The normal answer (as JSON or SSE) with the fault's damage, or unchanged for `none`/`badArguments`.
    private static func spoiled(_ completion: JSONValue, by fault: MockFault, stream: Bool) -> LoopbackHTTPResponse {
        var bytes = stream ? MockStream.events(for: completion) : MockRouter.encode(completion)
        let kind: BodyKind = stream ? .sse : .json
        let length = stream ? nil : bytes.count
        switch fault {
        case .dripBody:
            return scripted(kind, drip(bytes), declaredLength: length)
        case .dripByte:
            return scripted(kind, drip(bytes, pieceSize: 1, pause: 1), declaredLength: length)
        case .resetMidBody:
            return scripted(kind, [.bytes(Array(bytes.prefix(bytes.count / 2))), .hangUp], declaredLength: length)
        case .cutMidEvent:
            bytes = stream ? MockStream.cutInLastEvent(bytes) : Array(bytes.prefix(bytes.count * 2 / 3))
        case .noDone where stream:
            bytes = MockStream.withoutDone(bytes)
        case .keepAlive where stream:
            bytes = MockStream.withKeepAlives(bytes)
        default:
            break
        }
        return ok(kind, bytes)
    }

    /// 50 MiB of well-formed JSON or SSE, written only as fast as the client reads it.
    private static func huge(stream: Bool) -> LoopbackHTTPResponse {
        if stream {
            let piece = Array(("data: " + MockStream.contentChunk(String(repeating: "x", count: 4000)) + "\n\n").utf8)
            let done = Array(("data: " + MockStream.finishChunk + "\n\ndata: [DONE]\n\n").utf8)
            return scripted(.sse, [.repeated(piece, times: hugeBytes / piece.count + 1), .bytes(done)], declaredLength: nil)
        }
        let head = Array(#"{"id":"chatcmpl-huge","object":"chat.completion","choices":[],"padding":""#.utf8)
        let tail = Array("\"}".utf8)
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        let count = hugeBytes / filler.count
        return scripted(
            .json, [.bytes(head), .repeated(filler, times: count), .bytes(tail)],
            declaredLength: head.count + filler.count * count + tail.count)
    }

    /// The `dripBody` schedule (16 pieces, 150 ms apart), or pieces of `pieceSize` bytes `pause` seconds
    /// apart (`dripByte`: one byte a second).
    static func drip(_ bytes: [UInt8], pieceSize: Int? = nil, pause: Double = 0.15) -> [LoopbackHTTPResponse.Step] {
        let size = max(1, pieceSize ?? (bytes.count + 15) / 16)
        var steps: [LoopbackHTTPResponse.Step] = []
        var start = 0
        while start < bytes.count {
            if start > 0 { steps.append(.pause(seconds: pause)) }
            steps.append(.bytes(Array(bytes[start..<min(start + size, bytes.count)])))
            start += size
        }
        return steps
    }

    /// The completion with every tool call's `arguments` cut in half: text that is not valid JSON, as a
    /// model that ran out of tokens or lost track of its braces produces.
    static func breakingArguments(of completion: JSONValue) -> JSONValue {
        guard var body = completion.objectValue, var choices = body["choices"]?.arrayValue, !choices.isEmpty,
            var choice = choices[0].objectValue, var message = choice["message"]?.objectValue,
            let calls = message["tool_calls"]?.arrayValue
        else { return completion }
        message["tool_calls"] = .array(
            calls.map { call in
                guard var object = call.objectValue, var function = object["function"]?.objectValue else { return call }
                let text = function["arguments"].map { $0.stringValue ?? $0.compactText } ?? "{}"
                function["arguments"] = .string(String(text.prefix(max(1, text.count / 2))))
                object["function"] = .object(function)
                return .object(object)
            })
        choice["message"] = .object(message)
        choices[0] = .object(choice)
        body["choices"] = .array(choices)
        return .object(body)
    }

    /// An HTTP date (IMF-fixdate, RFC 9110 §5.6.7), formatted by hand: DateFormatter is locale-sensitive.
    static func httpDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }

    private enum BodyKind {
        case json, sse

        var headers: HTTPHeaders { self == .sse ? MockRouter.sseHeaders : MockRouter.jsonHeaders }
    }

    private static func ok(_ kind: BodyKind, _ bytes: [UInt8]) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: .ok, headers: kind.headers, bytes: bytes)
    }

    private static func ok(_ kind: BodyKind, _ text: String) -> LoopbackHTTPResponse { ok(kind, Array(text.utf8)) }

    private static func scripted(
        _ kind: BodyKind, _ steps: [LoopbackHTTPResponse.Step], declaredLength: Int?
    )
        -> LoopbackHTTPResponse
    {
        LoopbackHTTPResponse(status: .ok, headers: kind.headers, body: .script(steps, declaredLength: declaredLength))
    }

    private static func retryingLater(_ response: LoopbackHTTPResponse, after value: String) -> LoopbackHTTPResponse {
        var response = response
        response.headers.replaceOrAdd(name: "Retry-After", value: value)
        return response
    }
}
