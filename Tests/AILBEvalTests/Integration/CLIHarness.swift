import Foundation
import Testing

/// Runs the real `ailb-eval` binary (built beside the test bundle) in a scratch directory.
struct CLIHarness {
    let directory: URL

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A fresh scratch directory holding `config.yaml` (when given) and the fixture suite.
    init(config: String?) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ailb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let config { try Data(config.utf8).write(to: directory.appendingPathComponent("config.yaml")) }
        let suite = try Self.fixture("integration/mini.yaml")
        try FileManager.default.copyItem(at: suite, to: directory.appendingPathComponent("mini.yaml"))
    }

    static func fixture(_ relativePath: String) throws -> URL {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw HarnessError("missing fixture \(relativePath)") }
        return url
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The CLI binary: next to the test runner (same build configuration), else in .build/debug.
    static func binary() throws -> URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [runner.deletingLastPathComponent().appendingPathComponent("ailb-eval")]
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("ailb-eval"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/ailb-eval"))
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw HarnessError("ailb-eval binary not found (run `swift build` first); looked in \(candidates.map(\.path))")
    }

    var databasePath: String { directory.appendingPathComponent("ailb-eval.sqlite").path }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs the CLI with `arguments`, feeding `stdin`, and waits for it; under `ulimit -n openFileLimit` when
    /// one is given.
    func run(
        _ arguments: [String], stdin: String = "", environment: [String: String] = [:], openFileLimit: Int? = nil
    ) throws -> Result {
        let process = Process()
        (process.executableURL, process.arguments) = try launch(arguments, openFileLimit: openFileLimit)
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        let writer = Thread {
            inPipe.fileHandleForWriting.write(Data(stdin.utf8))
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let errReader = AsyncDataReader(errPipe.fileHandleForReading)
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errReader.wait()
        process.waitUntilExit()
        return Result(
            status: Self.shellStatus(process), stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// The status as a shell shows it: the exit code, or 128 + the signal that killed the process (a trap is
    /// 132, not the 4 `terminationStatus` gives, which is also the code for an output error).
    static func shellStatus(_ process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Drains a pipe on a background thread so a chatty child cannot block on a full pipe.
final class AsyncDataReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
