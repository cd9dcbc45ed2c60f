import Foundation
import Testing

@testable import AILBEval

/// The same backends listed in another order must give the same evaluation figures: only ai-lb's own winner
/// (and what a load balancer would answer) may depend on the order. Real runs of the CLI against deterministic
/// mock backends, four of them so that two-against-two ties happen, each run's JSON report compared figure by
/// figure.
@Suite struct BackendOrderTests {
    static let backends = [
        "  - {name: q8, kind: mock, model: m, family: fam-a, quant: Q8_0, mock: {seed: 11, drift: 0.15, noise: 0.1}}",
        "  - {name: q4, kind: mock, model: m, family: fam-a, quant: Q4_0, mock: {seed: 12, drift: 0.5, noise: 0.1}}",
        "  - {name: q2, kind: mock, model: m, family: fam-b, quant: Q2_K, mock: {seed: 13, drift: 0.6, noise: 0.2}}",
        "  - {name: f16, kind: mock, model: m, family: fam-b, quant: F16, mock: {seed: 14, drift: 0.1, latency_ms: 3}}",
    ]

    /// The JSON report of a run of the shipped tool-call suite with the backends in `order`.
    static func report(_ order: [Int]) async throws -> JSONValue {
        let config = "backends:\n" + order.map { backends[$0] }.joined(separator: "\n") + "\ndefaults: {timeout: 20, retries: 0}\n"
        let cli = try CLIHarness(config: config)
        defer { cli.remove() }
        let suite = CLIHarness.packageRoot.appendingPathComponent("suites/tools.yaml").path
        let run = try await cli.runDetached([suite, "--repeat", "2", "--quiet"])
        #expect(run.status <= 1, "\(run.stderr)")
        let json = try await cli.runDetached(["report", "latest", "--format", "json", "--out", "-"])
        #expect(json.status == 0, "\(json.stderr)")
        return try JSONValue(parsing: json.stdout)
    }

    /// Every evaluation figure of a report: latencies and token rates (timing) and ai-lb's winner left out.
    static func figures(_ report: JSONValue) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in [
            "agreement", "not_comparable", "judged_cases", "outcomes", "consensus_accuracy", "consensus_undecided",
            "minority_backend", "spurious", "krippendorff_alpha",
        ] {
            out[key] = report["statistics"]?[key] ?? report[key]
        }
        for key in ["per_family", "per_quant"] {
            let groups = (report["statistics"]?[key] ?? report[key])?.arrayValue ?? []
            for group in groups {
                out["\(key)/\(group["key"]?.stringValue ?? "?")"] = group["with_majority"]
            }
        }
        let backends = (report["statistics"]?["backends"] ?? report["backends"])?.arrayValue ?? []
        for backend in backends {
            let name = backend["name"]?.stringValue ?? "?"
            for key in ["with_majority", "with_plurality", "minority", "ties", "accuracy", "repeat_stability", "successes"] {
                out["\(name)/\(key)"] = backend[key]
            }
        }
        for pair in (report["statistics"]?["pairs"] ?? report["pairs"])?.arrayValue ?? [] {
            let names = [pair["a"]?.stringValue ?? "", pair["b"]?.stringValue ?? ""].sorted().joined(separator: "~")
            out["pair/\(names)"] = pair["agreement"]
        }
        return out
    }

    @Test func reversingOrShufflingTheBackendsChangesNoFigure() async throws {
        let forward = Self.figures(try await Self.report([0, 1, 2, 3]))
        #expect(forward.count > 20, "\(forward.keys.sorted())")
        #expect(forward["outcomes"]?["tie"]?.intValue ?? 0 > 0, "the mocks must produce ties for this test to mean anything")
        for order in [[3, 2, 1, 0], [1, 3, 0, 2]] {
            let other = Self.figures(try await Self.report(order))
            for key in forward.keys.sorted() where forward[key] != other[key] {
                Issue.record("order \(order): \(key) \(forward[key]?.compactText ?? "nil") ≠ \(other[key]?.compactText ?? "nil")")
            }
        }
    }
}
