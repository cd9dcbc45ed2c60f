import Foundation

/// Running the CLI with few file descriptors, as on a system whose default limit is low (macOS: 256): a
/// shell sets `ulimit -n` and then becomes the CLI (same process).
extension CLIHarness {
    /// The shell command line that runs the CLI with `arguments` under `ulimit -n openFileLimit`.
    func launcher(_ arguments: [String], openFileLimit: Int) throws -> [String] {
        ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", try Self.binary().path] + arguments
    }

    /// Runs the CLI under `ulimit -n openFileLimit` and waits for it on a thread of its own.
    func runDetached(_ arguments: [String], openFileLimit: Int) async throws -> Result {
        let launcher = try launcher(arguments, openFileLimit: openFileLimit)
        let harness = self
        return try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = launcher
            process.currentDirectoryURL = harness.directory
            let outPipe = Pipe()
            let errPipe = Pipe()
            process.standardOutput = outPipe
            process.standardError = errPipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let errReader = AsyncDataReader(errPipe.fileHandleForReading)
            let out = outPipe.fileHandleForReading.readDataToEndOfFile()
            let err = errReader.wait()
            process.waitUntilExit()
            return Result(
                status: Self.shellStatus(process), stdout: String(decoding: out, as: UTF8.self),
                stderr: String(decoding: err, as: UTF8.self))
        }
    }

    /// Starts the CLI under `ulimit -n openFileLimit` and returns at once; the process is the CLI's own.
    func start(_ arguments: [String], openFileLimit: Int) throws -> BackgroundCLI {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = try launcher(arguments, openFileLimit: openFileLimit)
        process.currentDirectoryURL = directory
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
}
