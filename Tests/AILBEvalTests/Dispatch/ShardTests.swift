import Testing

@testable import AILBEval

/// Which shard a case belongs to (`--shard i/n`), and the flag's parser.
@Suite struct ShardTests {
    @Test func theHashIsFNV1a64OverUTF8() {
        // The published FNV-1a 64 vectors: the empty string is the offset basis.
        #expect(Shard.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.stableHash("foobar") == 0x8594_4171_f739_67e8)
        // UTF-8, not UTF-16 or scalars: "é" is two bytes.
        #expect(Shard.stableHash("é") != Shard.stableHash("e"))
        #expect(Shard.stableHash("é") == Shard.stableHash(String(decoding: [0xC3, 0xA9], as: UTF8.self)))
    }

    @Test func aCaseAlwaysGoesToTheSameShardFromSuiteAndIDAlone() {
        // Pinned: a machine running another build, or another process, must agree with this one.
        #expect(
            Shard.number(suite: "tools", caseID: "weather-paris", count: 4)
                == Shard.number(suite: "tools", caseID: "weather-paris", count: 4))
        let pinned = Int(Shard.stableHash("tools\u{0}weather-paris") % 4) + 1
        #expect(Shard.number(suite: "tools", caseID: "weather-paris", count: 4) == pinned)
        // The suite is part of the name: the same id in two suites is two cases.
        let numbers = Set((0..<50).map { Shard.number(suite: "suite-\($0)", caseID: "same-id", count: 8) })
        #expect(numbers.count > 1)
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        #expect(Shard.stableHash("ab\u{0}c") != Shard.stableHash("a\u{0}bc"))
    }

    @Test func everyCaseIsInExactlyOneShard() throws {
        let count = 5
        let shards = try (1...count).map { try Shard(index: $0, count: count) }
        for n in 0..<500 {
            let owners = shards.filter { $0.contains(suite: "s", caseID: "case-\(n)") }
            #expect(owners.count == 1, "case-\(n)")
            #expect(owners.first?.index == Shard.number(suite: "s", caseID: "case-\(n)", count: count))
        }
    }

    @Test func addingACaseMovesNoOtherCase() {
        let ids = (0..<1_000).map { "case-\($0)" }
        let before = ids.map { Shard.number(suite: "tools", caseID: $0, count: 4) }
        let grown = ["a-new-case"] + ids + ["another-one"]
        let after = grown.map { Shard.number(suite: "tools", caseID: $0, count: 4) }
        #expect(Array(after[1...ids.count]) == before)
    }

    @Test func sharesAreRoughlyEvenOverTenThousandIDs() async throws {
        let counts = try await offThePool { () -> [Int: [Int]] in
            var counts: [Int: [Int]] = [:]
            for n in [2, 3, 4, 7, 16] {
                var shares = [Int](repeating: 0, count: n)
                for id in 0..<10_000 { shares[Shard.number(suite: "bench", caseID: "case-\(id)", count: n) - 1] += 1 }
                counts[n] = shares
            }
            return counts
        }
        for (n, shares) in counts {
            let expected = 10_000.0 / Double(n)
            for (index, share) in shares.enumerated() {
                #expect(abs(Double(share) - expected) < expected * 0.1, "shard \(index + 1)/\(n) has \(share) of 10,000")
            }
        }
    }

    @Test func theFlagParsesIOfN() throws {
        let shard = try Shard(parsing: "2/4")
        #expect(shard.index == 2 && shard.count == 4)
        #expect(shard.description == "2/4")
        #expect(try Shard(parsing: "1/1").count == 1)
        #expect(try Shard(parsing: "16/16").index == 16)
    }

    @Test(arguments: [
        ("0/4", "between 1 and 4"), ("5/4", "between 1 and 4"), ("-1/4", "between 1 and 4"),
        ("1/0", "at least 1"), ("2", "expected i/n"), ("a/b", "expected i/n"), ("2/4/8", "expected i/n"),
        ("/4", "expected i/n"), ("2/", "expected i/n"), (" 2/4", "expected i/n"), ("", "expected i/n"),
    ])
    func badValuesOfTheFlagSayWhatIsExpected(_ text: String, _ message: String) {
        #expect {
            try Shard(parsing: text)
        } throws: { error in
            guard let error = error as? InputError else { return false }
            return error.message.contains(message) && error.message.hasPrefix("--shard")
        }
    }

    @Test func runKeysAreOneLineOfText() throws {
        try RunOptions.checkRunKey("1234")
        try RunOptions.checkRunKey("nightly run 7")
        #expect(throws: InputError.self) { try RunOptions.checkRunKey("") }
        #expect(throws: InputError.self) { try RunOptions.checkRunKey("   ") }
        #expect(throws: InputError.self) { try RunOptions.checkRunKey("a\nb") }
        #expect(throws: InputError.self) { try RunOptions.checkRunKey(String(repeating: "k", count: 201)) }
    }
}
