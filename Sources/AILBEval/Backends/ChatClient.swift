import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One chat-completion request to one OpenAI-compatible server.
public struct ChatRequest: Sendable {
    /// The server's OpenAI base URL, ending in `/v1`; the client posts to `{baseURL}/chat/completions`.
    public var baseURL: URL
    /// The full OpenAI chat request (model, messages, tools, …). Its `"stream"` is overwritten from `stream`.
    public var body: JSONValue
    /// Extra headers (`Authorization`, a backend's configured headers, `X-Execution-Mode`).
    public var headers: [String: String]
    /// Ask for a `text/event-stream` answer (needed for time-to-first-token).
    public var stream: Bool
    /// Seconds allowed for one attempt, headers and whole body included.
    public var timeout: Double
    /// When to try again.
    public var retry: RetryPolicy
    /// Whether a 2xx body must be a chat completion (with `choices`); false accepts any JSON object, for
    /// ai-lb's multi-backend answers, which wrap the completions of its members.
    public var expectsCompletion: Bool

    /// A request; the defaults suit a local server.
    public init(
        baseURL: URL, body: JSONValue, headers: [String: String] = [:], stream: Bool = false, timeout: Double = 120,
        retry: RetryPolicy = RetryPolicy(), expectsCompletion: Bool = true
    ) {
        self.expectsCompletion = expectsCompletion
        self.baseURL = baseURL
        self.body = body
        self.headers = headers
        self.stream = stream
        self.timeout = timeout
        self.retry = retry
    }
}

/// Sends chat-completion requests over one private `URLSession` and turns every outcome into a
/// `BackendResponse`: never throws, so a run goes on whatever a backend does.
///
/// Why a private session with a session-level delegate: `URLSession.shared` allows 6 connections per host
/// and cannot be reconfigured; `URLSession.bytes(for:)` does not exist on Linux, and per-task delegates are
/// unreliable there. The delegate routes each task's events by task identifier into an `AsyncStream` read
/// by the request that owns it, which enforces the total timeout and the body size cap itself
/// (`timeoutIntervalForRequest` is an idle timeout and would let a dripping server run forever).
public final class ChatClient: Sendable {
    private let session: URLSession
    private let router: TransferRouter
    /// Bodies longer than this are cut off and reported as `too_large`.
    public let maxResponseBytes: Int

    /// A client allowing `maxConnectionsPerHost` parallel connections to one server (keep it at least the
    /// run's concurrency, or requests queue inside URLSession and their latency is overstated).
    public init(maxConnectionsPerHost: Int = 256, maxResponseBytes: Int = 8 << 20) {
        self.maxResponseBytes = max(1, maxResponseBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnectionsPerHost)
        configuration.timeoutIntervalForRequest = 7 * 24 * 3600
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        let router = TransferRouter()
        let queue = OperationQueue()
        // One serial queue keeps each task's events in order; the work per event is tiny.
        queue.maxConcurrentOperationCount = 1
        self.router = router
        session = URLSession(configuration: configuration, delegate: router, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Cancels every request in flight and releases the session; the client cannot be used afterwards.
    public func invalidate() {
        session.invalidateAndCancel()
    }

    /// Sends `request`, retrying per its policy, and reports the final attempt.
    public func send(_ request: ChatRequest) async -> BackendResponse {
        let url = request.baseURL.appendingPathComponent("chat").appendingPathComponent("completions")
        let shownURL = Self.redacted(url)
        var body = request.body.objectValue ?? [:]
        body["stream"] = .bool(request.stream)
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = "POST"
        urlRequest.httpBody = Data(JSONWriter(sortKeys: false, asciiOnly: false, spaced: false).string(.object(body)).utf8)
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue(request.stream ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }

        var attempt = 1
        while true {
            var outcome = await perform(
                urlRequest, stream: request.stream, timeout: request.timeout, expectsCompletion: request.expectsCompletion)
            outcome.response.attempts = attempt
            outcome.response.url = shownURL
            guard let errorClass = outcome.response.errorClass, errorClass != .cancelled,
                let wait = request.retry.delay(
                    afterAttempt: attempt, errorClass: errorClass, retryAfter: outcome.retryAfter,
                    random: Double.random(in: 0..<1))
            else { return outcome.response }
            do {
                try await Task.sleep(for: .seconds(wait))
            } catch {
                outcome.response.errorClass = .cancelled
                outcome.response.errorMessage = "cancelled while waiting to retry after: \(outcome.response.errorMessage ?? "")"
                return outcome.response
            }
            attempt += 1
        }
    }

    /// The result of one attempt, plus what the retry decision needs.
    private struct Outcome {
        var response: BackendResponse
        var retryAfter: Double?
    }

    private func perform(_ urlRequest: URLRequest, stream: Bool, timeout: Double, expectsCompletion: Bool) async
        -> Outcome
    {
        let start = ContinuousClock.now
        func elapsedMs() -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        if Task.isCancelled {
            return Outcome(response: BackendResponse(errorClass: .cancelled, errorMessage: "cancelled before sending", latencyMs: 0))
        }
        let task = session.dataTask(with: urlRequest)
        let (events, sink) = AsyncStream.makeStream(of: TransferEvent.self)
        router.register(task.taskIdentifier, sink)
        defer { router.unregister(task.taskIdentifier) }
        let timedOut = BackendLockedState(false)
        let timer = Task {
            try await Task.sleep(for: .seconds(max(0.001, timeout)))
            timedOut.write { $0 = true }
            task.cancel()
        }
        defer { timer.cancel() }

        var transfer = Transfer(stream: stream, cap: maxResponseBytes, expectsCompletion: expectsCompletion)
        await withTaskCancellationHandler {
            task.resume()
            for await event in events {
                if !transfer.handle(event, elapsedMs: elapsedMs) {
                    // Too large or a broken stream: stop the download now rather than at the timeout.
                    if !transfer.completed { task.cancel() }
                    break
                }
            }
        } onCancel: {
            task.cancel()
        }
        let latency = elapsedMs()
        let response = transfer.result(
            cancelled: Task.isCancelled, timedOut: timedOut.read { $0 }, timeout: timeout, latencyMs: latency)
        return Outcome(response: response, retryAfter: transfer.retryAfter)
    }

    /// The URL as recorded: without user and password, should anyone put credentials there.
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            components.user != nil || components.password != nil
        else { return url.absoluteString }
        components.user = nil
        components.password = nil
        return components.url?.absoluteString ?? url.absoluteString
    }
}

/// What URLSession reported about one task.
enum TransferEvent: @unchecked Sendable {
    case response(HTTPURLResponse?)
    case data(Data)
    case complete((any Error)?)
}

/// The accumulated state of one attempt, and its classification. Mutated only by the task that owns it.
private struct Transfer {
    let stream: Bool
    let cap: Int
    var status: Int?
    var contentType = ""
    var retryAfter: Double?
    var raw = Data()
    var tooLarge = false
    var completed = false
    var transportError: (any Error)?
    var ttftMs: Double?
    var firstByteMs: Double?
    var parser = SSEParser()
    var assembler = ChatStreamAssembler()
    var streamError: String?
    let expectsCompletion: Bool
    var headers: [String: String] = [:]

    init(stream: Bool, cap: Int, expectsCompletion: Bool) {
        self.stream = stream
        self.cap = cap
        self.expectsCompletion = expectsCompletion
    }

    /// An event stream is parsed on the fly (for TTFT); a JSON answer, or an error status, is parsed at the end.
    var parsesStream: Bool {
        stream && (200..<300).contains(status ?? 0) && !contentType.contains("json")
    }

    /// Folds in one event; false means "stop the transfer".
    mutating func handle(_ event: TransferEvent, elapsedMs: () -> Double) -> Bool {
        switch event {
        case .response(let http):
            status = http?.statusCode
            for (key, value) in http?.allHeaderFields ?? [:] {
                if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
            }
            contentType = (Self.header("Content-Type", in: http) ?? "").lowercased()
            if let value = Self.header("Retry-After", in: http) {
                retryAfter = RetryPolicy.parseRetryAfter(value, now: Date())
            }
            return true
        case .data(let data):
            if firstByteMs == nil, !data.isEmpty { firstByteMs = elapsedMs() }
            let room = cap - raw.count
            let accepted = data.count > room ? data.prefix(room) : data
            raw.append(accepted)
            if parsesStream, streamError == nil {
                for event in parser.feed(accepted) {
                    do {
                        if try assembler.consume(event), ttftMs == nil { ttftMs = elapsedMs() }
                    } catch {
                        streamError = error.message
                        return false
                    }
                }
            }
            if data.count > room {
                tooLarge = true
                return false
            }
            return true
        case .complete(let error):
            completed = true
            transportError = error
            return false
        }
    }

    static func header(_ name: String, in response: HTTPURLResponse?) -> String? {
        guard let response else { return nil }
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, key.caseInsensitiveCompare(name) == .orderedSame { return value as? String }
        }
        return nil
    }

    mutating func result(cancelled: Bool, timedOut: Bool, timeout: Double, latencyMs: Double) -> BackendResponse {
        var response = BackendResponse(
            httpStatus: status, latencyMs: latencyMs, ttftMs: stream && parsesStream ? ttftMs : firstByteMs,
            rawBody: String(decoding: raw, as: UTF8.self))
        response.headers = headers
        func fail(_ errorClass: ErrorClass, _ message: String) -> BackendResponse {
            response.errorClass = errorClass
            response.errorMessage = message
            return response
        }
        if cancelled { return fail(.cancelled, "cancelled") }
        if tooLarge { return fail(.tooLarge, "response body exceeded \(cap) bytes") }
        if let streamError { return fail(.badSSE, streamError) }
        if timedOut {
            let stage = status == nil ? "no response headers" : "the body was incomplete"
            return fail(.timeout, "timed out after \(PythonFloat.repr(timeout)) s (\(stage))")
        }
        if let error = transportError ?? (completed ? nil : TransferIncomplete()) {
            let description = Self.describe(error)
            guard let status else {
                if let urlError = error as? URLError, urlError.code == .timedOut {
                    return fail(.timeout, "timed out: \(description)")
                }
                return fail(.connect, "could not connect: \(description)")
            }
            if !(200..<300).contains(status) { return classifyStatus(status, &response) }
            if stream { return fail(.badSSE, "connection lost after \(raw.count) bytes of the stream: \(description)") }
            return fail(.badJSON, "connection lost after \(raw.count) bytes of the body: \(description)")
        }
        guard let status else { return fail(.connect, "no HTTP response") }
        if !(200..<300).contains(status) { return classifyStatus(status, &response) }
        if parsesStream {
            do {
                for event in parser.finish() {
                    if try assembler.consume(event), ttftMs == nil { ttftMs = latencyMs }
                }
                let assembled = try assembler.finish()
                if let problem = Self.completionProblem(assembled) { return fail(.badJSON, "the stream's " + problem) }
                response.body = assembled
                response.ttftMs = ttftMs
                return response
            } catch {
                return fail(.badSSE, error.message)
            }
        }
        guard !raw.isEmpty else { return fail(.badJSON, "HTTP \(status) with an empty body") }
        let parsed: JSONValue
        do {
            parsed = try JSONValue(parsing: raw)
        } catch {
            return fail(.badJSON, "HTTP \(status) body is not JSON: \(error.description)")
        }
        guard parsed.objectValue != nil else { return fail(.badJSON, "HTTP \(status) body is JSON but not an object") }
        if expectsCompletion, let problem = Self.completionProblem(parsed) {
            return fail(.badJSON, "HTTP \(status) body: " + problem)
        }
        response.body = parsed
        return response
    }

    /// Why a JSON object is not a usable chat completion, or nil when it is one. Only `choices` is
    /// required: without a choice there is no answer to compare, whatever else the server sent.
    static func completionProblem(_ body: JSONValue) -> String? {
        guard let choices = body["choices"] else { return "completion has no 'choices'" }
        guard let list = choices.arrayValue else { return "'choices' is not a list" }
        guard let first = list.first else { return "completion has an empty 'choices' list" }
        guard first.objectValue != nil else { return "'choices[0]' is not an object" }
        return nil
    }

    func classifyStatus(_ status: Int, _ response: inout BackendResponse) -> BackendResponse {
        let errorClass: ErrorClass = status == 429 ? .http429 : (status >= 500 ? .http5xx : .http4xx)
        var detail = ""
        if let body = try? JSONValue(parsing: raw) {
            detail =
                body["error"]?["message"]?.stringValue ?? body["error"]?.stringValue ?? body["message"]?.stringValue
                ?? body["detail"]?.stringValue ?? ""
        }
        response.errorClass = errorClass
        response.errorMessage = "HTTP \(status)" + (detail.isEmpty ? "" : ": " + String(detail.prefix(300)))
        return response
    }

    static func describe(_ error: any Error) -> String {
        if let urlError = error as? URLError {
            return "\(urlError.localizedDescription) (URLError \(urlError.code.rawValue))"
        }
        return String(describing: error)
    }

    struct TransferIncomplete: Error, CustomStringConvertible {
        var description: String { "the transfer ended without completing" }
    }
}

/// The session delegate: hands each task's events to the request that registered for it. URLSession
/// calls it on one serial queue; the table is also touched by requests registering, hence the lock.
private final class TransferRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [Int: AsyncStream<TransferEvent>.Continuation] = [:]

    func register(_ id: Int, _ sink: AsyncStream<TransferEvent>.Continuation) {
        lock.lock()
        sinks[id] = sink
        lock.unlock()
    }

    func unregister(_ id: Int) {
        lock.lock()
        let sink = sinks.removeValue(forKey: id)
        lock.unlock()
        sink?.finish()
    }

    private func sink(_ id: Int) -> AsyncStream<TransferEvent>.Continuation? {
        lock.lock()
        defer { lock.unlock() }
        return sinks[id]
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        sink(dataTask.taskIdentifier)?.yield(.response(response as? HTTPURLResponse))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        sink(dataTask.taskIdentifier)?.yield(.data(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        sink(task.taskIdentifier)?.yield(.complete(error))
    }
}
