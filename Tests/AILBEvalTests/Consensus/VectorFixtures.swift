import Foundation
import Testing

@testable import AILBEval

/// The reference vectors copied into the test fixtures, one parsed JSON object per line.
enum VectorFixtures {
    /// The lines of `Fixtures/vectors/<name>.jsonl`, parsed.
    static func load(_ name: String) throws -> [JSONValue] {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/vectors/\(name).jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            try JSONValue(parsing: String(line))
        }
    }

    /// `a` and `b` joined as "label: message" lines, for one readable failure message.
    static func report(_ failures: [String], of total: Int) -> String {
        "\(failures.count) of \(total) vectors differ:\n" + failures.prefix(40).joined(separator: "\n")
    }
}

/// The namespace of the Consensus folder's suites, so `swift test --filter Consensus` runs them all.
@Suite struct ConsensusTests {}
