import Foundation

/// One chat-completion request to one OpenAI-compatible server.
package struct ChatRequest: Sendable {
    /// The server's OpenAI base URL, ending in `/v1`; the client posts to `{baseURL}/chat/completions`.
    package var baseURL: URL
    /// The full OpenAI chat request (model, messages, tools, …). Its `"stream"` is overwritten from `stream`.
    package var body: JSONValue
    /// Extra headers (`Authorization`, a backend's configured headers, `X-Execution-Mode`).
    package var headers: [String: String]
    /// Ask for a `text/event-stream` answer (needed for time-to-first-token).
    package var stream: Bool
    /// Seconds allowed for one attempt, headers and whole body included.
    package var timeout: Double
    /// When to try again.
    package var retry: RetryPolicy
    /// Whether a 2xx body must be a chat completion (with `choices`); false accepts any JSON object, for
    /// ai-lb's multi-backend answers, which wrap the completions of its members.
    package var expectsCompletion: Bool
    /// How the server's certificate is checked (`https://`).
    package var tls: TLSOptions

    /// A request; the defaults suit a local server.
    package init(
        baseURL: URL, body: JSONValue, headers: [String: String] = [:], stream: Bool = false, timeout: Double = 120,
        retry: RetryPolicy = RetryPolicy(), expectsCompletion: Bool = true, tls: TLSOptions = TLSOptions()
    ) {
        self.tls = tls
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
/// run goes on whatever a backend does. Every request goes over one `HTTPTransport` (libcurl's multi
/// interface), `http://` and `https://` alike, and every outcome is classified by `ChatTransfer`.
package final class ChatClient: Sendable {
    package let transport: HTTPTransport
    /// Waits between attempts; a test injects one that does not really sleep.
    private let pause: @Sendable (Double) async throws -> Void
    /// Bodies longer than this are cut off and reported as `too_large`.
    package let maxResponseBytes: Int

    /// A client allowing `maxConnectionsPerHost` parallel connections to one server (keep it at least the
    /// run's concurrency, or requests queue inside the client and their latency is overstated).
    package convenience init(maxConnectionsPerHost: Int = 256, maxResponseBytes: Int = 8 << 20) {
        self.init(transport: HTTPTransport(maxConnectionsPerHost: max(1, maxConnectionsPerHost)), maxResponseBytes: maxResponseBytes)
    }

    /// A client over `transport`; `pause` waits between attempts (by default, really).
    package init(
        transport: HTTPTransport, maxResponseBytes: Int = 8 << 20,
        pause: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) }
    ) {
        self.transport = transport
        self.maxResponseBytes = max(1, maxResponseBytes)
        self.pause = pause
    }

    /// Cancels every request in flight and releases connections and the transport's thread; the client
    /// cannot be used afterwards.
    package func invalidate() {
        transport.shutdown()
    }

    /// The JSON text sent for `request`: its body with `stream` (and, streaming, `stream_options`) set, keys
    /// sorted so that the same request is the same bytes in every process (a dictionary's order changes with
    /// the hash seed, and a chat template renders tool schemas in the order it receives them).
    static func encodedBody(_ request: ChatRequest) -> [UInt8] {
        var body = request.body.objectValue ?? [:]
        body["stream"] = .bool(request.stream)
        // A stream reports token usage only when asked (OpenAI, vLLM, llama.cpp); keep a suite's own choice.
        if request.stream, body["stream_options"] == nil { body["stream_options"] = ["include_usage": true] }
        return JSONWriter.compactUnicode.bytes(.object(body))
    }

    /// Sends `request`, retrying per its policy, and reports the final attempt.
    package func send(_ request: ChatRequest) async -> BackendResponse {
        let url = request.baseURL.appendingPathComponent("chat").appendingPathComponent("completions")
        let shownURL = Self.redacted(url)
        var headers = [
            ("Content-Type", "application/json"), ("Accept", request.stream ? "text/event-stream" : "application/json"),
        ]
        for (name, value) in request.headers {
            headers.removeAll { $0.0.caseInsensitiveCompare(name) == .orderedSame }
            headers.append((name, value))
        }
        let prepared = TransportRequest(
            method: .post, url: url, headers: headers, body: Self.encodedBody(request),
            timeout: request.timeout, tls: request.tls)

        var attempt = 1
        while true {
            var outcome = await perform(prepared, stream: request.stream, expectsCompletion: request.expectsCompletion)
            outcome.response.attempts = attempt
            outcome.response.url = shownURL
            guard let errorClass = outcome.response.errorClass, errorClass != .cancelled,
                let wait = request.retry.delay(
                    afterAttempt: attempt, errorClass: errorClass, retryAfter: outcome.retryAfter,
                    random: Double.random(in: 0..<1))
            else { return outcome.response }
            transport.logDecision(
                "\(shownURL): attempt \(attempt) ended in \(errorClass.rawValue) (\(outcome.response.errorMessage ?? "")); retrying in \(PythonFloat.repr(wait)) s"
            )
            do {
                try await pause(wait)
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

    private func perform(_ request: TransportRequest, stream: Bool, expectsCompletion: Bool) async -> Outcome {
        if Task.isCancelled {
            return Outcome(response: BackendResponse(errorClass: .cancelled, errorMessage: "cancelled before sending", latencyMs: 0))
        }
        if let problem = request.problem {
            return Outcome(response: BackendResponse(errorClass: .connect, errorMessage: "could not connect: \(problem)", latencyMs: 0))
        }
        var (transfer, outcome) = await transport.perform(request, into: ChatTransfer(stream: stream, cap: maxResponseBytes))
        transfer.end(outcome)
        let response = transfer.result(
            cancelled: outcome.cancelled || Task.isCancelled, timedOut: outcome.timedOut, timeout: request.timeout,
            latencyMs: outcome.latencyMs, expectsCompletion: expectsCompletion)
        return Outcome(response: response, retryAfter: transfer.retryAfter)
    }

    /// The URL as recorded: without user and password, should anyone put credentials there.
    static func redacted(_ url: URL) -> String {
        HTTPTransport.redacted(url)
    }
}
