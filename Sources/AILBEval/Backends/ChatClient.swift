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

/// Sends chat-completion requests and turns every outcome into a `BackendResponse`: never throws, so a
/// run goes on whatever a backend does.
///
/// Two transports, chosen by the URL's scheme, classify every outcome alike (`ChatTransfer`):
/// - `http://` goes over `NIOChatTransport`, a small HTTP/1.1 client on SwiftNIO with a keep-alive pool per
///   host. Local servers are where speed matters: URLSession on Linux hands every request across four
///   threads and closes a fifth of its connections, which made the client, not the backends, the limit.
/// - `https://` goes over a private `URLSession` (`URLSessionChatTransport`), which brings TLS from the system.
public final class ChatClient: Sendable {
    /// Which transport carries `http://` URLs; `https://` always uses URLSession.
    enum HTTPTransport: Sendable {
        case nio
        case urlSession
    }

    private let maxConnectionsPerHost: Int
    private let httpTransport: HTTPTransport
    private let urlSession = BackendLockedState<URLSessionChatTransport?>(nil)
    private let nio = BackendLockedState<NIOChatTransport?>(nil)
    private let invalidated = BackendLockedState(false)
    /// Bodies longer than this are cut off and reported as `too_large`.
    public let maxResponseBytes: Int

    /// A client allowing `maxConnectionsPerHost` parallel connections to one server (keep it at least the
    /// run's concurrency, or requests queue inside the client and their latency is overstated).
    public convenience init(maxConnectionsPerHost: Int = 256, maxResponseBytes: Int = 8 << 20) {
        self.init(maxConnectionsPerHost: maxConnectionsPerHost, maxResponseBytes: maxResponseBytes, httpTransport: .nio)
    }

    /// A client whose `http://` transport is chosen (tests compare the two).
    init(maxConnectionsPerHost: Int, maxResponseBytes: Int, httpTransport: HTTPTransport) {
        self.maxConnectionsPerHost = max(1, maxConnectionsPerHost)
        self.maxResponseBytes = max(1, maxResponseBytes)
        self.httpTransport = httpTransport
    }

    deinit {
        invalidate()
    }

    /// Cancels every request in flight and releases connections and threads; the client cannot be used afterwards.
    public func invalidate() {
        invalidated.write { $0 = true }
        urlSession.read { $0 }?.invalidate()
        nio.read { $0 }?.shutdown()
    }

    /// The transports are made on first use: a run against local servers never starts a URLSession, and
    /// one against remote servers never starts event-loop threads.
    private var urlSessionTransport: URLSessionChatTransport {
        urlSession.write { transport in
            if let transport { return transport }
            let made = URLSessionChatTransport(maxConnectionsPerHost: maxConnectionsPerHost, maxResponseBytes: maxResponseBytes)
            transport = made
            return made
        }
    }

    private var nioTransport: NIOChatTransport {
        nio.write { transport in
            if let transport { return transport }
            let made = NIOChatTransport(maxConnectionsPerHost: maxConnectionsPerHost, maxResponseBytes: maxResponseBytes)
            transport = made
            return made
        }
    }

    /// One attempt, on whichever transport the URL's scheme selects.
    private enum Route {
        case urlSession(URLSessionChatTransport, URLRequest)
        case nio(NIOChatTransport, NIOChatTransport.Request)
        case unusable(String)
    }

    private func route(_ request: PreparedChatRequest) -> Route {
        if invalidated.read({ $0 }) { return .unusable("the client was invalidated") }
        let scheme = request.url.scheme?.lowercased()
        if scheme == "http", httpTransport == .nio {
            switch NIOChatTransport.Request.make(request) {
            case .success(let prepared): return .nio(nioTransport, prepared)
            case .failure(let failure): return .unusable(failure.description)
            }
        }
        let transport = urlSessionTransport
        return .urlSession(transport, URLSessionChatTransport.urlRequest(request))
    }

    /// The JSON text sent for `request`: its body with `stream` (and, streaming, `stream_options`) set, keys
    /// sorted so that the same request is the same bytes in every process (a dictionary's order changes with
    /// the hash seed, and a chat template renders tool schemas in the order it receives them).
    static func encodedBody(_ request: ChatRequest) -> String {
        var body = request.body.objectValue ?? [:]
        body["stream"] = .bool(request.stream)
        // A stream reports token usage only when asked (OpenAI, vLLM, llama.cpp); keep a suite's own choice.
        if request.stream, body["stream_options"] == nil { body["stream_options"] = ["include_usage": true] }
        return JSONWriter(sortKeys: true, asciiOnly: false, spaced: false).string(.object(body))
    }

    /// Sends `request`, retrying per its policy, and reports the final attempt.
    public func send(_ request: ChatRequest) async -> BackendResponse {
        let url = request.baseURL.appendingPathComponent("chat").appendingPathComponent("completions")
        let shownURL = Self.redacted(url)
        var headers = [
            ("Content-Type", "application/json"), ("Accept", request.stream ? "text/event-stream" : "application/json"),
        ]
        for (name, value) in request.headers {
            headers.removeAll { $0.0.caseInsensitiveCompare(name) == .orderedSame }
            headers.append((name, value))
        }
        let prepared = PreparedChatRequest(
            url: url, body: Self.encodedBody(request),
            headers: headers, stream: request.stream)
        let route = route(prepared)

        var attempt = 1
        while true {
            var outcome = await perform(
                route, stream: request.stream, timeout: request.timeout, expectsCompletion: request.expectsCompletion)
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

    private func perform(_ route: Route, stream: Bool, timeout: Double, expectsCompletion: Bool) async -> Outcome {
        if Task.isCancelled {
            return Outcome(response: BackendResponse(errorClass: .cancelled, errorMessage: "cancelled before sending", latencyMs: 0))
        }
        var attempt: TransferAttempt
        switch route {
        case .urlSession(let transport, let urlRequest):
            attempt = await transport.perform(urlRequest, stream: stream, timeout: timeout)
        case .nio(let transport, let request):
            attempt = await transport.perform(request, stream: stream, timeout: timeout)
        case .unusable(let reason):
            return Outcome(response: BackendResponse(errorClass: .connect, errorMessage: "could not connect: \(reason)", latencyMs: 0))
        }
        let response = attempt.transfer.result(
            cancelled: attempt.cancelled || Task.isCancelled, timedOut: attempt.timedOut, timeout: timeout,
            latencyMs: attempt.latencyMs, expectsCompletion: expectsCompletion)
        return Outcome(response: response, retryAfter: attempt.transfer.retryAfter)
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

/// A chat request ready for the wire, built once and sent by every attempt.
struct PreparedChatRequest: Sendable {
    /// `{baseURL}/chat/completions`.
    var url: URL
    /// The JSON body.
    var body: String
    /// Content-Type, Accept, then the caller's headers (which replace ours of the same name).
    var headers: [(String, String)]
    /// Whether an event stream was asked for.
    var stream: Bool
}
