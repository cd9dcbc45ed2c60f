import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The `https://` transport (and the behaviour reference for `http://`): one private `URLSession`.
///
/// Why a private session with a session-level delegate: `URLSession.shared` allows 6 connections per host
/// and cannot be reconfigured; `URLSession.bytes(for:)` does not exist on Linux, and per-task delegates are
/// unreliable there. The delegate routes each task's events by task identifier into an `AsyncStream` read
/// by the request that owns it, which enforces the total timeout and the body size cap itself
/// (`timeoutIntervalForRequest` is an idle timeout and would let a dripping server run forever).
final class URLSessionChatTransport: Sendable {
    private let session: URLSession
    private let router: TransferRouter
    private let maxResponseBytes: Int

    init(maxConnectionsPerHost: Int, maxResponseBytes: Int) {
        self.maxResponseBytes = maxResponseBytes
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

    /// Cancels every request in flight and releases the session.
    func invalidate() {
        session.invalidateAndCancel()
    }

    /// The `URLRequest` for a prepared chat request, built once for all attempts.
    static func urlRequest(_ request: PreparedChatRequest) -> URLRequest {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = "POST"
        urlRequest.httpBody = Data(request.body.utf8)
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    /// One attempt.
    func perform(_ urlRequest: URLRequest, stream: Bool, timeout: Double) async -> TransferAttempt {
        let start = ContinuousClock.now
        func elapsedMs() -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        var transfer = ChatTransfer(stream: stream, cap: maxResponseBytes)
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

        await withTaskCancellationHandler {
            task.resume()
            for await event in events {
                if !Self.handle(event, &transfer, elapsedMs: elapsedMs) {
                    // Too large or a broken stream: stop the download now rather than at the timeout.
                    if !transfer.completed { task.cancel() }
                    break
                }
            }
        } onCancel: {
            task.cancel()
        }
        return TransferAttempt(
            transfer: transfer, timedOut: timedOut.read { $0 }, cancelled: Task.isCancelled, latencyMs: elapsedMs())
    }

    /// Folds in one URLSession event; false means "stop the transfer".
    private static func handle(_ event: TransferEvent, _ transfer: inout ChatTransfer, elapsedMs: () -> Double) -> Bool {
        switch event {
        case .response(let http):
            guard let http else { return true }
            transfer.head(
                status: http.statusCode, contentType: header("Content-Type", in: http),
                retryAfter: header("Retry-After", in: http),
                headers: Dictionary(
                    http.allHeaderFields.compactMap { key, value in
                        (key as? String).flatMap { k in (value as? String).map { (k.lowercased(), $0) } }
                    }, uniquingKeysWith: { first, _ in first }))
            return true
        case .data(let data):
            return data.withUnsafeBytes { transfer.body($0, elapsedMs: elapsedMs) }
        case .complete(let error):
            transfer.complete(error.map(failure))
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

    static func failure(_ error: any Error) -> TransportFailure {
        if let urlError = error as? URLError {
            return TransportFailure(
                description: "\(urlError.localizedDescription) (URLError \(urlError.code.rawValue))",
                isTimeout: urlError.code == .timedOut)
        }
        return TransportFailure(description: String(describing: error))
    }
}

/// What URLSession reported about one task.
enum TransferEvent: @unchecked Sendable {
    case response(HTTPURLResponse?)
    case data(Data)
    case complete((any Error)?)
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
