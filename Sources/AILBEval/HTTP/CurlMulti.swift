import CCurl
import Foundation

/// One libcurl multi handle and the one thread that drives it: every transfer of a transport is added
/// here, progresses in `curl_multi_perform`, and is finished here. Callers hand transfers over through a
/// locked inbox and wake the thread with `curl_multi_wakeup`.
final class CurlMulti: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let inbox = BackendLockedState(Inbox())
    /// The transfers in progress, keyed by their easy handle; touched only by the thread.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private let stopped = DispatchSemaphore(value: 0)
    /// The earliest deadline among `active` (or later: it is recomputed when reached).
    private var nextDeadline = UInt64.max
    /// `active.count` as last published in the inbox; touched only by the thread.
    private var publishedInProgress = 0

    private struct Inbox: @unchecked Sendable {
        var added: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
        var threadRunning = false
        var inProgress = 0
    }

    /// `maxPerHost`: connections to one host:port at once (more transfers wait inside libcurl for a free one);
    /// `maxTotal`: connections open at once in all, idle ones included (0: no limit). At the total, libcurl
    /// closes the oldest idle connection before it opens another.
    init?(maxPerHost: Int, maxTotal: Int) {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else { return nil }
        self.multi = multi
        ailb_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, maxPerHost))
        ailb_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(0, maxTotal))
        // Keep every connection the limits allow open between transfers, so a run reuses them, and no more:
        // idle connections beyond the total are closed rather than kept.
        ailb_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxTotal > 0 ? maxTotal : max(64, maxPerHost * 4))
    }

    /// Hands `transfer` to the thread (started on first use). False when the multi handle was stopped.
    func add(_ transfer: CurlTransfer) -> Bool {
        let startThread = inbox.write { inbox -> Bool? in
            if inbox.stopping { return nil }
            inbox.added.append(transfer)
            defer { inbox.threadRunning = true }
            return !inbox.threadRunning
        }
        guard let startThread else { return false }
        if startThread {
            let thread = Thread { [self] in run() }
            thread.name = "ailb-eval.http"
            thread.start()
        } else {
            curl_multi_wakeup(multi)
        }
        return true
    }

    /// Transfers libcurl has (connecting, waiting for a free connection, or exchanging), as of the thread's
    /// last turn.
    var transfersInProgress: Int { inbox.read { $0.inProgress } }

    /// Ends `transfer` as cancelled, whether it is waiting in the inbox or in progress; a no-op once it finished.
    func cancel(_ transfer: CurlTransfer) {
        inbox.write { inbox in
            transfer.cancelRequested = true
            inbox.cancelled.append(transfer)
        }
        curl_multi_wakeup(multi)
    }

    /// Ends every transfer as cancelled and stops the thread; waits for it, so no callback runs afterwards.
    func stop() {
        let running = inbox.write { inbox -> Bool in
            let wasStopping = inbox.stopping
            inbox.stopping = true
            return inbox.threadRunning && !wasStopping
        }
        if running {
            curl_multi_wakeup(multi)
            stopped.wait()
        }
    }

    deinit {
        stop()
        curl_multi_cleanup(multi)
    }

    /// Ends the transfers whose deadline passed. libcurl enforces `CURLOPT_TIMEOUT_MS` only once a transfer
    /// has a connection; one queued behind the per-host limit would otherwise wait past its deadline.
    private func expireDeadlines() {
        let now = CurlGlobal.now()
        guard now >= nextDeadline else { return }
        nextDeadline = .max
        for (easy, transfer) in active {
            if transfer.deadline <= now {
                active.removeValue(forKey: easy)
                curl_multi_remove_handle(multi, easy)
                transfer.finishTimedOut()
            } else {
                nextDeadline = min(nextDeadline, transfer.deadline)
            }
        }
    }

    private func run() {
        var stillRunning: Int32 = 0
        var remaining: Int32 = 0
        while true {
            let (added, cancelled, stopping) = inbox.write { inbox in
                defer {
                    inbox.added.removeAll(keepingCapacity: true)
                    inbox.cancelled.removeAll(keepingCapacity: true)
                }
                return (inbox.added, inbox.cancelled, inbox.stopping)
            }
            for transfer in added {
                if transfer.cancelRequested || stopping {
                    transfer.finishCancelled()
                } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                    active[transfer.easy] = transfer
                    nextDeadline = min(nextDeadline, transfer.deadline)
                } else {
                    transfer.finishCancelled()
                }
            }
            for transfer in cancelled where active.removeValue(forKey: transfer.easy) != nil {
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.finishCancelled()
            }
            if stopping {
                for transfer in active.values {
                    curl_multi_remove_handle(multi, transfer.easy)
                    transfer.finishCancelled()
                }
                active.removeAll()
                stopped.signal()
                return
            }
            curl_multi_perform(multi, &stillRunning)
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.finish(code)
            }
            expireDeadlines()
            if active.count != publishedInProgress {
                let count = active.count
                publishedInProgress = count
                inbox.write { $0.inProgress = count }
            }
            // Wakes for socket activity, libcurl's own timers, the next deadline or `curl_multi_wakeup`.
            let now = CurlGlobal.now()
            let untilDeadline = nextDeadline > now ? (nextDeadline - now) / 1_000_000 + 1 : 0
            curl_multi_poll(multi, nil, 0, Int32(min(1000, untilDeadline)), nil)
        }
    }
}
