import Foundation

/// Running the CLI with few file descriptors, as on a system whose default limit is low (macOS: 256): a
/// shell sets `ulimit -n` and then becomes the CLI (same process).
extension CLIHarness {
    /// The executable and arguments that run the CLI with `arguments`: the binary itself, or, under
    /// `openFileLimit`, a shell that sets `ulimit -n` and then becomes it.
    func launch(_ arguments: [String], openFileLimit: Int?) throws -> (URL, [String]) {
        let binary = try Self.binary()
        guard let openFileLimit else { return (binary, arguments) }
        return (URL(fileURLWithPath: "/bin/sh"), ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", binary.path] + arguments)
    }
}
