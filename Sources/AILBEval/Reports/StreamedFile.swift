import Foundation

/// A file written a piece at a time and put in place whole, like `AtomicFile`: the pieces go to a
/// temporary file beside the target, which replaces it with rename(2) when `commit()` is called. A file
/// never committed is removed, and an existing target is left untouched.
final class StreamedFile {
    let path: String
    private let temporary: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 16

    /// Starts a file that will replace (or create) `path`, with `permissions`.
    init(path: String, permissions: Int = 0o644) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        ).path
        descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.error(path) }
        guard fchmod(descriptor, mode_t(permissions)) == 0 else {
            let error = Self.error(path)
            discard()
            throw error
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { discard() }

    /// Appends `text` as UTF-8.
    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes what is buffered, closes the file and puts it in place.
    func commit() throws {
        try flush()
        let fd = descriptor
        descriptor = -1
        guard close(fd) == 0 else {
            let error = Self.error(path)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = Self.error(path)
            unlink(temporary)
            throw error
        }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.error(path)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes and removes the temporary file unless it was committed.
    private func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }

    private static func error(_ path: String) -> StoreError {
        StoreError(message: "\(path): cannot write (\(String(cString: strerror(errno))))")
    }
}
