@testable import AILBEval

/// Stands in for a `ChatClient`'s wait between attempts: keeps each wait it is asked for and returns at
/// once, so a retry test asserts the schedule instead of sleeping through it.
final class RecordedPauses: Sendable {
    private let recorded = BackendLockedState<[Double]>([])

    /// The waits asked for so far, in seconds, in order.
    var waits: [Double] { recorded.read { $0 } }

    /// The function to hand to `ChatClient(pause:)`.
    var pause: @Sendable (Double) async throws -> Void {
        { [recorded] seconds in
            recorded.write { $0.append(seconds) }
            try Task.checkCancellation()
        }
    }
}
