import Foundation
import Testing

@testable import AILBEval

/// `repeat_seed`: which seed each repeat of a case sends.
@Suite struct RepeatSeedTests {
    static func seeds(_ strategy: RepeatSeed, _ body: [String: JSONValue], repeats: Int = 3) -> [JSONValue?] {
        (0..<repeats).map { strategy.body(body, repeatIndex: $0)["seed"] }
    }

    @Test func varyGivesEachSampledRepeatTheConfiguredSeedPlusItsIndex() {
        let body: [String: JSONValue] = ["messages": [], "temperature": 0.7, "seed": 42]
        #expect(Self.seeds(.vary, body) == [42, 43, 44])
        // Nothing else changes.
        var second = RepeatSeed.vary.body(body, repeatIndex: 1)
        second["seed"] = 42
        #expect(second == body)
    }

    @Test func withoutAConfiguredSeedVaryDerivesOneFromTheRepeat() {
        #expect(Self.seeds(.vary, ["temperature": 1]) == [1, 2, 3])
        #expect(Self.seeds(.vary, ["temperature": 1, "seed": nil]) == [1, 2, 3])
    }

    @Test func aRequestWithoutTemperatureSamplesAtTheServersDefaultAndVaries() {
        #expect(Self.seeds(.vary, ["seed": 7]) == [7, 8, 9])
        #expect(Self.seeds(.vary, ["seed": 7, "temperature": nil]) == [7, 8, 9])
    }

    @Test func fixedOrGreedyRequestsSendTheSameBodyEveryRepeat() {
        let sampled: [String: JSONValue] = ["temperature": 0.7, "seed": 42]
        #expect(Self.seeds(.fixed, sampled) == [42, 42, 42])
        #expect(Self.seeds(.fixed, ["temperature": 0.7]) == [nil, nil, nil])
        for greedy: [String: JSONValue] in [["temperature": 0, "seed": 42], ["temperature": 0.0, "seed": 42]] {
            #expect((0..<3).allSatisfy { RepeatSeed.vary.body(greedy, repeatIndex: $0) == greedy })
        }
        #expect(Self.seeds(.vary, ["temperature": 0]) == [nil, nil, nil])
    }

    @Test func aSeedThatIsNotAnIntegerIsLeftAsWritten() {
        #expect(Self.seeds(.vary, ["temperature": 0.5, "seed": "abc"]) == ["abc", "abc", "abc"])
        #expect(Self.seeds(.vary, ["temperature": 0.5, "seed": 2.0]) == [2, 3, 4])
        #expect(RepeatSeed.vary.body(["temperature": 0.5, "seed": .int(.max)], repeatIndex: 1)["seed"] == .int(.min))
    }

    @Test func theFlagWinsOverTheSuiteWhichWinsOverTheDefaults() throws {
        let plain = try SuiteLoader.parse(yaml: "name: plain\ncases:\n  - {id: a, prompt: x}\n", file: "plain.yaml")
        let varied = try SuiteLoader.parse(
            yaml: "name: varied\nrepeat_seed: vary\ncases:\n  - {id: b, prompt: y}\n", file: "varied.yaml")
        let fixed = try SuiteLoader.parse(
            yaml: "name: fixed\nrepeat_seed: fixed\ncases:\n  - {id: c, prompt: z}\n", file: "fixed.yaml")
        #expect(plain.repeatSeed == nil && varied.repeatSeed == .vary && fixed.repeatSeed == .fixed)
        var defaults = RunDefaults()
        #expect(defaults.repeatSeed == .fixed)
        func strategies(_ override: RepeatSeed?) -> [RepeatSeed] {
            RunPlan(suites: [plain, varied, fixed], backends: [], defaults: defaults, repeatSeedOverride: override)
                .cases.map(\.repeatSeed)
        }
        #expect(strategies(nil) == [.fixed, .vary, .fixed])
        defaults.repeatSeed = .vary
        #expect(strategies(nil) == [.vary, .vary, .fixed])
        #expect(strategies(.fixed) == [.fixed, .fixed, .fixed])
        #expect(strategies(.vary) == [.vary, .vary, .vary])
    }

    @Test func theConfigKeyIsRead() throws {
        let yaml = "backends:\n  - {name: a, kind: mock, model: m}\ndefaults: {repeat_seed: vary, temperature: 0.8}\n"
        let config = try ConfigLoader.parse(yaml: yaml, file: "config.yaml", environment: [:])
        #expect(config.defaults.repeatSeed == .vary)
        #expect(
            try ConfigLoader.parse(yaml: "backends:\n  - {name: a, kind: mock, model: m}\n", file: "c", environment: [:])
                .defaults.repeatSeed == .fixed)
    }
}
