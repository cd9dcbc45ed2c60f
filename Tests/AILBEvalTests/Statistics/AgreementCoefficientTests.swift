import Testing

@testable import AILBEval

/// Each coefficient against values published with its definition, re-derived by hand (or in a few lines
/// of Python's `fractions`) before being copied here.
@Suite struct AgreementCoefficientTests {
    /// Expands a 2×2 table of two raters' yes/no labels into label pairs.
    func table(_ yesYes: Int, _ yesNo: Int, _ noYes: Int, _ noNo: Int) -> [(String, String)] {
        Array(repeating: ("y", "y"), count: yesYes) + Array(repeating: ("y", "n"), count: yesNo)
            + Array(repeating: ("n", "y"), count: noYes) + Array(repeating: ("n", "n"), count: noNo)
    }

    // Reference: the worked examples of Wikipedia's "Cohen's kappa" article. 20/5/10/15: p_o = 0.7,
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.4. 45/15/25/15: κ = 3/23. 25/35/5/35: κ = 7/27.
    @Test func cohensKappaMatchesTheWorkedExamples() {
        #expect(abs(CohenKappa.kappa(table(20, 5, 10, 15))! - 0.4) < 1e-12)
        #expect(abs(CohenKappa.kappa(table(45, 15, 25, 15))! - 3.0 / 23.0) < 1e-12)
        #expect(abs(CohenKappa.kappa(table(25, 35, 5, 35))! - 7.0 / 27.0) < 1e-12)
    }

    @Test func cohensKappaIsOneForPerfectAgreementWithVariationAndUndefinedWithout() {
        #expect(CohenKappa.kappa(table(3, 0, 0, 2)) == 1)
        #expect(CohenKappa.kappa(table(5, 0, 0, 0)) == nil)
        #expect(CohenKappa.kappa([(String, String)]()) == nil)
        // Chance-level: independent marginals of ½ give p_e = ½; p_o = ½ → κ = 0.
        #expect(CohenKappa.kappa(table(1, 1, 1, 1)) == 0)
    }

    // Reference: Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", §C: four observers,
    // twelve units, nominal values with missing data; α = 0.743.
    @Test func krippendorffsAlphaMatchesKrippendorff2011() {
        let a: [Int?] = [1, 2, 3, 3, 2, 1, 4, 1, 2, nil, nil, nil]
        let b: [Int?] = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nil, 3]
        let c: [Int?] = [nil, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nil]
        let d: [Int?] = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nil]
        let units = (0..<12).map { [a[$0], b[$0], c[$0], d[$0]] }
        let alpha = KrippendorffAlpha.nominal(units)!
        #expect(abs(alpha - 0.743) < 5e-4)
        // The exact value of the same computation: 1 − 39 · 10.5 / (40² − Σ n_c²) with n = 40.
        #expect(abs(alpha - 0.743421052631579) < 1e-12)
    }

    // Reference: the three-coder, fifteen-unit example of Wikipedia's "Krippendorff's alpha" article, as also
    // used by the `krippendorff` Python package's tests: nominal α = 0.691358024691358.
    @Test func krippendorffsAlphaMatchesTheThreeCoderExample() {
        let r1: [Int?] = [nil, nil, nil, nil, nil, 3, 4, 1, 2, 1, 1, 3, 3, nil, 3]
        let r2: [Int?] = [1, nil, 2, 1, 3, 3, 4, 3, nil, nil, nil, nil, nil, nil, nil]
        let r3: [Int?] = [nil, nil, 2, 1, 3, 4, 4, nil, 2, 1, 1, 3, 3, nil, 4]
        let units = (0..<15).map { [r1[$0], r2[$0], r3[$0]] }
        #expect(abs(KrippendorffAlpha.nominal(units)! - 0.691358024691358) < 1e-12)
    }

    @Test func krippendorffsAlphaIsUndefinedWithoutVariationOrPairableValues() {
        #expect(KrippendorffAlpha.nominal([[0, 0, 0], [0, 0, nil]]) == nil)
        #expect(KrippendorffAlpha.nominal([[0, nil], [1, nil]]) == nil)
        #expect(KrippendorffAlpha.nominal([[0, 0], [1, 1]]) == 1)
    }

    @Test func bootstrapIntervalIsReproducibleAndBracketsTheEstimate() {
        let units: [[Int?]] = (0..<60).map { i in
            i % 5 == 0 ? [0, 0, 1] : (i % 7 == 0 ? [0, 1, nil] : [0, 0, 0])
        }
        let first = KrippendorffAlpha.estimate(units, iterations: 500, seed: 7)
        let second = KrippendorffAlpha.estimate(units, iterations: 500, seed: 7)
        #expect(first == second)
        let value = first.value!
        #expect(first.lower! <= value && value <= first.upper!)
        #expect(first.lower! < first.upper!)
        #expect(first.pairableUnits == 60)
        let other = KrippendorffAlpha.estimate(units, iterations: 500, seed: 8)
        #expect(other.value == first.value)
        #expect(other.lower != first.lower || other.upper != first.upper)
    }

    // Reference: the exact test is the two-sided binomial test of b against b + c at ½. b = 2, c = 8:
    // 2 · (C(10,0) + C(10,1) + C(10,2)) / 2¹⁰ = 2 · 56 / 1024 = 0.109375. b = 0, c = 5: 2 / 32 = 0.0625.
    // Larger ones were checked with Python's math.comb: (10, 25) → 0.01667384780012071,
    // (1000, 1100) → 0.030720707864242296.
    /// Units whose labels are their own (the answers to one case repeat): the counting forms of κ and α
    /// must give exactly what the general ones give on the labels themselves.
    @Test func countingFormsEqualTheGeneralOnesBitForBit() {
        var generator = SeededGenerator(seed: 7)
        for trial in 0..<20 {
            let observers = 2 + trial % 4
            var units: [[Int?]] = []
            var local: [KrippendorffAlpha.LocalUnit] = []
            var pairs: [(Int, Int)] = []
            var agreeing = 0
            var nextLabel = 0
            for _ in 0..<(trial == 0 ? 1 : 40 + 13 * trial) {
                let groups = 1 + generator.below(observers)
                let unit: [Int?] = (0..<observers).map { _ in
                    generator.below(6) == 0 ? nil : nextLabel + generator.below(groups)
                }
                nextLabel += groups
                units.append(unit)
                var counts: [Int: Int] = [:]
                for case let label? in unit { counts[label, default: 0] += 1 }
                local.append(
                    KrippendorffAlpha.LocalUnit(
                        values: counts.values.reduce(0, +), squares: counts.values.reduce(0) { $0 + $1 * $1 }))
                if let a = unit[0], let b = unit[1] {
                    pairs.append((a, b))
                    if a == b { agreeing += 1 }
                }
            }
            #expect(
                KrippendorffAlpha.estimate(units, iterations: 200, seed: 3)
                    == KrippendorffAlpha.estimate(localUnits: local, iterations: 200, seed: 3))
            #expect(CohenKappa.kappa(pairs) == CohenKappa.kappa(ownLabelsAgreeing: agreeing, of: pairs.count))
        }
    }

    @Test func mcnemarExactPValueMatchesTheBinomialTail() {
        #expect(abs(McNemar.exactPValue(2, 8) - 0.109375) < 1e-12)
        #expect(abs(McNemar.exactPValue(8, 2) - 0.109375) < 1e-12)
        #expect(abs(McNemar.exactPValue(0, 5) - 0.0625) < 1e-12)
        #expect(abs(McNemar.exactPValue(10, 25) - 0.01667384780012071) < 1e-12)
        #expect(abs(McNemar.exactPValue(1000, 1100) - 0.030720707864242296) < 1e-9)
        #expect(McNemar.exactPValue(0, 0) == 1)
        #expect(McNemar.exactPValue(3, 3) == 1)
    }

    // Reference: SplitMix64's published output for seed 0 (Vigna's splitmix64.c): 0xe220a8397b1dcdaf,
    // 0x6e789e6aa1b965f4, 0x06c45d188009454f.
    @Test func seededGeneratorIsSplitMix64() {
        var generator = SeededGenerator(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
        var bounded = SeededGenerator(seed: 1)
        for _ in 0..<1000 { #expect((0..<7).contains(bounded.below(7))) }
    }
}
