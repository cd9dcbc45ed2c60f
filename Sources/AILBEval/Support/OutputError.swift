import Foundation

/// Output could not be written: a report, a CSV file, the database's export (all through `OutputFile`), or
/// standard output (a full disk, `> /dev/full`, a folder that is not writable). Its own exit code (4), so
/// that a CI job can tell it from a failed gate (1) or an unusable database (3).
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// The file or folder (or "standard output") that could not be written.
    public var path: String
    /// Why, as the system says it.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The error for `path` from an `errno` value.
    public init(path: String, errno code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(path): cannot write (\(reason))" }
}

/// Creates output folders with mkdir(2), so that a failure carries the system's reason (EACCES, ENOSPC,
/// ENOTDIR…) rather than Foundation's paraphrase of it.
public enum OutputDirectory {
    /// Creates `path` and any missing parents (mode 0755 before the umask); an existing folder is fine.
    public static func create(_ path: String) throws(OutputError) {
        try create(path, for: path)
    }

    /// Creates `path` for `target` (itself, or a file to go in it): a failure names `target`, what the user
    /// asked for, and the folder that could not be made when that is another.
    static func create(_ path: String, for target: String) throws(OutputError) {
        do {
            try make(path)
        } catch {
            throw error.path == target ? error : OutputError(path: target, reason: "\(error.path): \(error.reason)")
        }
    }

    private static func make(_ path: String) throws(OutputError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw OutputError(path: path, errno: ENOTDIR)
        }
        let parent = PathText.folder(of: path)
        if !parent.isEmpty && parent != path { try make(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw OutputError(path: path, errno: errno) }
    }

}

/// Writes bytes to a file descriptor with write(2), which reports failures (ENOSPC, EIO, EBADF…) as values
/// instead of stopping the process the way `FileHandle.write(_:)` does.
enum DescriptorWriter {
    /// Writes all of `bytes` to `descriptor` (retrying short writes and EINTR); the errno of a failure, else nil.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}

/// The process's standard output, written unbuffered with errors thrown (exit 4), never trapped.
public enum StandardOutput {
    /// Writes `text` as UTF-8.
    public static func write(_ text: String) throws(OutputError) {
        var text = text
        let failure = text.withUTF8 { DescriptorWriter.writeAll(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }
        if let failure { throw OutputError(path: "standard output", errno: failure) }
    }

    /// Writes `text` and a newline.
    public static func line(_ text: String) throws(OutputError) {
        try write(text + "\n")
    }
}

/// The process's standard error: messages are written when possible and dropped when not (`2> /dev/full`):
/// there is nowhere left to report that failure, and it must not stop the process.
public enum StandardError {
    /// Writes `text` as UTF-8, ignoring failures.
    public static func write(_ text: String) {
        var text = text
        _ = text.withUTF8 { DescriptorWriter.writeAll(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
    }

    /// Writes `text` and a newline, ignoring failures.
    public static func line(_ text: String) {
        write(text + "\n")
    }
}
