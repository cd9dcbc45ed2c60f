/// Paths worked on as text. Foundation's `deletingLastPathComponent` (on `NSString` and `URL`) traps on Linux
/// for a path of one character, as `--out r` or a suite file named `s` is.
enum PathText {
    /// The folder `path` is in: "" for a name alone, "/" for a name in the root.
    static func folder(of path: String) -> String {
        var name = Substring(path)
        while name.count > 1, name.hasSuffix("/") { name = name.dropLast() }
        guard let slash = name.lastIndex(of: "/") else { return "" }
        var parent = name[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return parent.isEmpty ? "/" : String(parent)
    }
}
