import Foundation
import Testing

@testable import AILBEval

extension Backends {
    @Suite struct SSEParserTests {
        static func parseAll(_ chunks: [[UInt8]]) -> [SSEEvent] {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            for chunk in chunks { events += parser.feed(chunk) }
            return events + parser.finish()
        }

        @Test func handlesEveryLineEnding() {
            for end in ["\n", "\r\n", "\r"] {
                let text = "data: one\(end)\(end)event: delta\(end)data: two\(end)data: three\(end)\(end)"
                let events = Self.parseAll([Array(text.utf8)])
                #expect(events == [SSEEvent(data: "one"), SSEEvent(event: "delta", data: "two\nthree")], "\(end.debugDescription)")
            }
        }

        @Test func crlfSplitAcrossChunksIsOneLineEnd() {
            let events = Self.parseAll([Array("data: a\r".utf8), Array("\n\r".utf8), Array("\ndata: b\r\n\r\n".utf8)])
            #expect(events == [SSEEvent(data: "a"), SSEEvent(data: "b")])
        }

        @Test func ignoresCommentsAndKeepAlives() {
            let text = ": keep-alive\n\n:\n\ndata: x\n: comment inside\n\n"
            #expect(Self.parseAll([Array(text.utf8)]) == [SSEEvent(data: "x")])
        }

        @Test func parsesFieldsAsTheSpecificationSays() {
            let text = "\u{FEFF}data:no-space\nid: 7\nretry: 100\nunknown: y\ndata\n\n"
            #expect(Self.parseAll([Array(text.utf8)]) == [SSEEvent(data: "no-space\n", id: "7")])
        }

        @Test func eventWithoutDataIsNotDispatched() {
            #expect(Self.parseAll([Array("event: ping\n\n".utf8)]).isEmpty)
        }

        @Test func sameEventsForEverySplitPoint() {
            let text = ": hi\r\ndata: {\"a\": \"é🙂\"}\r\n\r\nevent: e\ndata: 1\ndata: 2\r\rdata: [DONE]\n\n"
            let bytes = Array(text.utf8)
            let whole = Self.parseAll([bytes])
            #expect(whole.count == 3)
            for cut in 0...bytes.count {
                #expect(Self.parseAll([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole, "cut at \(cut)")
            }
            #expect(Self.parseAll(bytes.map { [$0] }) == whole)
        }

        @Test func finishFlushesAnUnterminatedEvent() {
            #expect(Self.parseAll([Array("data: last".utf8)]) == [SSEEvent(data: "last")])
            #expect(Self.parseAll([Array("data: last\n".utf8)]) == [SSEEvent(data: "last")])
        }

        @Test func keepsRawBytesForTheJSONParser() {
            let events = Self.parseAll([[0x64, 0x61, 0x74, 0x61, 0x3A, 0x20, 0xFF, 0x0A, 0x0A]])
            #expect(events.first?.dataBytes == [0xFF])
        }
    }
}
