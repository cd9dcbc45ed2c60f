import Foundation
import Testing

@testable import AILBEval

/// API keys never reach any output; output files are replaced whole or not at all; the database is private.
@Suite struct SecretsAndOutputFilesTests {
    static let key = "sk-ailb-\(UUID().uuidString.lowercased())"
    static let headerSecret = "hdr-\(UUID().uuidString.lowercased())"
    static let password = "pw\(UUID().uuidString.prefix(12).lowercased())"

    static let config = """
        backends:
          - {name: open, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
          - name: keyed
            kind: mock
            model: m
            quant: 4bit
            api_key_env: AILB_TEST_API_KEY
            headers: {X-Team-Token: "${AILB_TEST_HEADER}"}
            mock: {seed: 2}
          - {name: other, kind: mock, model: m, quant: Q4_K_M, mock: {seed: 3}}
          - name: with-password
            url: "http://eval:${AILB_TEST_PASSWORD}@127.0.0.1:1/v1"
            model: m
        defaults: {timeout: 5, retries: 0}

        """

    /// Every file under `directory`, recursively (the database with its -wal and -shm, CSVs, anything).
    static func allFiles(under directory: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        return (enumerator?.allObjects as? [URL] ?? []).filter {
            (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
    }

    static func contains(_ haystack: Data, _ needle: String) -> Bool {
        haystack.range(of: Data(needle.utf8)) != nil
    }

    @Test func theKeyIsSentButNeverWrittenAnywhere() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        let environment = [
            "AILB_TEST_API_KEY": Self.key, "AILB_TEST_HEADER": Self.headerSecret, "AILB_TEST_PASSWORD": Self.password,
        ]
        var outputs: [(String, String)] = []
        let run = try await cli.runDetached(["mini.yaml", "--out", "csv"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        outputs.append((run.stdout, run.stderr))

        // The keyed mock answers only with the right bearer token: its successes prove the key was sent.
        let store = try ResultStore(path: cli.databasePath)
        var keyed: [ResponseRecord] = []
        var withPassword: [ResponseRecord] = []
        try store.forEachResponse(runID: 1) {
            if $0.backend == "keyed" { keyed.append($0) }
            if $0.backend == "with-password" { withPassword.append($0) }
        }
        #expect(keyed.count == 4 && keyed.allSatisfy(\.success))
        #expect(withPassword.count == 4 && withPassword.allSatisfy { $0.errorClass == .connect })

        for arguments in [["runs"], ["export", "latest", "--out", "exported"], ["gate", "1", "--min-agreement", "0"]] {
            let result = try await cli.runDetached(arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            outputs.append((result.stdout, result.stderr))
        }
        let resumed = try await cli.runDetached(["run", "--resume", "1"], environment: environment)
        outputs.append((resumed.stdout, resumed.stderr))

        let secrets = [Self.key, Self.headerSecret, Self.password]
        for (stdout, stderr) in outputs {
            for secret in secrets {
                #expect(!stdout.contains(secret) && !stderr.contains(secret))
            }
        }
        let files = Self.allFiles(under: cli.directory)
        #expect(files.contains { $0.lastPathComponent == "ailb-eval.sqlite" })
        #expect(files.filter { $0.pathExtension == "csv" }.count >= 15)
        for file in files {
            let bytes = try Data(contentsOf: file)
            for secret in secrets {
                #expect(!Self.contains(bytes, secret), "\(file.lastPathComponent) holds a secret")
            }
        }
        // The header's name is kept (it tells what was configured); its value is not.
        let runRecord = try store.run("1")
        #expect(runRecord.configJSON.contains("X-Team-Token"))
        #expect(runRecord.configJSON.contains("AILB_TEST_API_KEY"))
        #expect(try store.backends(runID: 1).last?.urls == ["http://127.0.0.1:1/v1"])
    }

    @Test func theDatabaseAndItsJournalAreOwnerOnly() throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let child = try cli.start(["mini.yaml", "--repeat", "3", "--quiet"])
        // While the run is going the WAL and shared-memory files exist too.
        cli.waitUntil(seconds: 10) { FileManager.default.fileExists(atPath: cli.databasePath + "-wal") }
        var modes: [String: Int] = [:]
        for suffix in ["", "-wal", "-shm"] {
            if let mode = try? FileManager.default.attributesOfItem(atPath: cli.databasePath + suffix)[.posixPermissions] as? Int {
                modes[suffix] = mode
            }
        }
        #expect(child.wait(seconds: 30) == 0, "\(child.stderr)")
        #expect(modes[""] == 0o600)
        for (suffix, mode) in modes { #expect(mode & 0o077 == 0, "ailb-eval.sqlite\(suffix) is \(String(mode, radix: 8))") }
        let after = try FileManager.default.attributesOfItem(atPath: cli.databasePath)[.posixPermissions] as? Int
        #expect(after == 0o600)
    }

    @Test func anExportThatDiesMidWriteLeavesTheOldFilesWhole() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let run = try await cli.runDetached(["mini.yaml", "--repeat", "60", "--quiet", "--out", "out"])
        #expect(run.status <= 1, "\(run.stderr)")
        let responses = cli.path("out/responses.csv")
        let before = try Data(contentsOf: URL(fileURLWithPath: responses))
        #expect(before.count > 110 * 1024, "the export must outgrow the file size limit below")

        // The same export again, but the process may write no file beyond 100 blocks (50 or 100 KiB,
        // depending on the shell's block size): the kernel stops it
        // (SIGXFSZ) in the middle of responses.csv, as a full disk or a crash would.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -f 100; exec \"$0\" export latest --out out", try CLIHarness.binary().path]
        process.currentDirectoryURL = cli.directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)

        #expect(try Data(contentsOf: URL(fileURLWithPath: responses)) == before)
        for name in ["verdicts.csv", "backends.csv", "by_family.csv", "by_quant.csv"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: cli.path("out/\(name)")))
            #expect(data.count > 0 && data.last == 0x0A, "\(name) is whole")
        }
        // And without the limit the export succeeds over the same files.
        let again = try await cli.runDetached(["export", "latest", "--out", "out"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: responses)) == before)
    }
}
