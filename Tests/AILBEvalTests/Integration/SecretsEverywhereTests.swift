import Foundation
import GRDB
import Testing

@testable import AILBEval

/// A URL password, an API key and a header secret appear in no output at all: the terminal, `backends`
/// (table and JSON), every report and comparison format, CSV, and the database with its write-ahead log.
@Suite(.serialized) struct SecretsEverywhereTests {
    static let key = "sk-key-\(UUID().uuidString.lowercased())"
    static let headerSecret = "hdr-\(UUID().uuidString.lowercased())"
    static let password = "pw-\(UUID().uuidString.prefix(13).lowercased())"

    static func config(port: UInt16) -> String {
        """
        backends:
          - {name: open, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
          - name: keyed
            kind: mock
            model: m
            quant: 4bit
            api_key_env: AILB_SECRET_KEY
            headers: {X-Team-Token: "${AILB_SECRET_HEADER}"}
            mock: {seed: 2}
          - {name: other, kind: mock, model: m, quant: Q4_K_M, mock: {seed: 3}}
          - name: with-password
            url: "http://alice:${AILB_SECRET_PASSWORD}@127.0.0.1:\(port)/v1"
            model: m
            api_key_env: AILB_SECRET_KEY
            headers: {X-Team-Token: "${AILB_SECRET_HEADER}"}
        defaults: {timeout: 5, retries: 0}

        """
    }

    @Test func noOutputCarriesAPlantedSecret() async throws {
        let port = try CLIHarness.refusedPort()
        let cli = try CLIHarness(config: Self.config(port: port))
        defer { cli.remove() }
        let environment = [
            "AILB_SECRET_KEY": Self.key, "AILB_SECRET_HEADER": Self.headerSecret, "AILB_SECRET_PASSWORD": Self.password,
        ]
        var outputs: [(command: String, text: String)] = []
        func run(_ arguments: [String]) async throws -> CLIHarness.Result {
            let result = try await cli.runDetached(arguments, environment: environment)
            outputs.append((arguments.joined(separator: " "), result.stdout + result.stderr))
            return result
        }
        #expect(try await run(["mini.yaml", "--quiet", "--out", "first"]).status == 0)

        // A connection held open here keeps the write-ahead log of the next run on disk, to be searched too.
        let holder = try DatabaseQueue(path: cli.databasePath)
        _ = try await holder.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runs") }
        #expect(try await run(["mini.yaml", "--quiet", "--out", "second"]).status == 0)
        let wal = try Data(contentsOf: URL(fileURLWithPath: cli.databasePath + "-wal"))
        #expect(wal.count > 0)

        let table = try await run(["backends", "--timeout", "3"])
        #expect(table.status == 3)
        #expect(table.stdout.contains("http://127.0.0.1:\(port)/v1"), "\(table.stdout)")
        let json = try await run(["backends", "--json", "--timeout", "3"])
        let probes = try JSONValue(parsing: json.stdout).arrayValue ?? []
        #expect(probes.first { $0["backend"] == "with-password" }?["url"] == .string("http://127.0.0.1:\(port)/v1"))

        for format in ["html", "json", "junit", "markdown"] {
            #expect(try await run(["report", "latest", "--format", format, "--out", "-"]).status == 0)
            #expect(try await run(["report", "1", "--format", format, "--out", "reports-\(format)"]).status == 0)
        }
        #expect(try await run(["report", "latest", "--format", "csv", "--out", "csv"]).status == 0)
        #expect(try await run(["export", "1", "--out", "exported"]).status == 0)
        for format in ["text", "markdown", "json", "csv", "junit", "html"] {
            #expect(try await run(["compare", "1", "2", "--format", format]).status == 0)
            #expect(try await run(["compare", "1", "2", "--format", format, "--out", "compare-\(format).out"]).status == 0)
        }
        #expect(try await run(["runs"]).status == 0)
        #expect(try await run(["gate", "latest", "--min-agreement", "0"]).status == 0)

        let secrets = [Self.key, Self.headerSecret, Self.password, "alice:"]
        for (command, text) in outputs {
            for secret in secrets { #expect(!text.contains(secret), "\(command) prints \(secret)") }
        }
        // Every file but the config, which names the variables (and the user name) itself.
        let files = SecretsAndOutputFilesTests.allFiles(under: cli.directory).filter { $0.lastPathComponent != "config.yaml" }
        #expect(files.contains { $0.lastPathComponent == "ailb-eval.sqlite-wal" })
        #expect(files.filter { $0.pathExtension == "csv" }.count >= 27)
        for file in files {
            let bytes = try Data(contentsOf: file)
            for secret in secrets {
                #expect(!SecretsAndOutputFilesTests.contains(bytes, secret), "\(file.lastPathComponent) holds \(secret)")
            }
        }
        try holder.close()
    }
}
