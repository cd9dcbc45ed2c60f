import Foundation

/// Shows a run's progress on standard error: one line rewritten in place on a terminal, plain
/// periodic lines otherwise (so CI logs stay readable).
public final class ProgressReporter: @unchecked Sendable {
    let isTerminal: Bool
    let interval: TimeInterval
    let started = Date()
    var lastPrint = Date.distantPast
    let lock = NSLock()

    /// `isTerminal`: whether standard error is a terminal (decides the style).
    public init(isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.isTerminal = isTerminal
        self.interval = isTerminal ? 0.1 : 5
    }

    /// Reports progress; prints at most once per interval.
    public func update(done: Int, total: Int, errors: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        emit(line(done: done, total: total, errors: errors, now: now), final: false)
    }

    /// Prints the final state.
    public func finish(done: Int, total: Int, errors: Int) {
        lock.lock()
        defer { lock.unlock() }
        emit(line(done: done, total: total, errors: errors, now: Date()), final: true)
    }

    func line(done: Int, total: Int, errors: Int, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        return String(
            format: "%d/%d requests answered (%.0f%%), %d errors, %.1f/s, %.1fs", done, total, percent, errors, rate,
            elapsed)
    }

    func emit(_ text: String, final: Bool) {
        let output = isTerminal ? "\r\u{1B}[2K" + text + (final ? "\n" : "") : text + "\n"
        StandardError.write(output)
    }
}
