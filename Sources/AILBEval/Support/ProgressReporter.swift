import Foundation

/// Shows a run's progress on standard error: one line rewritten in place on a terminal, plain
/// periodic lines otherwise (so CI logs stay readable).
///
/// The line names the backends whose requests have been in flight for longer than half their timeout
/// ("waiting 61 s on q4_1 (2 requests)"), so a run that seems stuck says what it is waiting for. Off a
/// terminal, where a line is printed only every few seconds, a backend that starts keeping requests
/// waiting is reported at once.
public final class ProgressReporter: @unchecked Sendable {
    let isTerminal: Bool
    let interval: TimeInterval
    let started = Date()
    var lastPrint = Date.distantPast
    /// The backends the last update found waited on.
    var lastWaiting: Set<String> = []
    let lock = NSLock()
    /// Where lines go (standard error; a test can collect them).
    let write: @Sendable (String) -> Void

    /// `isTerminal`: whether standard error is a terminal (decides the style).
    public init(isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.isTerminal = isTerminal
        self.interval = isTerminal ? 0.1 : 5
        self.write = { StandardError.write($0) }
    }

    /// A reporter writing to `write` instead of standard error.
    init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.interval = isTerminal ? 0.1 : 5
        self.write = write
    }

    /// Reports progress; prints at most once per interval, and at once when a backend newly has requests
    /// waiting longer than half its timeout. `inFlight`: each backend's requests on the wire right now.
    public func update(done: Int, total: Int, errors: Int, inFlight: [InFlightBackend] = []) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let waiting = Self.waiting(inFlight, now: now)
        let names = Set(waiting.map(\.name))
        defer { lastWaiting = names }
        guard now.timeIntervalSince(lastPrint) >= interval || !names.isSubset(of: lastWaiting) else { return }
        lastPrint = now
        emit(line(done: done, total: total, errors: errors, now: now, waiting: Self.waitingText(waiting)), final: false)
    }

    /// Prints the final state.
    public func finish(done: Int, total: Int, errors: Int) {
        lock.lock()
        defer { lock.unlock() }
        emit(line(done: done, total: total, errors: errors, now: Date()), final: true)
    }

    func line(done: Int, total: Int, errors: Int, now: Date, waiting: String? = nil) -> String {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        let counts = String(
            format: "%d/%d requests answered (%.0f%%), %d errors, %.1f/s, %.1fs", done, total, percent, errors, rate,
            elapsed)
        return waiting.map { counts + "; " + $0 } ?? counts
    }

    func emit(_ text: String, final: Bool) {
        write(isTerminal ? "\r\u{1B}[2K" + text + (final ? "\n" : "") : text + "\n")
    }

    // MARK: What the run is waiting for

    /// A backend kept waiting: how long its oldest request has been in flight, and how many of its requests
    /// have been in flight for longer than half its timeout.
    struct Waiting: Equatable {
        var name: String
        var seconds: Int
        var requests: Int
    }

    /// The backends with requests in flight for longer than half their timeout, the longest waited on first.
    static func waiting(_ inFlight: [InFlightBackend], now: Date) -> [Waiting] {
        var result: [Waiting] = []
        for backend in inFlight {
            let ages = backend.startTimes.map { now.timeIntervalSince($0) }.filter { $0 > backend.timeout / 2 }
            guard let oldest = ages.max() else { continue }
            result.append(Waiting(name: backend.name, seconds: Int(oldest.rounded(.down)), requests: ages.count))
        }
        return result.sorted { ($0.seconds, $1.name) > ($1.seconds, $0.name) }
    }

    /// "waiting 61 s on q4_1 (2 requests), 60 s on q8_0 (1 request)", at most three backends and how many
    /// more; nil when no request has been in flight for longer than half its backend's timeout.
    public static func waitingText(_ inFlight: [InFlightBackend], now: Date) -> String? {
        waitingText(waiting(inFlight, now: now))
    }

    static func waitingText(_ waiting: [Waiting]) -> String? {
        guard !waiting.isEmpty else { return nil }
        let shown = waiting.prefix(3).map { "\($0.seconds) s on \($0.name) (\($0.requests) request\($0.requests == 1 ? "" : "s"))" }
        let more = waiting.count - shown.count
        return "waiting " + shown.joined(separator: ", ")
            + (more > 0 ? " and \(more) more backend\(more == 1 ? "" : "s")" : "")
    }
}

/// One backend's requests on the wire: when each was sent, and the timeout they run against.
public struct InFlightBackend: Sendable, Equatable {
    public var name: String
    /// The request timeout in seconds.
    public var timeout: Double
    /// When each request now in flight was sent.
    public var startTimes: [Date]

    public init(name: String, timeout: Double, startTimes: [Date]) {
        self.name = name
        self.timeout = timeout
        self.startTimes = startTimes
    }
}
