import Foundation
import Testing

@testable import AILBEval

/// The progress line names the backend that keeps the run waiting, while it waits, through the real binary.
@Suite struct WaitingProgressTests {
    @Test func aSlowBackendIsNamedWhileItsRequestsAreInFlightForLongerThanHalfTheTimeout() async throws {
        // `slow` answers after 3 s against a 4 s timeout: once its requests are 2 s on the wire, and long
        // after `fast` has answered everything, the progress line must say what the run is waiting for.
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: fast, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
                  - {name: slow, kind: mock, model: m, quant: 4bit, mock: {seed: 2, latency_ms: 3000}}
                defaults: {timeout: 4, retries: 0}

                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stderr.components(separatedBy: "\n").filter { $0.contains("requests answered") }
        let waiting = lines.filter { $0.contains("waiting") }
        // Off a terminal it is printed as soon as `slow` starts keeping the run waiting (and every 5 s after).
        let line = try #require(waiting.first, "\(result.stderr)")
        #expect(line.wholeMatch(of: /.*; waiting [2-9] s on slow \([1-4] requests?\)/) != nil, "\(line)")
        #expect(!waiting.contains { $0.contains("fast") })
        // The slow backend had not answered yet when the line was printed.
        #expect(!line.hasPrefix("8/8"), "\(line)")
        // The final line waits for nothing.
        #expect(lines.last?.hasPrefix("8/8 requests answered") == true && lines.last?.contains("waiting") == false, "\(result.stderr)")
    }
}
