import Foundation

/// The loop of the `verdict` and `similarity` commands: JSON Lines in, one output line per input line.
///
/// Lines are judged on every core, a batch at a time, and written in their input order: each line is judged
/// on its own, and a long text pair can take a thousand times as long as a short one.
package enum JSONLinesStream {
    /// Lines judged together at most; also judged as soon as a read from the input ends, so a slow producer
    /// does not wait for a batch to fill.
    static let batchSize = 512

    /// Reads `input` to its end and writes one output line per non-blank input line; throws `OutputError` when
    /// the output cannot be written.
    package static func run(input: FileHandle, output: FileHandle, processor: some LineProcessor) throws(OutputError) {
        var lines = LineSplitter()
        var writer = BufferedLines(output: output)
        var batch: [String] = []
        batch.reserveCapacity(batchSize)
        var failure: OutputError?
        func judgeBatch() {
            guard failure == nil, !batch.isEmpty else { return }
            do throws(OutputError) {
                for line in processAll(batch, processor) { try writer.emit(line) }
            } catch {
                failure = error
            }
            batch.removeAll(keepingCapacity: true)
        }
        func collect(_ line: String) {
            batch.append(line)
            if batch.count >= batchSize { judgeBatch() }
        }
        while failure == nil {
            let chunk = input.availableData
            if chunk.isEmpty { break }
            lines.append(chunk, collect)
            judgeBatch()
        }
        lines.finish(collect)
        judgeBatch()
        if let failure { throw failure }
        try writer.flush()
    }

    /// The output of each line, in order, the lines spread over the cores.
    static func processAll(_ lines: [String], _ processor: some LineProcessor) -> [String?] {
        var outputs = [String?](repeating: nil, count: lines.count)
        outputs.withUnsafeMutableBufferPointer { buffer in
            // Each iteration writes its own slot only.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: lines.count) { index in
                slots[index] = processor.process(lines[index])
            }
        }
        return outputs
    }
}

/// Splits a byte stream into lines (`\n`, a trailing `\r` dropped), scanning each byte once.
struct LineSplitter {
    private var buffer: [UInt8] = []

    /// Adds bytes and hands every complete line to `body`.
    mutating func append(_ chunk: Data, _ body: (String) -> Void) {
        buffer.append(contentsOf: chunk)
        var start = 0
        buffer.withUnsafeBufferPointer { bytes in
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x0A {
                    body(Self.line(bytes, start, index))
                    start = index + 1
                }
                index += 1
            }
        }
        buffer.removeFirst(start)
    }

    /// Hands the last line (without a newline) to `body`, if there is one.
    mutating func finish(_ body: (String) -> Void) {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { body(Self.line($0, 0, $0.count)) }
        buffer.removeAll()
    }

    static func line(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var stop = end
        if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
    }
}

/// Collects output lines and writes them in large blocks.
struct BufferedLines {
    let output: FileHandle
    var pending: [UInt8] = []

    init(output: FileHandle) {
        self.output = output
        pending.reserveCapacity(1 << 17)
    }

    mutating func emit(_ line: String?) throws(OutputError) {
        guard let line else { return }
        pending.append(contentsOf: line.utf8)
        pending.append(0x0A)
        if pending.count >= 1 << 16 { try flush() }
    }

    /// Writes the pending lines with write(2): a failure (`> /dev/full`) is thrown, not a trap.
    mutating func flush() throws(OutputError) {
        guard !pending.isEmpty else { return }
        let failure = pending.withUnsafeBytes { DescriptorWriter.writeAll(output.fileDescriptor, $0) }
        pending.removeAll(keepingCapacity: true)
        if let failure {
            throw OutputError(path: output.fileDescriptor == STDOUT_FILENO ? "standard output" : "the output", errno: failure)
        }
    }
}
