import AILBEval
import ArgumentParser

/// The run and the bars of `ailb-eval gate`; bars given here override the run's own.
struct GateArguments: ParsableArguments {
    @Argument(help: "A run id, or latest.")
    var runReference: String = "latest"

    @Option(help: "Minimum share of judged case repeats where all backends agree (0…1). A bar over no judged case repeat fails.")
    var minAgreement: Double?

    @Option(help: "Minimum consensus accuracy where cases have expect (0…1).")
    var minAccuracy: Double?

    @Option(help: "Maximum share of spurious disagreements (0…1).")
    var maxSpurious: Double?

    @Option(name: .customLong("per-family"), help: "Minimum with-majority share of a family, as FAMILY=X (repeatable).")
    var perFamily: [String] = []

    @Option(name: .customLong("per-quant"), help: "Minimum with-majority share of a quantization, as QUANT=X (repeatable).")
    var perQuant: [String] = []

    @Option(
        name: .customLong("max-lb-mismatch"),
        help:
            "Maximum number of case repeats where ai-lb's own verdict differs from ours (a run with a kind: ailb backend in consensus mode)."
    )
    var maxLBMismatch: Int?

    @Option(
        name: .customLong("max-p95-latency-ms"),
        help:
            "Maximum p95, in ms, of the time the run's mode took to answer a case repeat (race: the winner; all, consensus: the slowest answer; sequence: the chain)."
    )
    var maxP95LatencyMs: Double?

    @Option(
        name: .customLong("min-mode-accuracy"),
        help: """
            Minimum accuracy of a mode as the mode advisor replays it from the run's answers, as MODE=X \
            (repeatable): race, failover, consensus, consensus-semantic, or a backend's name for that backend alone.
            """)
    var minModeAccuracy: [String] = []

    @Option(help: "point: test the observed rate; lower-bound: test the Wilson 95% bound.")
    var on: GateBasis = .point

    @Option(help: "Profile: ailb or semantic (default: the run's).")
    var profile: EquivalenceProfile?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        for (name, value) in [("--min-agreement", minAgreement), ("--min-accuracy", minAccuracy), ("--max-spurious", maxSpurious)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be between 0 and 1, got \(value)") }
        }
        if let maxP95LatencyMs, !(maxP95LatencyMs > 0) {
            throw ValidationError("--max-p95-latency-ms must be greater than 0, got \(maxP95LatencyMs)")
        }
        if let maxLBMismatch, maxLBMismatch < 0 {
            throw ValidationError("--max-lb-mismatch must be 0 or more, got \(maxLBMismatch)")
        }
        _ = try Self.bars(perFamily, flag: "--per-family")
        _ = try Self.bars(perQuant, flag: "--per-quant")
        _ = try Self.bars(minModeAccuracy, flag: "--min-mode-accuracy")
    }

    /// `NAME=X` pairs as a map, each X in 0…1.
    static func bars(_ items: [String], flag: String) throws -> [String: Double] {
        var result: [String: Double] = [:]
        for item in items {
            guard let equals = item.lastIndex(of: "="), let value = Double(item[item.index(after: equals)...]),
                (0...1).contains(value), equals != item.startIndex
            else { throw ValidationError("\(flag) takes NAME=X with X between 0 and 1, got '\(item)'") }
            result[String(item[..<equals])] = value
        }
        return result
    }
}
