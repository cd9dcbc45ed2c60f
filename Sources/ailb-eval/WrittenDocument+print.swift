import AILBEval

extension WrittenDocument {
    /// Prints the document as it is, or the paths written, one per line.
    func print() throws(OutputError) {
        switch self {
        case .document(let document): try StandardOutput.write(document)
        case .files(let paths): for path in paths { try StandardOutput.line(path) }
        }
    }
}
