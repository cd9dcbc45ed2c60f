import Foundation

/// Writes whole files so that a reader (or a crash) never sees half of one: the bytes go to a temporary
/// file beside the target, which then replaces it with rename(2). An existing file is left untouched on failure.
public enum AtomicFile {
    /// Replaces (or creates) the file at `path` with `data`, with `permissions` (default 0644).
    public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: permissions]) else {
            throw StoreError(message: "\(path): cannot write (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw StoreError(message: "\(path): cannot write (\(reason))")
        }
    }

    /// As `write(_:to:)`, for text encoded as UTF-8.
    public static func write(_ text: String, to path: String, permissions: Int = 0o644) throws {
        try write(Data(text.utf8), to: path, permissions: permissions)
    }
}
