import Foundation

/// One Server-Sent Event (the `data:` lines joined with `\n`).
package struct SSEEvent: Sendable, Hashable {
    /// The `event:` field, or nil when the server sent none (the default "message").
    package var event: String?
    /// The payload as raw bytes, so that a JSON parser can reject invalid UTF-8 instead of
    /// silently seeing U+FFFD.
    package var dataBytes: [UInt8]
    /// The `id:` field, if any.
    package var id: String?

    /// An event; mostly for tests.
    package init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.dataBytes = Array(data.utf8)
        self.id = id
    }

    init(event: String?, dataBytes: [UInt8], id: String?) {
        self.event = event
        self.dataBytes = dataBytes
        self.id = id
    }

    /// The payload as text (invalid UTF-8 replaced).
    package var data: String { String(decoding: dataBytes, as: UTF8.self) }
}

/// An incremental `text/event-stream` parser (WHATWG HTML §9.2.6): feed it chunks as they arrive,
/// split anywhere, and it returns the events completed so far.
///
/// Handles `\n`, `\r\n` and `\r` line ends (also a `\r\n` split between two chunks), comment lines
/// (`: keep-alive`), multi-line `data:`, `event:` and `id:`, and a leading byte-order mark.
package struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    private var lastID: String?
    /// The previous chunk ended in `\r`: a `\n` starting the next chunk belongs to that line end.
    private var pendingCR = false
    private var atStart = true

    /// A parser at the start of a stream.
    package init() {}

    /// Parses the next chunk and returns the events it completed.
    package mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if pendingCR {
                pendingCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                pendingCR = true
                endLine(into: &events)
            case 0x0A:
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream. Lenient where the specification discards: an unterminated last line and an
    /// event without its closing blank line are still dispatched, because some servers close the
    /// connection right after the last `data:` line; a truncated JSON payload is then caught by
    /// whoever parses the data.
    package mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        dispatch(into: &events)
        pendingCR = false
        return events
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastID = String(decoding: value, as: UTF8.self) }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        if hasData {
            events.append(SSEEvent(event: eventType, dataBytes: data, id: lastID))
        }
        data.removeAll(keepingCapacity: true)
        hasData = false
        eventType = nil
    }
}
