import Foundation
import GRDB
import Testing

@testable import AILBEval

/// `runs`, `report`, `export`, `gate` and `compare` never write to the database: its bytes and time stamp
/// stay, no -wal or -shm file appears, and a read-only file in a read-only folder is enough. A run held by
/// a process we may not signal (another user) is not taken over by `--resume`.
@Suite(.serialized) struct ReadOnlyCommandsTests {
    static let config = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
          - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2}}

        """

    static let readingCommands: [[String]] = [
        ["runs"], ["report", "latest", "--out", "out/report.html"], ["report", "1", "--format", "json", "--out", "-"],
        ["report", "1", "--format", "markdown", "--out", "-"], ["report", "1", "--format", "junit", "--out", "out/junit.xml"],
        ["export", "1", "--out", "out/csv"], ["gate", "1", "--min-agreement", "0"], ["compare", "1", "1"],
        ["compare", "1", "1", "--format", "json", "--out", "out/compare.json"],
    ]

    /// Marks run `id` as running in process `pid` (as a crash, or another process, leaves it).
    static func markRunning(_ database: String, id: Int64, pid: Int32) throws {
        let queue = try DatabaseQueue(path: database)
        try queue.write { try $0.execute(sql: "UPDATE runs SET status = 'running', pid = ? WHERE id = ?", arguments: [pid, id]) }
        try queue.close()
    }

    /// A pid that no process has: a child that has exited and been waited for.
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    static func fingerprint(_ path: String) throws -> (Data, Date?, [String]) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let sideFiles = ["-wal", "-shm", "-journal"].filter { FileManager.default.fileExists(atPath: path + $0) }
        return (bytes, modified, sideFiles)
    }

    @Test func readingCommandsLeaveTheDatabaseAsItWas() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        // A run whose process is gone: reading commands show it as interrupted, but do not store that.
        try Self.markRunning(cli.databasePath, id: 1, pid: try Self.deadPID())
        let before = try Self.fingerprint(cli.databasePath)
        #expect(before.2.isEmpty, "no side file before: \(before.2)")
        usleep(20_000)

        for arguments in Self.readingCommands {
            let result = try await cli.runDetached(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            if arguments == ["runs"] { #expect(result.stdout.contains("interrupted"), "\(result.stdout)") }
            let after = try Self.fingerprint(cli.databasePath)
            #expect(after.0 == before.0, "\(arguments) changed the database's bytes")
            #expect(after.1 == before.1, "\(arguments) changed the database's time stamp")
            #expect(after.2.isEmpty, "\(arguments) left \(after.2)")
        }
        #expect(try ResultStore(readingFrom: cli.databasePath).run("1").status == .interrupted)
        // A command that writes (a run) still stores the status it finds.
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        let stored = try await DatabaseQueue(path: cli.databasePath).read {
            try String.fetchOne($0, sql: "SELECT status FROM runs WHERE id = 1")
        }
        #expect(stored == "interrupted")
    }

    @Test(.enabled(if: CLIHarness.canRunUnprivileged))
    func readingCommandsWorkOnAReadOnlyFileInAReadOnlyFolder() async throws {
        let cli = try CLIHarness(config: Self.config + "storage: {path: store/evals.sqlite}\n")
        defer {
            chmod(cli.path("store"), 0o755)
            cli.remove()
        }
        try FileManager.default.createDirectory(atPath: cli.path("store"), withIntermediateDirectories: true)
        try cli.handToUnprivilegedUser()
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"], stdoutPath: nil, unprivileged: true).status == 0)
        let database = cli.path("store/evals.sqlite")
        #expect(chmod(database, 0o400) == 0)
        #expect(chmod(cli.path("store"), 0o555) == 0)
        let before = try Self.fingerprint(database)
        for arguments in Self.readingCommands {
            let result = try await cli.runDetached(arguments, stdoutPath: nil, unprivileged: true)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let after = try Self.fingerprint(database)
        #expect(after.0 == before.0 && after.1 == before.1 && after.2.isEmpty)
        #expect(FileManager.default.fileExists(atPath: cli.path("out/csv/responses.csv")))
    }

    @Test(.enabled(if: CLIHarness.canRunUnprivileged))
    func aRunHeldByAnotherUsersProcessIsNotTakenOver() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        try cli.handToUnprivilegedUser()
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"], stdoutPath: nil, unprivileged: true).status == 0)
        // Run as root, this test process is alive and not the unprivileged user's to signal (EPERM); run as
        // anyone else, pid 1 is.
        let holder: Int32 = CLIHarness.isRoot ? getpid() : 1
        try Self.markRunning(cli.databasePath, id: 1, pid: holder)
        if CLIHarness.isRoot { chown(cli.databasePath, CLIHarness.unprivilegedID, CLIHarness.unprivilegedID) }

        let resumed = try await cli.runDetached(["run", "--resume", "1"], stdoutPath: nil, unprivileged: true)
        #expect(resumed.status == 2, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("run 1 is still running (process \(holder))"), "\(resumed.stderr)")
        let runs = try await cli.runDetached(["runs"], stdoutPath: nil, unprivileged: true)
        #expect(runs.stdout.contains("running"), "\(runs.stdout)")
        #expect(try ResultStore(readingFrom: cli.databasePath).run("1").status == .running)
    }
}
