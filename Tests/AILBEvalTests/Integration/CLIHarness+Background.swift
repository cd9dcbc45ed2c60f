import Foundation
import GRDB

@testable import AILBEval

/// A CLI process left running, so a test can interrupt or kill it at a moment of its choosing. Its output
/// goes to files in the scratch directory (a pipe nobody reads could block it).
struct BackgroundCLI {
    let process: Process
    let stdoutURL: URL
    let stderrURL: URL

    /// Sends `signal` (SIGINT, SIGKILL, …) to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits up to `seconds` for the process to end; returns its exit status, or nil if it is still running.
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// The same, awaited without holding a thread of the concurrency pool.
    func finished(within seconds: Double) async -> Int32? {
        (try? await offThePool { wait(seconds: seconds) }) ?? nil
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
}

extension CLIHarness {
    /// Starts the CLI with `arguments` (under `ulimit -n openFileLimit` when one is given) and returns at once.
    func start(_ arguments: [String], environment: [String: String] = [:], openFileLimit: Int? = nil) throws -> BackgroundCLI {
        let process = Process()
        (process.executableURL, process.arguments) = try launch(arguments, openFileLimit: openFileLimit)
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let tag = UUID().uuidString.prefix(8)
        let out = directory.appendingPathComponent("stdout-\(tag).txt")
        let err = directory.appendingPathComponent("stderr-\(tag).txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return BackgroundCLI(process: process, stdoutURL: out, stderrURL: err)
    }

    /// Responses committed to the database right now, as another reader sees them (0 without a database).
    func committedResponses() -> Int {
        guard FileManager.default.fileExists(atPath: databasePath) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        guard let queue = try? DatabaseQueue(path: databasePath, configuration: configuration) else { return 0 }
        return (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM responses") }) ?? 0
    }

    /// `PRAGMA integrity_check` of the database file: "ok" when intact.
    func integrityCheck() throws -> String {
        let queue = try DatabaseQueue(path: databasePath)
        return try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Polls until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
