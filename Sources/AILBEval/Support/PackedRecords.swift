/// Small records of bytes and counts, packed one after another into large chunks: a hundred thousand
/// records cost their bytes and eight more each, not an allocation (and its header) per string and array.
///
/// A record is written through `PackedRecords.Writer` (lengths and counts as variable-length integers,
/// seven bits a byte) and read back in the same order through `PackedRecords.Reader`. Chunks are allocated
/// at their full size once, so the storage never doubles as it grows; a record never spans two chunks.
struct PackedRecords: Sendable {
    /// Bytes per chunk; a larger record gets a chunk of its own.
    static let chunkSize = 1 << 18

    private var chunks: [[UInt8]] = []
    /// Per record: its chunk (high 32 bits) and offset in it (low 32 bits).
    private var starts: [UInt64] = []
    /// The record being written, reused between records.
    private var scratch = Writer()

    init() {}

    /// Number of records.
    var count: Int { starts.count }

    /// Appends the record `write` writes.
    mutating func append(_ write: (inout Writer) -> Void) {
        scratch.bytes.removeAll(keepingCapacity: true)
        write(&scratch)
        let bytes = scratch.bytes
        if chunks.isEmpty || chunks[chunks.count - 1].count + bytes.count > Self.chunkSize {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(max(Self.chunkSize, bytes.count))
            chunks.append(chunk)
        }
        let last = chunks.count - 1
        starts.append(UInt64(last) << 32 | UInt64(chunks[last].count))
        chunks[last].append(contentsOf: bytes)
    }

    /// Gives back the capacity kept for more records than were appended.
    mutating func shrink() {
        scratch = Writer()
        starts = Array(starts)
        if let last = chunks.indices.last { chunks[last] = Array(chunks[last]) }
    }

    /// A reader at the start of record `index`.
    func reader(at index: Int) -> Reader {
        let start = starts[index]
        return Reader(chunk: chunks[Int(start >> 32)], position: Int(start & 0xFFFF_FFFF))
    }

    /// Writes the fields of one record.
    struct Writer: Sendable {
        fileprivate(set) var bytes: [UInt8] = []

        /// A non-negative integer.
        mutating func count(_ value: Int) {
            precondition(value >= 0, "packed counts are not negative")
            var rest = UInt(value)
            while rest >= 0x80 {
                bytes.append(UInt8(rest & 0x7f) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }

        /// Bytes, after their length.
        mutating func bytes(_ value: some Collection<UInt8>) {
            count(value.count)
            bytes.append(contentsOf: value)
        }

        /// A string as UTF-8, after its length.
        mutating func string(_ value: String) {
            var value = value
            value.withUTF8 { bytes($0) }
        }
    }

    /// Reads the fields of one record, in the order they were written.
    struct Reader {
        let chunk: [UInt8]
        var position: Int

        /// The next integer written with `Writer.count`.
        mutating func count() -> Int {
            var value = 0
            var shift = 0
            while true {
                let byte = chunk[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }

        /// The next bytes written with `Writer.bytes`.
        mutating func bytes() -> ArraySlice<UInt8> {
            let length = count()
            defer { position += length }
            return chunk[position..<position + length]
        }

        /// The next string written with `Writer.string`.
        mutating func string() -> String {
            String(decoding: bytes(), as: UTF8.self)
        }

        /// Passes over the next bytes or string.
        mutating func skip() {
            position += count()
        }
    }
}
