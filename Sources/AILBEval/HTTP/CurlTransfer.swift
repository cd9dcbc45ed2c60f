import CCurl
import Foundation

/// libcurl's global state, set up once per process before the first handle.
enum CurlGlobal {
    /// CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32 (= CURL_GLOBAL_ALL, a macro Swift does not import).
    static let initialized: Bool = curl_global_init(3) == CURLE_OK

    /// Monotonic nanoseconds, for latencies that a wall-clock change cannot bend.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// One exchange on a libcurl easy handle. Built on the caller's thread; from `CurlMulti.add` on, touched
/// only by the transport's thread, which calls `finish` exactly once.
class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    let started = CurlGlobal.now()
    /// When the transport gives up on the exchange (monotonic nanoseconds), queued for a connection or not.
    let deadline: UInt64
    /// The headers of the response being received; reset at each status line (a redirect, a 100 Continue).
    private var headers: [String: String] = [:]
    private(set) var headDelivered = false
    /// The sink asked to stop (cap reached, stream broken): not a transport failure.
    private var stoppedBySink = false
    /// Set under `CurlMulti`'s inbox lock: the caller's task was cancelled.
    var cancelRequested = false

    /// A configured handle, or the reason the request cannot be sent.
    init?(_ request: TransportRequest, proxies: ProxySettings, problem: inout String?) {
        guard CurlGlobal.initialized, let easy = EasyHandles.shared.take() else {
            problem = "libcurl could not be initialised"
            return nil
        }
        self.easy = easy
        deadline = started &+ UInt64(Self.milliseconds(request.timeout)) * 1_000_000
        errorBuffer.initialize(to: 0)
        let context = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }

        check(ailb_easy_setopt_string(easy, CURLOPT_URL, request.url.absoluteString))
        check(ailb_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ailb_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context))
        // Signals cannot end a wait on a thread of ours; the deadline is the transfer's own timeout.
        check(ailb_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(ailb_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)))
        check(ailb_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1))
        check(ailb_easy_setopt_long(easy, CURLOPT_MAXREDIRS, Self.maxRedirects))
        // A redirected chat request stays a POST with its body (what 307/308 require, and what a user who
        // put a load balancer's old address in the config means by 301/302).
        check(ailb_easy_setopt_long(easy, CURLOPT_POSTREDIR, 7))
        check(ailb_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))
        check(ailb_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        check(ailb_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1))
        // "" turns libcurl's own reading of the environment off: the proxy is the one resolved and logged.
        check(ailb_easy_setopt_string(easy, CURLOPT_PROXY, proxies.proxy(for: request.url) ?? ""))
        if let noProxy = proxies.noProxy { check(ailb_easy_setopt_string(easy, CURLOPT_NOPROXY, noProxy)) }
        if let caFile = request.tls.caFile { check(ailb_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)) }
        if request.tls.insecureSkipVerify {
            check(ailb_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0))
            check(ailb_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0))
        }
        switch request.method {
        case .get:
            check(ailb_easy_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case .post:
            check(ailb_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            request.body.withUnsafeBufferPointer { bytes in
                let empty: CChar = 0
                if let base = bytes.baseAddress {
                    base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        check(ailb_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)))
                    }
                } else {
                    withUnsafePointer(to: empty) {
                        check(ailb_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)))
                    }
                }
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        var hasUserAgent = false
        for (name, value) in request.headers {
            if name.caseInsensitiveCompare("User-Agent") == .orderedSame { hasUserAgent = true }
            // "Name;" is libcurl's spelling of a header sent with an empty value.
            list = curl_slist_append(list, value.isEmpty ? name + ";" : name + ": " + value)
        }
        // libcurl would ask for "100 Continue" before a large body and wait a second for servers that never send it.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        check(ailb_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list))
        if !hasUserAgent { check(ailb_easy_setopt_string(easy, CURLOPT_USERAGENT, "ailb-eval")) }
        check(ailb_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        check(ailb_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        check(ailb_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        check(ailb_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        if failed != CURLE_OK {
            problem = "libcurl refused an option: " + String(cString: curl_easy_strerror(failed))
            release()
            return nil
        }
    }

    static let maxRedirects = 5

    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return Int(min(seconds * 1000, Double(Int32.max)).rounded(.up))
    }

    /// Frees the handle and what it points to; after `finish`, or when setting it up failed.
    func release() {
        EasyHandles.shared.put(easy)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer.deallocate()
    }

    var elapsedMs: Double { Double(CurlGlobal.now() &- started) / 1_000_000 }

    // MARK: Called on the transport's thread

    func headerLine(_ line: UnsafeRawBufferPointer) {
        // Read on bytes: this runs for every header of every response, and Foundation's trimming bridges
        // through NSString (it was a tenth of the CPU of a run against a fast server).
        let bytes = line.bindMemory(to: UInt8.self)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return }
        if end - start >= 5, bytes[start] == 0x48, bytes[start + 1] == 0x54, bytes[start + 2] == 0x54,
            bytes[start + 3] == 0x50, bytes[start + 4] == 0x2F
        {
            // "HTTP/…": a new response (after a redirect or a 100 Continue) starts its own headers.
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = (start..<end).first(where: { bytes[$0] == 0x3A }) else { return }
        var nameEnd = colon
        while nameEnd > start, isSpace(bytes[nameEnd - 1]) { nameEnd -= 1 }
        var valueStart = colon + 1
        while valueStart < end, isSpace(bytes[valueStart]) { valueStart += 1 }
        let lowered = bytes[start..<nameEnd].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let name = String(decoding: lowered, as: UTF8.self)
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self)
        if let earlier = headers[name] { headers[name] = earlier + ", " + value } else { headers[name] = value }
    }

    func bodyBytes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !headDelivered { deliverHead() }
        if receive(bytes) { return true }
        stoppedBySink = true
        return false
    }

    private func deliverHead() {
        headDelivered = true
        var status = 0
        ailb_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        deliver(status: status, headers: headers)
    }

    /// The exchange ended with `code` (removed from the multi handle already).
    func finish(_ code: CURLcode) {
        var outcome = TransportOutcome()
        if !headDelivered {
            var status = 0
            ailb_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            if status > 0 { deliverHead() }
        }
        var redirects = 0
        ailb_easy_getinfo_long(easy, CURLINFO_REDIRECT_COUNT, &redirects)
        var connects = 0
        ailb_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        outcome.redirects = redirects
        outcome.reusedConnection = connects == 0 && code == CURLE_OK
        outcome.latencyMs = elapsedMs
        if code == CURLE_OPERATION_TIMEDOUT {
            outcome.timedOut = true
        } else if code != CURLE_OK, !(stoppedBySink && code == CURLE_WRITE_ERROR) {
            outcome.failure = describe(code)
        }
        complete(outcome)
    }

    /// The deadline passed before libcurl ended the exchange (it was waiting for a connection, say).
    func finishTimedOut() {
        if !headDelivered {
            var status = 0
            ailb_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            if status > 0 { deliverHead() }
        }
        var outcome = TransportOutcome()
        outcome.timedOut = true
        outcome.latencyMs = elapsedMs
        complete(outcome)
    }

    /// The caller stopped waiting (task cancelled, transport shut down).
    func finishCancelled() {
        var outcome = TransportOutcome()
        outcome.cancelled = true
        outcome.latencyMs = elapsedMs
        complete(outcome)
    }

    /// One failure, in the same words whatever the URL's scheme.
    private func describe(_ code: CURLcode) -> TransportFailure {
        let detail = String(cString: errorBuffer)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        var osErrno = 0
        ailb_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno)
        let system = osErrno == 0 ? nil : "\(String(cString: strerror(Int32(osErrno)))) (errno \(osErrno))"
        switch code {
        case CURLE_COULDNT_CONNECT:
            return TransportFailure(description: system ?? reason)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportFailure(description: "cannot resolve the host: \(reason)")
        case CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return TransportFailure.connectionClosed
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            return TransportFailure(description: system ?? reason)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR:
            return TransportFailure(description: "TLS: \(reason)")
        case CURLE_TOO_MANY_REDIRECTS:
            return TransportFailure(description: "more than \(Self.maxRedirects) redirects")
        default:
            return TransportFailure(description: reason)
        }
    }

    // MARK: Overridden by the typed transfer

    func deliver(status: Int, headers: [String: String]) {}
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool { true }
    func complete(_ outcome: TransportOutcome) {}
}

/// A transfer whose response goes into a `Sink`, handed back with the outcome to the waiting task.
final class TypedCurlTransfer<Sink: ResponseSink>: CurlTransfer, @unchecked Sendable {
    private var sink: Sink
    private var continuation: UnsafeContinuation<(Sink, TransportOutcome), Never>?

    init?(_ request: TransportRequest, sink: Sink, proxies: ProxySettings, problem: inout String?) {
        self.sink = sink
        super.init(request, proxies: proxies, problem: &problem)
    }

    /// Set before the transfer is added to the multi handle.
    func await(_ continuation: UnsafeContinuation<(Sink, TransportOutcome), Never>) {
        self.continuation = continuation
    }

    override func deliver(status: Int, headers: [String: String]) {
        sink.head(status: status, headers: headers)
    }

    override func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let started = self.started
        return sink.body(bytes, elapsedMs: { Double(CurlGlobal.now() &- started) / 1_000_000 })
    }

    override func complete(_ outcome: TransportOutcome) {
        let result = (sink, outcome)
        release()
        continuation?.resume(returning: result)
        continuation = nil
    }
}

private let curlHeaderCallback: ailb_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context, let data else { return length }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.headerLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private let curlWriteCallback: ailb_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    // Returning less than `length` makes libcurl stop with CURLE_WRITE_ERROR.
    return transfer.bodyBytes(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// Easy handles kept for the next transfer: setting up a new one for every request (allocations, default
/// options) was a measurable share of a run's CPU. A handle comes back reset to its defaults
/// (`curl_easy_reset`), and every transfer sets all of its options again.
final class EasyHandles: @unchecked Sendable {
    static let shared = EasyHandles()
    /// More than a run keeps in flight is not worth holding.
    private let capacity = 256
    private var idle: [UnsafeMutableRawPointer] = []
    private let lock = NSLock()

    func take() -> UnsafeMutableRawPointer? {
        lock.lock()
        let kept = idle.popLast()
        lock.unlock()
        return kept ?? curl_easy_init()
    }

    /// Called once the handle is out of the multi handle.
    func put(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        lock.lock()
        if idle.count < capacity {
            idle.append(easy)
            lock.unlock()
        } else {
            lock.unlock()
            curl_easy_cleanup(easy)
        }
    }
}
