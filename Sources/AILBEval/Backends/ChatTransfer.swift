import Foundation

/// The accumulated state of one chat attempt, and its classification. The transport feeds it on its own
/// thread (an event stream is parsed as it arrives, for time to first token); `result` classifies it in
/// the waiting task, where a JSON body is parsed.
struct ChatTransfer: ResponseSink {
    let stream: Bool
    let cap: Int
    var status: Int?
    var contentType = ""
    var retryAfter: Double?
    var raw = Data()
    var tooLarge = false
    var completed = false
    var transportError: TransportFailure?
    var ttftMs: Double?
    var firstByteMs: Double?
    var parser = SSEParser()
    var assembler = ChatStreamAssembler()
    var streamError: StreamAssemblyError?
    /// The response headers, names in lower case.
    var headers: [String: String] = [:]

    init(stream: Bool, cap: Int) {
        self.stream = stream
        self.cap = cap
    }

    /// True once any part of a response (its head) arrived.
    var hasResponse: Bool { status != nil }

    /// An event stream is parsed on the fly (for TTFT); a JSON answer, or an error status, is parsed at the end.
    var parsesStream: Bool {
        stream && (200..<300).contains(status ?? 0) && !contentType.contains("json")
    }

    /// Records the response head (header names in lower case).
    mutating func head(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
        self.contentType = (headers["content-type"] ?? "").lowercased()
        if let retryAfter = headers["retry-after"] { self.retryAfter = RetryPolicy.parseRetryAfter(retryAfter, now: Date()) }
    }

    /// Folds in a piece of the body; false means "stop the transfer" (too large, or a broken stream).
    mutating func body(_ bytes: UnsafeRawBufferPointer, elapsedMs: () -> Double) -> Bool {
        if firstByteMs == nil, !bytes.isEmpty { firstByteMs = elapsedMs() }
        let room = cap - raw.count
        let accepted = bytes.count > room ? UnsafeRawBufferPointer(rebasing: bytes[..<room]) : bytes
        if let base = accepted.baseAddress, !accepted.isEmpty {
            raw.append(base.assumingMemoryBound(to: UInt8.self), count: accepted.count)
        }
        if parsesStream, streamError == nil {
            for event in parser.feed(accepted) {
                do {
                    if try assembler.consume(event), ttftMs == nil { ttftMs = elapsedMs() }
                } catch {
                    streamError = error
                    return false
                }
            }
        }
        if bytes.count > room {
            tooLarge = true
            return false
        }
        return true
    }

    /// The transfer ended: cleanly (`error` nil) or not.
    mutating func complete(_ error: TransportFailure?) {
        completed = true
        transportError = error
    }

    /// The attempt classified; `expectsCompletion` false accepts any JSON object (ai-lb's multi-backend answers).
    mutating func result(
        cancelled: Bool, timedOut: Bool, timeout: Double, latencyMs: Double, expectsCompletion: Bool = true
    ) -> BackendResponse {
        var response = BackendResponse(
            // Time to first token exists only for a stream; a whole JSON body has no first token to time.
            httpStatus: status, latencyMs: latencyMs, ttftMs: parsesStream ? ttftMs : nil,
            rawBody: String(decoding: raw, as: UTF8.self))
        response.headers = headers
        func fail(_ errorClass: ErrorClass, _ message: String) -> BackendResponse {
            response.errorClass = errorClass
            response.errorMessage = message
            return response
        }
        if cancelled { return fail(.cancelled, "cancelled") }
        if tooLarge { return fail(.tooLarge, "response body exceeded \(cap) bytes") }
        if let streamError { return classifyStreamError(streamError, &response) }
        if timedOut { return fail(.timeout, TransportFailure.timedOut(after: timeout, receivedHead: hasResponse).description) }
        if let error = transportError ?? (completed ? nil : Self.incomplete) {
            guard let status else {
                if error.isTimeout { return fail(.timeout, "timed out: \(error.description)") }
                return fail(.connect, "could not connect: \(error.description)")
            }
            if !(200..<300).contains(status) { return classifyStatus(status, &response) }
            if stream { return fail(.badSSE, "\(LoadBalancerVote.connectionLost) \(raw.count) bytes of the stream: \(error.description)") }
            return fail(.badJSON, "\(LoadBalancerVote.connectionLost) \(raw.count) bytes of the body: \(error.description)")
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
                return classifyStreamError(error, &response)
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
        if (300..<400).contains(status) {
            // Redirects are followed (up to five); one that is left is a loop, a missing `Location` or a 304.
            response.errorClass = .redirect
            let target = headers["location"].map { " to \($0)" } ?? " without a Location"
            response.errorMessage =
                "HTTP \(status) redirect\(target) not followed"
                + (transportError.map { " (\($0.description))" } ?? "")
            return response
        }
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

    /// A stream that broke is `bad_sse`; one in which the server sent an `error` object is classified by
    /// the status that error stands for, as the same failure without streaming would be.
    func classifyStreamError(_ error: StreamAssemblyError, _ response: inout BackendResponse) -> BackendResponse {
        guard let status = error.serverStatus else {
            response.errorClass = .badSSE
            response.errorMessage = error.message
            return response
        }
        response.errorClass = status == 429 ? .http429 : (status >= 500 ? .http5xx : .http4xx)
        response.errorMessage = "HTTP \(status) (sent in the stream): \(error.message)"
        return response
    }

    static let incomplete = TransportFailure(description: "the transfer ended without completing")
}

extension ChatTransfer {
    /// The transport's outcome folded in: a timeout or a cancellation is kept apart (the classification
    /// looks at them first); anything else completes the transfer, with the failure if there was one.
    mutating func end(_ outcome: TransportOutcome) {
        if !outcome.cancelled, !outcome.timedOut { complete(outcome.failure) }
    }
}
