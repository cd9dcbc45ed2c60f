import Foundation
import Testing

@testable import AILBEval

/// The progress line's "waiting … on …": which backends keep the run waiting, from the dispatcher's
/// in-flight send times, the time now and each backend's timeout.
@Suite struct ProgressReporterTests {
    let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    @Test func namesABackendOnceARequestIsInFlightForLongerThanHalfItsTimeout() {
        let q4 = InFlightBackend(name: "q4_1", timeout: 120, startTimes: [at(0), at(1), at(30)])
        #expect(ProgressReporter.waitingText([q4], now: at(59)) == nil)
        #expect(ProgressReporter.waitingText([q4], now: at(60)) == nil, "exactly half is not longer than half")
        #expect(ProgressReporter.waitingText([q4], now: at(60.5)) == "waiting 60 s on q4_1 (1 request)")
        #expect(ProgressReporter.waitingText([q4], now: at(61.2)) == "waiting 61 s on q4_1 (2 requests)")
        // As time passes with no answer, the figure grows and the later request joins.
        #expect(ProgressReporter.waitingText([q4], now: at(95)) == "waiting 95 s on q4_1 (3 requests)")
    }

    @Test func eachBackendIsMeasuredAgainstItsOwnTimeoutTheLongestWaitFirst() {
        let backends = [
            InFlightBackend(name: "fast", timeout: 120, startTimes: [at(5)]),
            InFlightBackend(name: "q8_0", timeout: 20, startTimes: [at(10), at(12)]),
            InFlightBackend(name: "q4_1", timeout: 60, startTimes: [at(0)]),
            InFlightBackend(name: "idle", timeout: 1, startTimes: []),
        ]
        #expect(ProgressReporter.waitingText(backends, now: at(31)) == "waiting 31 s on q4_1 (1 request), 21 s on q8_0 (2 requests)")
        #expect(ProgressReporter.waitingText(backends, now: at(21)) == "waiting 11 s on q8_0 (1 request)")
    }

    @Test func tiesAreOrderedByNameAndAtMostThreeBackendsAreNamed() {
        let names = ["e", "b", "d", "a", "c"]
        let backends = names.map { InFlightBackend(name: $0, timeout: 10, startTimes: [at(0)]) }
        #expect(
            ProgressReporter.waitingText(backends, now: at(6))
                == "waiting 6 s on a (1 request), 6 s on b (1 request), 6 s on c (1 request) and 2 more backends")
        #expect(ProgressReporter.waitingText(Array(backends.prefix(4)), now: at(6))?.hasSuffix("and 1 more backend") == true)
    }

    @Test func theLineCarriesTheWaitAndIsPrintedAtOnceWhenABackendStartsWaiting() {
        let lines = BackendLockedState<[String]>([])
        let reporter = ProgressReporter(isTerminal: false) { text in lines.write { $0.append(text) } }
        let now = Date()
        reporter.update(done: 1, total: 4, errors: 0)
        // Off a terminal a line is printed every 5 s, but a backend that starts keeping requests waiting
        // is reported at once…
        let slow = InFlightBackend(name: "slow", timeout: 2, startTimes: [now.addingTimeInterval(-1.5)])
        reporter.update(done: 1, total: 4, errors: 0, inFlight: [slow])
        // …and only once.
        reporter.update(done: 1, total: 4, errors: 0, inFlight: [slow])
        let printed = lines.read { $0 }
        #expect(printed.count == 2)
        #expect(printed.first?.hasPrefix("1/4 requests answered (25%), 0 errors") == true)
        #expect(printed.last?.hasSuffix("; waiting 1 s on slow (1 request)\n") == true, "\(printed)")
        #expect(printed.first?.contains("waiting") == false)
    }
}
