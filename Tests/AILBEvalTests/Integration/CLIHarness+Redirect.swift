import Foundation
import Testing

/// Running the CLI with its standard output on a file or device (`> /dev/full`), and as an unprivileged
/// user: permission bits do not stop root, so when the tests run as root (a container) the CLI is started as
/// `nobody` through setpriv(1) for the tests about files it may not write.
extension CLIHarness {
    static var isRoot: Bool { geteuid() == 0 }
    static let unprivilegedID: UInt32 = 65534
    static let setpriv = "/usr/bin/setpriv"

    /// Whether the CLI can be run without the privilege to ignore file permissions.
    static var canRunUnprivileged: Bool { !isRoot || FileManager.default.isExecutableFile(atPath: setpriv) }

    /// Hands the scratch directory and everything in it to the unprivileged user (when running as root), so
    /// the CLI run as that user can write its database there.
    func handToUnprivilegedUser() throws {
        guard Self.isRoot else { return }
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var paths = [directory.path]
        while let relative = enumerator?.nextObject() as? String { paths.append(directory.appendingPathComponent(relative).path) }
        for path in paths where chown(path, Self.unprivilegedID, Self.unprivilegedID) != 0 {
            throw HarnessError("chown \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Runs the CLI with `arguments`, standard output written to `stdoutPath` (a file or a device such as
    /// /dev/full) instead of a pipe, standard input read from `stdinPath` (default: empty), optionally as the
    /// unprivileged user; returns its status and standard error (and standard output when it went to a pipe).
    func run(
        _ arguments: [String], stdoutPath: String?, stdinPath: String? = nil, unprivileged: Bool = false,
        environment: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        if unprivileged && Self.isRoot {
            process.executableURL = URL(fileURLWithPath: Self.setpriv)
            process.arguments =
                ["--reuid=\(Self.unprivilegedID)", "--regid=\(Self.unprivilegedID)", "--clear-groups", try Self.binary().path]
                + arguments
        } else {
            process.executableURL = try Self.binary()
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let outPipe = Pipe()
        let errPipe = Pipe()
        var outFile: FileHandle?
        if let stdoutPath {
            guard let handle = FileHandle(forWritingAtPath: stdoutPath) else { throw HarnessError("cannot open \(stdoutPath)") }
            outFile = handle
            process.standardOutput = handle
        } else {
            process.standardOutput = outPipe
        }
        process.standardError = errPipe
        process.standardInput = stdinPath.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try process.run()
        try? outFile?.close()
        let errReader = AsyncDataReader(errPipe.fileHandleForReading)
        let out = stdoutPath == nil ? outPipe.fileHandleForReading.readDataToEndOfFile() : Data()
        let err = errReader.wait()
        process.waitUntilExit()
        return Result(
            status: Self.shellStatus(process), stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// A loopback port nothing listens on: bound once to find it free, then closed, so connecting is refused.
    static func refusedPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw HarnessError("bind: \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// `run`, waited for on a thread of its own: a test that runs the CLI many times would otherwise hold one
    /// of the concurrency pool's few threads (two on a 2-core machine) for seconds, and starve the tests whose
    /// in-process servers need them.
    func runDetached(
        _ arguments: [String], stdin: String = "", stdoutPath: String? = nil, stdinPath: String? = nil,
        unprivileged: Bool = false, environment: [String: String] = [:], openFileLimit: Int? = nil
    ) async throws -> Result {
        let harness = self
        return try await offThePool {
            stdoutPath == nil && stdinPath == nil && !unprivileged
                ? try harness.run(arguments, stdin: stdin, environment: environment, openFileLimit: openFileLimit)
                : try harness.run(
                    arguments, stdoutPath: stdoutPath, stdinPath: stdinPath, unprivileged: unprivileged,
                    environment: environment)
        }
    }
}

/// At most this many waits of `offThePool` at once: dozens of parameterised CLI tests starting their processes
/// together would otherwise load two cores with dozens of processes.
let offThePoolSlots = DispatchSemaphore(value: 4)

/// Runs `body` on a thread of its own (for waits that would otherwise block a thread the in-process servers need).
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            offThePoolSlots.wait()
            defer { offThePoolSlots.signal() }
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}
