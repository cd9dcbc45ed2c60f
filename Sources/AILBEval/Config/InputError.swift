import Foundation

/// A problem with something the user wrote: a config file, a suite, or a flag.
///
/// The executable prints `description` and exits with status 2.
public struct InputError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where the problem is; nil when it concerns the whole file or no file at all.
    public var location: SourceLocation?
    /// What was expected and what was found.
    public var message: String
    /// The file concerned when there is no position inside it (a missing or empty file).
    public var file: String?

    /// An error at a position in a file.
    public init(at location: SourceLocation?, _ message: String) {
        self.location = location
        self.message = message
        self.file = location?.file
    }

    /// An error about a whole file, with no position inside it.
    public init(file: String, _ message: String) {
        self.location = nil
        self.message = message
        self.file = file
    }

    /// An error about no file at all (a flag, say).
    public init(_ message: String) {
        self.location = nil
        self.message = message
        self.file = nil
    }

    /// `file:line:column: error: message`, or `file: error: message` without a position.
    public var description: String {
        if let location { return "\(location): error: \(message)" }
        if let file { return "\(file): error: \(message)" }
        return "error: \(message)"
    }
}
