import Foundation

/// The `verdict` command's loop: JSON Lines in, one verdict line out per input line.
public enum VerdictStream {
    /// Reads `input` to its end and writes one output line per non-blank input line. Returns the
    /// number of lines that carried an error.
    @discardableResult
    public static func run(input: FileHandle, output: FileHandle, processor: VerdictLineProcessor) -> Int {
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
