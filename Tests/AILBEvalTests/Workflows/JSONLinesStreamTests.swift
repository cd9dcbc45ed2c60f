import Foundation
import Testing

@testable import AILBEval

@Suite struct JSONLinesStreamTests {
    /// Echoes each line's number after work that grows with it, so later lines of a batch finish first.
    struct SlowEcho: LineProcessor {
        func process(_ line: String) -> String? {
            guard let number = Int(line) else { return nil }
            var spin = 0
            for k in 0..<((number % 7) * 20_000) { spin &+= k }
            return spin == -1 ? nil : "{\"n\":\(number)}"
        }
    }

    /// Lines judged on several cores still come out in their input order, a blank line giving none, across
    /// batches and a last line without a newline.
    @Test func outputKeepsTheInputOrder() throws {
        let count = JSONLinesStream.batchSize * 2 + 37
        let text = (0..<count).map { "\($0)\n" }.joined() + "\n" + "\(count)"
        let payload = Data(text.utf8)
        let input = Pipe()
        let output = Pipe()
        let writing = Thread {
            input.fileHandleForWriting.write(payload)
            try? input.fileHandleForWriting.close()
        }
        writing.start()
        let reading = BackendLockedState(Data())
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            reading.write { $0 = data }
            done.signal()
        }
        reader.start()
        try JSONLinesStream.run(input: input.fileHandleForReading, output: output.fileHandleForWriting, processor: SlowEcho())
        try output.fileHandleForWriting.close()
        #expect(done.wait(timeout: .now() + 10) == .success)
        let lines = String(decoding: reading.read { $0 }, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == count + 1)
        #expect(lines.map(String.init) == (0...count).map { "{\"n\":\($0)}" })
    }
}
