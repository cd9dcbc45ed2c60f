import Foundation
import Testing

@testable import AILBEval

@Suite struct BackendsCommandTests {
    @Test func probesEveryBackendAndExitsZeroWhenAllAreUsable() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let result = try await cli.runDetached(["backends", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let probes = try JSONValue(parsing: result.stdout).arrayValue ?? []
        #expect(probes.count == 3)
        for probe in probes {
            #expect(probe["reachable"] == true)
            #expect(probe["model_listed"] == true)
            #expect(probe["chat_ok"] == true)
            #expect(probe["tool_calls_ok"] == true)
        }
    }

    @Test func anUnreachableBackendIsNamedAndFailsTheProbe() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - name: fine
                    kind: mock
                    model: m
                  - name: gone
                    url: http://127.0.0.1:9/v1
                    model: m

                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["backends", "--timeout", "2"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("gone"))
        #expect(result.stdout.contains("FAIL"))
        #expect(result.stdout.contains("gone: chat: connect"))
    }
}
