import Foundation

/// The loop of the `verdict` and `similarity` commands: JSON Lines in, one output line per input line.
public enum JSONLinesStream {
    /// Reads `input` to its end and writes one output line per non-blank input line. Returns the
    /// number of lines that carried an error.
    @discardableResult
    public static func run(input: FileHandle, output: FileHandle, processor: some LineProcessor) -> Int {
        var errors = 0
        var pending = Data()
        var out = ""
        func emit(_ lineData: Data) {
            let line = String(decoding: lineData, as: UTF8.self)
            guard let result = processor.process(line) else { return }
            if result.hasPrefix("{\"id\"") && result.contains("\"error\":") { errors += 1 }
            out += result + "\n"
            if out.utf8.count > 1 << 16 {
                output.write(Data(out.utf8))
                out = ""
            }
        }
        while true {
            let chunk = input.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                emit(pending[pending.startIndex..<newline])
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { emit(pending) }
        output.write(Data(out.utf8))
        return errors
    }
}
