/// One share of a run split over several machines (`--shard i/n`): the cases whose number is `index`.
///
/// A case (all its repeats) belongs to shard `fnv1a64(suite + "\u{0}" + case id) % count + 1`. The number
/// depends on nothing but the case's own name, so every machine agrees on it without talking to the others,
/// and adding or removing a case moves no other case to another shard. FNV-1a rather than Swift's `Hasher`,
/// which is seeded anew in every process.
package struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// Which share, from 1.
    package let index: Int
    /// How many shares the run is split into.
    package let count: Int

    /// Shard `index` of `count`; throws unless 1 ≤ index ≤ count.
    package init(index: Int, count: Int) throws(InputError) {
        guard count >= 1 else { throw InputError("--shard \(index)/\(count): the number of shards must be at least 1") }
        guard (1...count).contains(index) else {
            throw InputError("--shard \(index)/\(count): the shard must be between 1 and \(count)")
        }
        self.index = index
        self.count = count
    }

    /// `i/n` as given on the command line (`--shard 2/4`).
    package init(parsing text: String) throws(InputError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw InputError("--shard '\(text)': expected i/n, the shard i of n shards (for example 2/4)")
        }
        try self.init(index: index, count: count)
    }

    /// `2/4`.
    package var description: String { "\(index)/\(count)" }

    /// Whether the case `caseID` of suite `suite` is in this shard.
    package func contains(suite: String, caseID: String) -> Bool {
        Self.number(suite: suite, caseID: caseID, count: count) == index
    }

    /// The shard (1…count) the case `caseID` of suite `suite` belongs to.
    package static func number(suite: String, caseID: String, count: Int) -> Int {
        Int(stableHash(suite + "\u{0}" + caseID) % UInt64(max(count, 1))) + 1
    }

    /// FNV-1a 64 of the text's UTF-8 bytes: the same number in every process, on every machine.
    package static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
