import FlyingFox
import FlyingSocks
import Foundation

/// The built-in simulated OpenAI-compatible server (`kind: mock` backends), served in-process on
/// 127.0.0.1 only. Answers come from `MockResponder`; faults from `MockFault`.
///
/// Routes: `POST /mock/<name>/v1/chat/completions` (JSON, or SSE when `"stream": true`) and
/// `GET /mock/<name>/v1/models`; with exactly one backend also `/v1/…`.
public final class MockServer: Sendable {
    private let core: MockServerCore
    private let state = BackendLockedState<RunningServer?>(nil)

    private struct RunningServer: Sendable {
        var server: HTTPServer
        var task: Task<Void, any Error>
        var port: UInt16
    }

    /// A server for these backends (their `mock` behaviour is used; nil means always the expected answer)
    /// that knows the cases of `suites`. `faults` makes a backend fail on every request (tests). A backend
    /// named in `apiKeys` behaves like a server started with an API key (vLLM's `--api-key`): requests
    /// without `Authorization: Bearer <key>` get 401. With `recordsRequests` the server keeps every chat
    /// request body it receives (`receivedRequests`), for tests that check what a client sent.
    public init(
        backends: [BackendConfig], suites: [Suite], faults: [String: MockFault] = [:], apiKeys: [String: String] = [:],
        recordsRequests: Bool = false
    ) {
        core = MockServerCore(
            backends: backends, responder: MockResponder(suites: suites), faults: faults, apiKeys: apiKeys,
            control: MockControl(recordsRequests: recordsRequests))
    }

    /// A chat request as the server received it.
    public struct ReceivedRequest: Sendable {
        /// The mock backend it was sent to.
        public var backend: String
        /// The parsed request body.
        public var body: JSONValue
    }

    /// The chat requests received so far, in order of arrival (empty unless `recordsRequests`).
    public var receivedRequests: [ReceivedRequest] { core.control.received.read { $0 } }

    /// Forgets the requests received so far.
    public func clearReceivedRequests() {
        core.control.received.write { $0.removeAll() }
    }

    /// Makes `backend` fail with `fault` from the next request on (nil: as configured again), while the
    /// server runs: a server that was down and came back. An `X-Mock-Fault` header still wins.
    public func setFault(_ fault: MockFault?, for backend: String) {
        core.control.faults.write { $0[backend] = fault }
    }

    /// Starts listening on 127.0.0.1 (port 0: any free port) and returns the port. `listenTimeout`: how long
    /// to wait for the listener to come up (a test process whose tasks are all busy may need longer).
    public func start(port: UInt16 = 0, listenTimeout: Double = 10) async throws -> UInt16 {
        if let running = state.read({ $0 }) { return running.port }
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
        // The handler timeout is FlyingFox's, not ours: the `timeout` fault must be able to hang for as
        // long as any client is willing to wait.
        let config = HTTPServer.Configuration(address: address, timeout: 24 * 3600, logger: .disabled)
        let core = self.core
        let server = HTTPServer(config: config, handler: ClosureHTTPHandler { request in await core.handle(request) })
        let task = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: listenTimeout)
        } catch {
            task.cancel()
            if case .failure(let runError) = await task.result { throw runError }
            throw error
        }
        guard case .ip4(_, let boundPort)? = await server.listeningAddress else {
            await server.stop()
            task.cancel()
            throw SocketError.unsupportedAddress
        }
        ListeningSocketTuning.disableNagle(onListenerAt: boundPort)
        state.write { $0 = RunningServer(server: server, task: task, port: boundPort) }
        return boundPort
    }

    /// The port while running.
    public var port: UInt16? { state.read { $0?.port } }

    /// The OpenAI base URL of a mock backend (`http://127.0.0.1:PORT/mock/<name>/v1`), or nil when the
    /// server is not running or the backend is unknown.
    public func baseURL(for backend: String) -> URL? {
        guard let port, core.backends[backend] != nil,
            let escaped = backend.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        else { return nil }
        return URL(string: "http://127.0.0.1:\(port)/mock/\(escaped)/v1")
    }

    /// Stops listening and drops open connections (hanging `timeout` requests included).
    public func stop() async {
        guard let running = state.write({ value -> RunningServer? in
            defer { value = nil }
            return value
        }) else { return }
        await running.server.stop(timeout: 0)
        running.task.cancel()
        _ = await running.task.result
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

/// The request handling, separate from the lifecycle so the handler closure captures only immutable data.
struct MockServerCore: Sendable {
    let backends: [String: BackendConfig]
    let responder: MockResponder
    let faults: [String: MockFault]
    let apiKeys: [String: String]
    let soleBackend: String?
    let control: MockControl

    init(
        backends: [BackendConfig], responder: MockResponder, faults: [String: MockFault], apiKeys: [String: String] = [:],
        control: MockControl = MockControl(recordsRequests: false)
    ) {
        self.apiKeys = apiKeys
        self.control = control
        var byName: [String: BackendConfig] = [:]
        for backend in backends where byName[backend.name] == nil { byName[backend.name] = backend }
        self.backends = byName
        self.responder = responder
        self.faults = faults
        soleBackend = byName.count == 1 ? byName.keys.first : nil
    }

    static let jsonHeaders: HTTPHeaders = [.contentType: "application/json"]
    static let sseHeaders: HTTPHeaders = [.contentType: "text/event-stream", HTTPHeader("Cache-Control"): "no-cache"]

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map { String($0) }
        let name: String
        let rest: ArraySlice<String>
        if parts.count >= 2, parts[0] == "mock" {
            name = parts[1].removingPercentEncoding ?? parts[1]
            rest = parts[2...]
        } else if let sole = soleBackend, parts.first == "v1" {
            name = sole
            rest = parts[...]
        } else {
            return Self.error(404, "no such route: \(request.path)")
        }
        guard let backend = backends[name] else { return Self.error(404, "unknown mock backend '\(name)'") }
        switch (request.method, Array(rest)) {
        case (.GET, ["v1", "models"]):
            return Self.json(200, Self.models(backend))
        case (.POST, ["v1", "chat", "completions"]):
            return await chat(request, backend: backend)
        case (_, ["v1", "models"]), (_, ["v1", "chat", "completions"]):
            return Self.error(405, "method \(request.method.rawValue) not allowed")
        default:
            return Self.error(404, "no such route: \(request.path)")
        }
    }

    private func chat(_ request: HTTPRequest, backend: BackendConfig) async -> HTTPResponse {
        if let key = apiKeys[backend.name], request.headers[HTTPHeader("Authorization")] != "Bearer \(key)" {
            // Like a real server, never echo the credential that was sent.
            return Self.error(401, "invalid or missing API key")
        }
        let fault: MockFault
        if let header = request.headers[HTTPHeader("X-Mock-Fault")] {
            guard let parsed = MockFault(rawValue: header) else {
                return Self.error(400, "unknown X-Mock-Fault '\(header)'; known: \(MockFault.allCases.map(\.rawValue))")
            }
            fault = parsed
        } else {
            fault = control.faults.read { $0[backend.name] } ?? faults[backend.name] ?? backend.mock?.fault ?? .none
        }
        let body: JSONValue
        do {
            body = try JSONValue(parsing: try await request.bodyData)
        } catch {
            return Self.error(400, "request body is not JSON")
        }
        guard body.objectValue != nil else { return Self.error(400, "request body is not a JSON object") }
        if control.recordsRequests {
            control.received.write { $0.append(MockServer.ReceivedRequest(backend: backend.name, body: body)) }
        }
        let stream = body["stream"]?.boolValue == true
        let reply = responder.reply(to: body, backend: backend.name, behavior: backend.mock ?? MockBehavior())
        if reply.delayMs > 0 { try? await Task.sleep(for: .milliseconds(reply.delayMs)) }

        switch fault {
        case .none, .dripBody, .dripByte, .resetMidBody, .badArguments, .noDone, .keepAlive, .cutMidEvent:
            if reply.status != 200 { return Self.json(reply.status, reply.body) }
            let completion = fault == .badArguments ? MockStream.breakingArguments(of: reply.body) : reply.body
            var bytes = stream ? MockStream.events(for: completion) : Self.encode(completion)
            let headers = stream ? Self.sseHeaders : Self.jsonHeaders
            switch fault {
            case .dripBody:
                return Self.scripted(200, headers, MockStream.drip(bytes), length: stream ? nil : bytes.count)
            case .dripByte:
                return Self.scripted(200, headers, MockStream.drip(bytes, pieceSize: 1, pause: 1), length: stream ? nil : bytes.count)
            case .resetMidBody:
                let half = Array(bytes.prefix(bytes.count / 2))
                return Self.scripted(200, headers, [.bytes(half), .fail], length: stream ? nil : bytes.count)
            case .cutMidEvent:
                bytes = stream ? MockStream.cutInLastEvent(bytes) : Array(bytes.prefix(bytes.count * 2 / 3))
            case .noDone where stream:
                bytes = MockStream.withoutDone(bytes)
            case .keepAlive where stream:
                bytes = MockStream.withKeepAlives(bytes)
            default:
                break
            }
            return HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: headers, body: Data(bytes))
        case .status500:
            return Self.error(500, "simulated internal error")
        case .status502:
            return Self.error(502, "simulated bad gateway")
        case .status503:
            var response = Self.error(503, "simulated model reload")
            response.headers[HTTPHeader("Retry-After")] = "1"
            return response
        case .status429:
            var response = Self.error(429, "simulated rate limit")
            response.headers[HTTPHeader("Retry-After")] = "1"
            return response
        case .status429Date:
            var response = Self.error(429, "simulated rate limit")
            response.headers[HTTPHeader("Retry-After")] = Self.httpDate(Date().addingTimeInterval(2))
            return response
        case .timeout:
            try? await Task.sleep(for: .seconds(24 * 3600))
            return Self.error(503, "server stopped")
        case .invalidJSON:
            if stream {
                return HTTPResponse(
                    statusCode: HTTPStatusCode(200, phrase: "OK"), headers: Self.sseHeaders,
                    body: Data("data: {\"id\": \"chatcmpl-broken\", \"choices\": [\n\ndata: [DONE]\n\n".utf8))
            }
            return HTTPResponse(
                statusCode: HTTPStatusCode(200, phrase: "OK"), headers: Self.jsonHeaders,
                body: Data(#"{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "#.utf8))
        case .invalidUTF8:
            // 0xC3 0x28 is a lead byte with a bad continuation, 0xFF never occurs in UTF-8.
            let bad: [UInt8] = [0x63, 0x61, 0x66, 0xC3, 0x28, 0x20, 0xFF]
            if stream {
                let chunk =
                    Array(#"data: {"id":"chatcmpl-utf8","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""#.utf8)
                    + bad + Array(#""},"finish_reason":"stop"}]}"#.utf8) + Array("\n\ndata: [DONE]\n\n".utf8)
                return HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: Self.sseHeaders, body: Data(chunk))
            }
            let body =
                Array(#"{"id":"chatcmpl-utf8","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""#.utf8)
                + bad + Array(#""},"finish_reason":"stop"}]}"#.utf8)
            return HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: Self.jsonHeaders, body: Data(body))
        case .noChoices:
            var empty = reply.body.objectValue ?? [:]
            empty["choices"] = []
            if stream {
                var chunk = empty
                chunk["object"] = "chat.completion.chunk"
                let text = "data: " + JSONValue.object(chunk).compactText + "\n\ndata: [DONE]\n\n"
                return HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: Self.sseHeaders, body: Data(text.utf8))
            }
            return Self.json(200, .object(empty))
        case .truncatedSSE:
            let events = MockStream.events(for: reply.body, finish: false)
            return HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: Self.sseHeaders, body: Data(events))
        case .hugeBody:
            if stream {
                let piece = Array(("data: " + MockStream.contentChunk(String(repeating: "x", count: 4000)) + "\n\n").utf8)
                let count = MockStream.hugeBytes / piece.count + 1
                let done = Array(("data: " + MockStream.finishChunk + "\n\ndata: [DONE]\n\n").utf8)
                return Self.scripted(200, Self.sseHeaders, [.repeated(piece, count), .bytes(done)], length: nil)
            }
            let head = Array(#"{"id":"chatcmpl-huge","object":"chat.completion","choices":[],"padding":""#.utf8)
            let tail = Array("\"}".utf8)
            let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
            let count = MockStream.hugeBytes / filler.count
            return Self.scripted(
                200, Self.jsonHeaders, [.bytes(head), .repeated(filler, count), .bytes(tail)],
                length: head.count + filler.count * count + tail.count)
        }
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

    static func encode(_ value: JSONValue) -> [UInt8] {
        Array(JSONWriter(sortKeys: false, asciiOnly: false, spaced: false).string(value).utf8)
    }

    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(statusCode: statusCode(status), headers: jsonHeaders, body: Data(encode(value)))
    }

    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, MockResponder.errorBody(message: message, status: status))
    }

    static func statusCode(_ status: Int) -> HTTPStatusCode {
        let phrases = [
            200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return HTTPStatusCode(status, phrase: phrases[status] ?? "Status \(status)")
    }

    static func scripted(_ status: Int, _ headers: HTTPHeaders, _ steps: [ScriptedBytes.Step], length: Int?) -> HTTPResponse {
        let sequence = ScriptedBytes(steps: steps)
        let body =
            if let length { HTTPBodySequence(from: sequence, count: length, suggestedBufferSize: 64 * 1024) } else {
                HTTPBodySequence(from: sequence, suggestedBufferSize: 64 * 1024)
            }
        return HTTPResponse(statusCode: statusCode(status), headers: headers, body: body)
    }

    /// The model list: the configured id; for `model: auto`, a made-up id after the preferred models, so
    /// that resolution has something to choose either way.
    static func models(_ backend: BackendConfig) -> JSONValue {
        let ids = backend.modelIsAuto ? backend.preferredModels + ["mock-\(backend.name)"] : [backend.model]
        return [
            "object": "list",
            "data": .array(
                ids.map { ["id": .string($0), "object": "model", "created": 1_735_689_600, "owned_by": "ailb-eval-mock"] }),
        ]
    }
}

/// Turns a `chat.completion` body into the `chat.completion.chunk` event stream a real server would send.
enum MockStream {
    /// Size of the `hugeBody` fault: 50 MiB, produced lazily, beyond the client's default 8 MiB cap.
    static let hugeBytes = 50 << 20

    static let finishChunk = #"{"id":"chatcmpl-huge","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#

    static func contentChunk(_ text: String) -> String {
        JSONValue.object([
            "id": "chatcmpl-huge", "object": "chat.completion.chunk",
            "choices": [["index": 0, "delta": ["content": .string(text)], "finish_reason": .null]],
        ]).compactText
    }

    /// The SSE bytes of `completion`: a keep-alive comment, a role chunk, content in word-sized pieces,
    /// each tool call as a header chunk and two argument pieces, a final chunk with finish_reason and
    /// usage, and `[DONE]`. With `finish: false` it stops after the content (the `truncatedSSE` fault).
    static func events(for completion: JSONValue, finish: Bool = true) -> [UInt8] {
        let message = completion["choices"]?[0]?["message"] ?? [:]
        var base = completion.objectValue ?? [:]
        base["object"] = "chat.completion.chunk"
        base.removeValue(forKey: "choices")
        base.removeValue(forKey: "usage")
        var out = ": mock keep-alive\n\n"
        func emit(_ delta: JSONValue, finishReason: JSONValue = .null, usage: JSONValue? = nil) {
            var chunk = base
            chunk["choices"] = [["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finishReason]]
            if let usage { chunk["usage"] = usage }
            out += "data: " + JSONWriter(sortKeys: false, asciiOnly: false, spaced: false).string(.object(chunk)) + "\n\n"
        }
        emit(["role": "assistant", "content": ""])
        if let content = message["content"]?.stringValue {
            for piece in wordPieces(content) { emit(["content": .string(piece)]) }
        }
        for (n, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            emit([
                "tool_calls": [
                    [
                        "index": .int(n), "id": call["id"] ?? .null, "type": "function",
                        "function": ["name": call["function"]?["name"] ?? .null, "arguments": ""],
                    ]
                ]
            ])
            switch call["function"]?["arguments"] {
            case .string(let text)?:
                let cut = text.index(text.startIndex, offsetBy: text.count / 2)
                for piece in [String(text[..<cut]), String(text[cut...])] where !piece.isEmpty {
                    emit(["tool_calls": [["index": .int(n), "function": ["arguments": .string(piece)]]]])
                }
            case let value?:
                emit(["tool_calls": [["index": .int(n), "function": ["arguments": value]]]])
            case nil:
                break
            }
        }
        if finish {
            let reason = completion["choices"]?[0]?["finish_reason"] ?? "stop"
            emit([:], finishReason: reason, usage: completion["usage"])
            out += "data: [DONE]\n\n"
        }
        return Array(out.utf8)
    }

    /// Splits text after each space, so the pieces concatenate back to the text.
    static func wordPieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty || pieces.isEmpty { pieces.append(current) }
        return pieces
    }

    /// The `dripBody` schedule (16 pieces, 150 ms apart), or pieces of `pieceSize` bytes `pause` seconds
    /// apart (`dripByte`: one byte a second).
    static func drip(_ bytes: [UInt8], pieceSize: Int? = nil, pause: Double = 0.15) -> [ScriptedBytes.Step] {
        let size = max(1, pieceSize ?? (bytes.count + 15) / 16)
        var steps: [ScriptedBytes.Step] = []
        var start = 0
        while start < bytes.count {
            if start > 0 { steps.append(.pause(pause)) }
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

    /// The stream up to the middle of its last JSON event (the one with `finish_reason`): the connection
    /// then ends cleanly, so only the framing shows the answer is incomplete.
    static func cutInLastEvent(_ bytes: [UInt8]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let withoutDone = text.replacingOccurrences(of: "data: [DONE]\n\n", with: "")
        guard let last = withoutDone.range(of: "data: {", options: .backwards) else { return Array(bytes.prefix(bytes.count / 2)) }
        let start = withoutDone.utf8.distance(from: withoutDone.startIndex, to: last.lowerBound)
        return Array(withoutDone.utf8.prefix(start + 24))
    }

    /// The stream without its closing `data: [DONE]` event.
    static func withoutDone(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "data: [DONE]\n\n", with: "").utf8)
    }

    /// The stream as a chatty proxy sends it: CRLF line ends, a `retry:` field, an `id:` per event, and
    /// comment and blank keep-alive lines between events.
    static func withKeepAlives(_ bytes: [UInt8]) -> [UInt8] {
        let events = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        var out = "retry: 3000\r\n\r\n"
        for (n, event) in events.enumerated() {
            out += ": keep-alive \(n)\r\n\r\n\r\n:\r\n"
            out += "id: \(n)\r\n" + event.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\n"
        }
        return Array(out.utf8)
    }
}

/// A response body produced step by step: bytes, repeated bytes, pauses, and a failure that makes the
/// server drop the connection mid-body.
struct ScriptedBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8

    enum Step: Sendable {
        case bytes([UInt8])
        case repeated([UInt8], Int)
        case pause(Double)
        case fail
    }

    struct ResetError: Error {}

    let steps: [Step]

    func makeAsyncIterator() -> Iterator { Iterator(steps: steps) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        let steps: [Step]
        var step = 0
        var offset = 0
        var repeatsSent = 0

        mutating func next() async throws -> UInt8? {
            try await nextBuffer(suggested: 1)?.first
        }

        mutating func nextBuffer(suggested count: Int) async throws -> ArraySlice<UInt8>? {
            while step < steps.count {
                switch steps[step] {
                case .bytes(let bytes):
                    if offset < bytes.count {
                        let end = Swift.min(bytes.count, offset + Swift.max(count, 1))
                        defer { offset = end }
                        return bytes[offset..<end]
                    }
                case .repeated(let bytes, let times):
                    if repeatsSent < times, !bytes.isEmpty {
                        repeatsSent += 1
                        return bytes[...]
                    }
                case .pause(let seconds):
                    step += 1
                    try await Task.sleep(for: .seconds(seconds))
                    continue
                case .fail:
                    throw ResetError()
                }
                step += 1
                offset = 0
                repeatsSent = 0
            }
            return nil
        }
    }
}
