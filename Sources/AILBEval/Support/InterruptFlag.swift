import Foundation

/// Counts interrupts (Ctrl-C) across threads: the first stops a run cleanly, the second exits at once.
public final class InterruptFlag: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()

    public init() {}

    /// Records one interrupt; returns how many there have been.
    public func record() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }

    /// Whether any interrupt arrived.
    public var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return count > 0
    }
}
