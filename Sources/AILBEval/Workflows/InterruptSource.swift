/// How a long workflow learns that the user asked it to stop (Ctrl-C, SIGTERM). The library does not take
/// the process's signals itself: the executable passes them in, a test its own trigger.
package struct InterruptSource: Sendable {
    /// A function that calls a handler for every interrupt until the function it returns is called.
    package typealias Start = @Sendable (_ onInterrupt: @escaping @Sendable () -> Void) -> @Sendable () -> Void

    private let start: Start

    /// A source that starts delivering interrupts with `start`.
    package init(start: @escaping Start) {
        self.start = start
    }

    /// Calls `onInterrupt` for every interrupt (on any thread) until the returned function is called.
    package func watch(_ onInterrupt: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        start(onInterrupt)
    }

    /// Suspends until the first interrupt, then stops watching.
    package func next() async {
        let (interrupts, continuation) = AsyncStream<Void>.makeStream()
        let stop = watch { continuation.yield() }
        defer { stop() }
        for await _ in interrupts { return }
    }

    /// A source that never interrupts (a workflow run to its end).
    package static let none = InterruptSource { _ in {} }
}
