import Foundation

/// Delivers SIGINT and SIGTERM to a handler instead of killing the process, so a command can stop cleanly.
public final class TerminationSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()

    /// Starts catching the signals; `handler` runs on a background queue with the signal number.
    public init(handler: @escaping @Sendable (Int32) -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops catching; the signals kill the process again.
    public func restoreDefault() {
        lock.lock()
        defer { lock.unlock() }
        for source in sources { source.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// Suspends until SIGINT or SIGTERM arrives; returns its number.
    public static func next() async -> Int32 {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let signals = TerminationSignals { continuation.yield($0) }
        defer { signals.restoreDefault() }
        for await number in stream { return number }
        return SIGTERM
    }
}
