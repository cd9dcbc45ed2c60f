import Foundation

@testable import AILBEval

/// What a workflow wrote, kept in memory.
final class CapturedOutput: WorkflowOutput, @unchecked Sendable {
    private let lock = NSLock()
    private var resultText = ""
    private var messageText = ""

    func write(_ text: String) throws(OutputError) {
        lock.withLock { resultText += text }
    }

    func writeMessage(_ text: String) {
        lock.withLock { messageText += text }
    }

    var results: String { lock.withLock { resultText } }
    var messages: String { lock.withLock { messageText } }
}

/// An interrupt source that, once watched, runs `beforeInterrupt` and then interrupts: a test's Ctrl-C at
/// the point it chooses, with no clock to wait on (a loaded machine only makes it slower).
final class ScriptedInterrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var watchers = 0
    private let beforeInterrupt: (@Sendable () async -> Void)?

    /// Interrupts as soon as watched (in the `watch` call itself), or after `beforeInterrupt` when given.
    init(beforeInterrupt: (@Sendable () async -> Void)? = nil) {
        self.beforeInterrupt = beforeInterrupt
    }

    var source: InterruptSource {
        InterruptSource { onInterrupt in
            self.lock.withLock { self.watchers += 1 }
            if let before = self.beforeInterrupt {
                Task {
                    await before()
                    onInterrupt()
                }
            } else {
                onInterrupt()
            }
            return { self.lock.withLock { self.watchers -= 1 } }
        }
    }

    /// Whether anything is still watching.
    var isWatched: Bool { lock.withLock { watchers > 0 } }
}

/// An HTTP status seen from another task.
final class CapturedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int?

    func record(_ status: Int?) {
        lock.withLock { value = status }
    }

    var status: Int? { lock.withLock { value } }
}
