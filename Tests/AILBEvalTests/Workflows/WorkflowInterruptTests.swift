import Foundation
import Testing

@testable import AILBEval

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The workflows that wait (a run, the mock server) stop on an interrupt from the source they are given,
/// not from the process's signals: a test, or another program using the library, can stop them.
@Suite struct WorkflowInterruptTests {
    /// A scratch folder holding `config` as config.yaml and the fixture suite as mini.yaml.
    static func scratch(config: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ailb-workflow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.yaml"))
        try FileManager.default.copyItem(
            at: CLIHarness.fixture("integration/mini.yaml"), to: directory.appendingPathComponent("mini.yaml"))
        return directory
    }

    @Test func aRunStopsOnAnInterruptAndIsStoredAsInterrupted() async throws {
        let directory = try Self.scratch(
            config: """
                backends:
                  - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1, latency_ms: 2000}}
                  - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2, latency_ms: 2000}}
                defaults: {timeout: 30, retries: 0}

                """)
        defer { try? FileManager.default.removeItem(at: directory) }
        var run = RunOptions(suitePaths: [directory.appendingPathComponent("mini.yaml").path])
        run.configPath = directory.appendingPathComponent("config.yaml").path
        run.databasePath = directory.appendingPathComponent("runs.sqlite").path
        run.outputDirectory = directory.appendingPathComponent("out").path
        // Interrupted the moment the run starts listening: before any answer can arrive.
        let interrupts = ScriptedInterrupts()
        let output = CapturedOutput()
        let result = try await EvalWorkflow.run(
            EvalWorkflow.Options(run: run, showsProgress: false), signals: interrupts.source, output: output)

        #expect(result.status == .interrupted)
        #expect(result.gateFailure == nil && result.outputFailure == nil)
        #expect(output.messages.contains("Interrupted: stopping"), "\(output.messages)")
        #expect(output.results.contains("Finish it with: ailb-eval run --resume \(result.runID)"), "\(output.results)")
        #expect(!interrupts.isWatched, "the run stops watching once it has ended")
        let store = try ResultStore(readingFrom: run.databasePath!)
        #expect(try store.run("\(result.runID)").status == .interrupted)
    }

    @Test func theMockServerServesUntilInterrupted() async throws {
        let directory = try Self.scratch(
            config: """
                backends:
                  - {name: first, kind: mock, model: m, mock: {seed: 1}}
                  - {name: second, kind: mock, model: m, mock: {seed: 2}}

                """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = MockWorkflow.Options(
            configPath: directory.appendingPathComponent("config.yaml").path, port: 0,
            suitePaths: [directory.appendingPathComponent("mini.yaml").path])
        let output = CapturedOutput()
        let answered = CapturedStatus()
        // While it waits for the interrupt, the server answers a request at the URL it printed.
        let interrupts = ScriptedInterrupts {
            guard let line = output.results.split(separator: "\n").first, let start = line.range(of: "http://"),
                let url = URL(string: "\(line[start.lowerBound...])/models")
            else { return }
            let status = (try? await URLSession.shared.data(from: url).1 as? HTTPURLResponse)?.statusCode
            answered.record(status)
        }
        try await MockWorkflow.serve(options, signals: interrupts.source, output: output)

        let lines = output.results.split(separator: "\n")
        #expect(lines.count == 2, "\(output.results)")
        #expect(lines.first?.hasPrefix("first: http://127.0.0.1:") == true, "\(output.results)")
        #expect(lines.last?.hasSuffix("/mock/second/v1") == true, "\(output.results)")
        #expect(answered.status == 200)
        #expect(!interrupts.isWatched)
    }

    @Test func aMockConfigWithoutMockBackendsIsAUsageError() async throws {
        let directory = try Self.scratch(config: "backends:\n  - {name: real, url: \"http://127.0.0.1:9/v1\", model: m}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = MockWorkflow.Options(configPath: directory.appendingPathComponent("config.yaml").path, port: 0)
        await #expect(throws: UsageError.self) {
            try await MockWorkflow.serve(options, signals: .none, output: CapturedOutput())
        }
    }
}
