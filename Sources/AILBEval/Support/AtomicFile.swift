import Foundation

/// Writes whole files so that a reader (or a crash) never sees half of one: the bytes go to a temporary
/// file beside the target, which then replaces it with rename(2). An existing file is left untouched on
/// failure, the temporary file is removed, and the error is an `OutputError` naming the target.
public enum AtomicFile {
    /// Replaces (or creates) the file at `path` with `data`, with `permissions` (default 0644).
    public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws(OutputError) {
        let file = try StreamedFile(path: path, permissions: permissions)
        try file.write(bytes: [UInt8](data))
        try file.commit()
    }

    /// As `write(_:to:)`, for text encoded as UTF-8.
    public static func write(_ text: String, to path: String, permissions: Int = 0o644) throws(OutputError) {
        let file = try StreamedFile(path: path, permissions: permissions)
        try file.write(text)
        try file.commit()
    }
}
