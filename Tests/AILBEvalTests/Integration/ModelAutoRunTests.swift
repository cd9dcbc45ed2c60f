import Foundation
import Testing

@testable import AILBEval

/// `model: auto` through the real binary: resolved at run start, recorded in the run's backends, and a
/// clear exit 3 with nothing written when a model list cannot be read.
@Suite(.serialized) struct ModelAutoRunTests {
    @Test func autoResolvesThroughModelsAndIsRecordedPerRun() async throws {
        let cli = try CLIHarness(
            config: """
                preferred_models: [qwen2.5-7b-instruct]
                models:
                  qwen2.5-7b-instruct: {first: "qwen-mlx@8bit"}
                backends:
                  - {name: first, kind: mock, model: auto, mock: {seed: 1}}
                  - {name: second, kind: mock, model: auto, preferred_models: [phi-4, gemma]}
                  - {name: third, kind: mock, model: fixed-id}
                defaults: {timeout: 5, retries: 0}
                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("first: model auto → qwen2.5-7b-instruct"))
        #expect(result.stdout.contains("second: model auto → phi-4"))
        let store = try ResultStore(path: cli.databasePath)
        let run = try store.run("latest")
        let backends = try store.backends(runID: run.id)
        #expect(backends.map(\.model) == ["qwen2.5-7b-instruct", "phi-4", "fixed-id"])
        #expect(backends.map(\.family) == ["qwen2.5-7b-instruct", "phi-4", "fixed-id"])
        // The config snapshot keeps `auto`, so --resume compares like with like.
        #expect(run.configJSON.contains("\"model\":\"auto\""))
    }

    @Test func anUnreachableModelListIsExit3AndWritesNothing() async throws {
        let cli = try CLIHarness(
            config: """
                backends:
                  - {name: gone, url: "http://127.0.0.1:9/v1", model: auto}
                  - {name: sim, kind: mock, model: m}
                defaults: {timeout: 2, retries: 0}
                """)
        defer { cli.remove() }
        let result = try await cli.runDetached(["mini.yaml", "--quiet"])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("backend 'gone': model: auto: GET http://127.0.0.1:9/v1/models failed"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
    }
}
