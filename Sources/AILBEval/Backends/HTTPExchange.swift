import Foundation
import NIOCore

/// One attempt of one request on the SwiftNIO transport: the bridge between the task awaiting it and
/// the event loop serving it. It is resumed exactly once, by whichever comes first: the response ending,
/// the connection failing, the total timeout or the task's cancellation.
///
/// Its `phase` and flags are guarded by a lock, because the pool (any thread), the timer and the
/// connection (their event loops) and the cancelling task all touch it. `transfer` is not: it belongs to
/// the one connection the exchange is attached to while `phase` is `.running`, and to nobody else
/// (a waiting exchange has received nothing), so it is read at `finish()` without a race.
final class HTTPExchange: @unchecked Sendable {
    enum Phase {
        /// Created, not yet handed to the pool.
        case idle
        /// In the pool: waiting for a connection, or for one to be opened.
        case waiting
        /// Attached to a connection, whose channel is closed to stop it early.
        case running(any Channel)
        /// Resumed; nothing may touch it any more.
        case finished
    }

    let request: NIOChatTransport.Request
    let start: NIODeadline
    let deadline: NIODeadline
    /// The response as accumulated so far; see the type's note on ownership.
    var transfer: ChatTransfer
    /// Whether the connection it runs on served a request before (a failure before any response byte on
    /// such a connection means the server had closed it while idle: the request is sent again, once).
    var onReusedConnection = false
    /// How often it was sent again after finding a reused connection closed.
    var resends = 0

    private let lock = NSLock()
    private var phase = Phase.idle
    private var continuation: UnsafeContinuation<TransferAttempt, Never>?
    private var timedOut = false
    private var cancelled = false
    private var timer: Scheduled<Void>?

    init(request: NIOChatTransport.Request, stream: Bool, timeout: Double, cap: Int) {
        self.request = request
        start = .now()
        let nanoseconds = timeout.isFinite ? Int64(min(max(timeout, 0.001), 9e9) * 1e9) : Int64.max / 2
        deadline = start + .nanoseconds(nanoseconds)
        transfer = ChatTransfer(stream: stream, cap: cap)
    }

    /// Milliseconds since the attempt started.
    func elapsedMs() -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1e6
    }

    /// Stores the continuation and hands the exchange to `pool`, unless it was cancelled already.
    func begin(_ continuation: UnsafeContinuation<TransferAttempt, Never>, in pool: HTTPConnectionPool) {
        lock.lock()
        if cancelled {
            phase = .finished
            lock.unlock()
            continuation.resume(returning: attempt(timedOut: false, cancelled: true))
            return
        }
        self.continuation = continuation
        phase = .waiting
        lock.unlock()
        pool.execute(self)
    }

    /// Starts the total-timeout timer on `loop`, once (the first loop to serve the exchange sets it, so
    /// the common case schedules it without waking another thread).
    func armTimer(on loop: any EventLoop) {
        lock.lock()
        defer { lock.unlock() }
        guard timer == nil else { return }
        if case .finished = phase { return }
        timer = loop.scheduleTask(deadline: deadline) { [self] in stop(timedOut: true) }
    }

    /// Attaches the exchange to a connection's channel; false when it already finished (timed out or
    /// cancelled while waiting), in which case the connection serves somebody else.
    func attach(to channel: any Channel) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard case .waiting = phase else { return false }
        phase = .running(channel)
        return true
    }

    /// Takes the exchange off a connection that died before answering, to be sent again; false when it
    /// must finish instead (timed out or cancelled meanwhile).
    func detachForResend() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard case .running = phase, !timedOut, !cancelled else { return false }
        phase = .waiting
        resends += 1
        return true
    }

    /// Ends a waiting exchange with a transport failure (the connection could not be opened).
    func fail(_ failure: TransportFailure) {
        lock.lock()
        guard case .waiting = phase else {
            lock.unlock()
            return
        }
        transfer.complete(failure)
        finishLocked()
    }

    /// Ends the exchange and resumes its task. Called by the connection it runs on, or by `stop` and
    /// `fail` while it waits; later calls do nothing.
    func finish() {
        lock.lock()
        finishLocked()
    }

    /// The total timeout fired.
    func expire() { stop(timedOut: true) }

    /// The task was cancelled, or the client invalidated.
    func cancel() { stop(timedOut: false) }

    private func stop(timedOut: Bool) {
        lock.lock()
        if timedOut { self.timedOut = true } else { cancelled = true }
        switch phase {
        case .idle, .finished:
            lock.unlock()
        case .waiting:
            finishLocked()
        case .running(let channel):
            lock.unlock()
            // The connection sees its channel close and finishes the exchange with what it has.
            channel.close(promise: nil)
        }
    }

    /// Expects the lock held; releases it.
    private func finishLocked() {
        if case .finished = phase {
            lock.unlock()
            return
        }
        phase = .finished
        let continuation = self.continuation
        self.continuation = nil
        let timer = self.timer
        self.timer = nil
        let result = attempt(timedOut: timedOut, cancelled: cancelled)
        lock.unlock()
        timer?.cancel()
        continuation?.resume(returning: result)
    }

    private func attempt(timedOut: Bool, cancelled: Bool) -> TransferAttempt {
        TransferAttempt(transfer: transfer, timedOut: timedOut, cancelled: cancelled, latencyMs: elapsedMs())
    }
}
