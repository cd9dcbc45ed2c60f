import Foundation

/// Every file the tool writes for people or tools (a report, a CSV file, a comparison): written a piece at a
/// time and put in place whole, so a reader (or a crash) never sees half of one.
///
/// The pieces go, in chunks, to a temporary file beside the target, created with mode 0600 (a report holds
/// prompts and model output) and given its final `permissions` before anything is written; `commit()`
/// flushes it to disk (fsync) and replaces the target with rename(2). A file never committed (a failed
/// write, an error anywhere before `commit()`) is removed, and an existing target is left untouched.
/// Every failure is an `OutputError` naming the target, which the executable reports as exit 4.
///
/// A target that exists and is not a regular file or folder (`/dev/stdout`, `/dev/null`, a named pipe), or
/// lies under `/dev` or `/proc`, is written in place instead: it cannot be replaced, and nothing may be
/// created beside it.
public final class OutputFile {
    /// The target.
    public let path: String
    /// The temporary file; nil when the target is written in place.
    private let temporary: String?
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    /// Bytes gathered before each write(2).
    static let chunkSize = 1 << 16

    /// Starts a file that will replace (or create) `path`, with `permissions` (default 0644); missing
    /// folders above it are created.
    public init(path: String, permissions: Int = 0o644) throws(OutputError) {
        self.path = path
        if Self.isWrittenInPlace(path) {
            temporary = nil
            descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw OutputError(path: path, errno: errno) }
            buffer.reserveCapacity(Self.chunkSize)
            return
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try OutputDirectory.create(directory.path, for: path)
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        ).path
        self.temporary = temporary
        descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw OutputError(path: path, errno: errno) }
        guard fchmod(descriptor, mode_t(permissions)) == 0 else {
            let error = OutputError(path: path, errno: errno)
            discard()
            throw error
        }
        buffer.reserveCapacity(Self.chunkSize)
    }

    deinit { discard() }

    /// Replaces (or creates) the file at `path` with `text` encoded as UTF-8.
    public static func write(_ text: String, to path: String, permissions: Int = 0o644) throws(OutputError) {
        let file = try OutputFile(path: path, permissions: permissions)
        try file.write(text)
        try file.commit()
    }

    /// Replaces (or creates) the file at `path` with `data`.
    public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws(OutputError) {
        let file = try OutputFile(path: path, permissions: permissions)
        try file.write(bytes: [UInt8](data))
        try file.commit()
    }

    /// Whether `path` names something that cannot be replaced by a rename: a device, a pipe or socket, or
    /// anything under /dev or /proc (where `/dev/stdout` leads to whatever standard output is).
    static func isWrittenInPlace(_ path: String) -> Bool {
        if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") { return true }
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// Appends `text` as UTF-8.
    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Appends raw bytes.
    public func write(bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Writes what is buffered, syncs and closes the file and puts it in place.
    public func commit() throws(OutputError) {
        try flush()
        let fd = descriptor
        descriptor = -1
        // A renamed file whose data is not yet on disk can be empty after a crash: sync first. A device or
        // pipe written in place has nothing to sync (fsync fails with EINVAL there).
        if temporary != nil, fsync(fd) != 0 {
            let error = OutputError(path: path, errno: errno)
            close(fd)
            if let temporary { unlink(temporary) }
            throw error
        }
        guard close(fd) == 0 else {
            let error = OutputError(path: path, errno: errno)
            if let temporary { unlink(temporary) }
            throw error
        }
        guard let temporary else { return }
        guard rename(temporary, path) == 0 else {
            let error = OutputError(path: path, errno: errno)
            unlink(temporary)
            throw error
        }
    }

    private func flush() throws(OutputError) {
        guard descriptor >= 0 else { throw OutputError(path: path, reason: "the file is already closed") }
        let failure = buffer.withUnsafeBytes { DescriptorWriter.writeAll(descriptor, $0) }
        buffer.removeAll(keepingCapacity: true)
        if let failure {
            // The temporary file goes at once: a full disk should not be made fuller by half a report.
            discard()
            throw OutputError(path: path, errno: failure)
        }
    }

    /// Closes and removes the temporary file unless it was committed.
    private func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        if let temporary { unlink(temporary) }
    }
}
