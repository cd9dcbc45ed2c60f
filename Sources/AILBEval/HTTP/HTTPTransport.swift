import Foundation
import Logging

/// The one HTTP client of the tool: chat requests (JSON and event streams), `/models`, `/health`, probes
/// and ai-lb all go through it, so a refused connection, a redirect, a proxy or a certificate reads and
/// behaves the same everywhere.
///
/// Built on libcurl's multi interface: one thread drives every transfer with `curl_multi_poll`, keeps
/// connections alive between requests and hands each finished exchange back to the waiting task. libcurl
/// brings TLS (OpenSSL, or a `ca_file`), HTTP/2, compressed bodies, redirects and proxies. Every request
/// has a total deadline; the body goes into a sink that caps its size and may stop the transfer.
package final class HTTPTransport: Sendable {
    private let multi: CurlMulti?
    package let proxies: ProxySettings
    private let logger: Logger

    /// `maxConnectionsPerHost`: parallel connections to one server (keep it at least the run's concurrency,
    /// or requests wait inside the transport and their latency is overstated); `maxTotalConnections`: in all
    /// (0: no limit). Proxies come from the environment unless given.
    package init(
        maxConnectionsPerHost: Int = 256, maxTotalConnections: Int = 0,
        proxies: ProxySettings = ProxySettings(environment: ProcessInfo.processInfo.environment),
        logger: Logger = Logger(label: "ailb-eval.http")
    ) {
        multi = CurlMulti(maxPerHost: maxConnectionsPerHost, maxTotal: maxTotalConnections)
        self.proxies = proxies
        self.logger = logger
        if proxies != .direct {
            logger.debug(
                "proxies: http=\(proxies.http ?? "none") https=\(proxies.https ?? "none") no_proxy=\(proxies.noProxy ?? "")")
        }
    }

    deinit {
        multi?.stop()
    }

    /// Ends every request in flight as cancelled; later requests are refused.
    package func shutdown() {
        multi?.stop()
    }

    /// Requests handed to libcurl and not finished, those waiting there for a free connection included:
    /// what a test waits on to know a request is queued inside the transport.
    package var transfersInProgress: Int { multi?.transfersInProgress ?? 0 }

    /// One exchange: resumes once, when the response ended, failed, ran out of time or the task was cancelled.
    package func perform<Sink: ResponseSink>(_ request: TransportRequest, into sink: Sink) async -> (Sink, TransportOutcome) {
        if let problem = request.problem { return (sink, TransportOutcome(failure: TransportFailure(description: problem))) }
        var problem: String?
        guard let multi, let transfer = TypedCurlTransfer(request, sink: sink, proxies: proxies, problem: &problem) else {
            return (sink, TransportOutcome(failure: TransportFailure(description: problem ?? "libcurl is not usable")))
        }
        let (received, outcome) = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                transfer.await(continuation)
                if !multi.add(transfer) { transfer.finishCancelled() }
            }
        } onCancel: {
            multi.cancel(transfer)
        }
        if logger.logLevel <= .debug { log(request, outcome) }
        return (received, outcome)
    }

    /// A decision worth a line in `--verbose` (a retry, a fallback), logged where the transport's lines go.
    package func logDecision(_ message: @autoclosure () -> String) {
        logger.debug("\(message())")
    }

    private func log(_ request: TransportRequest, _ outcome: TransportOutcome) {
        var parts = ["\(request.method.rawValue) \(Self.redacted(request.url))"]
        parts.append(String(format: "%.1f ms", outcome.latencyMs))
        parts.append(outcome.reusedConnection ? "reused connection" : "new connection")
        if outcome.redirects > 0 { parts.append("\(outcome.redirects) redirect(s) followed") }
        if let proxy = proxies.proxy(for: request.url) { parts.append("proxy \(Self.redacted(proxy))") }
        if outcome.timedOut { parts.append("timed out after \(request.timeout) s") }
        if outcome.cancelled { parts.append("cancelled") }
        if let failure = outcome.failure { parts.append("failed: \(failure.description)") }
        logger.debug("\(parts.joined(separator: "; "))")
    }

    /// A GET whose answer is small (`/models`, `/health`): the status and the body, or why there is none.
    package func get(
        _ url: URL, headers: [(String, String)], timeout: Double, tls: TLSOptions = TLSOptions(), cap: Int = 4 << 20
    ) async -> Result<BufferedResponse, TransportFailure> {
        let request = TransportRequest(method: .get, url: url, headers: headers, timeout: timeout, tls: tls)
        var (response, outcome) = await perform(request, into: BufferedResponse(cap: cap))
        response.latencyMs = outcome.latencyMs
        if outcome.cancelled { return .failure(TransportFailure(description: "cancelled")) }
        if outcome.timedOut { return .failure(.timedOut(after: timeout, receivedHead: response.status != nil)) }
        if response.tooLarge { return .failure(TransportFailure(description: "the answer exceeded \(cap) bytes")) }
        if let failure = outcome.failure, response.status.map({ (200..<400).contains($0) }) ?? true {
            return .failure(failure)
        }
        return .success(response)
    }

    /// A URL (or proxy address) as logged and recorded: without user and password.
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            components.user != nil || components.password != nil
        else { return url.absoluteString }
        components.user = nil
        components.password = nil
        return components.url?.absoluteString ?? url.absoluteString
    }

    static func redacted(_ address: String) -> String {
        URL(string: address).map { redacted($0) } ?? address
    }
}
