import Foundation
import Testing

@testable import AILBEval

/// The edge-case vectors recorded from ai-lb's own consensus code (Fixtures/vectors/EDGE-README.md).
///
/// Each line goes through the `verdict` command's line processor as it is written in the file, so an
/// escaped lone surrogate or a 40-digit integer reaches the judge exactly as ai-lb's parser saw it.
extension ConsensusTests {
    @Suite struct EdgeVectorTests {
        /// The raw lines of `Fixtures/vectors/<name>.jsonl`.
        static func lines(_ name: String) throws -> [String] {
            let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/vectors/\(name).jsonl")
            return try String(contentsOf: url, encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }

        /// The `id` of a line, read from its text (every line starts with `{"id": "…"`), so a line the
        /// parser rejects is still named.
        static func id(of line: String) -> String {
            guard let match = line.firstMatch(of: /^\{"id": "([^"]*)"/) else { return String(line.prefix(40)) }
            return String(match.1)
        }

        /// The class of an id `e-<class>-<n>`.
        static func edgeClass(_ id: String) -> String {
            let parts = id.split(separator: "-")
            return parts.count >= 3 ? String(parts[1]) : "?"
        }

        /// "N of M lines differ (per class …): first 20 ids with what differed".
        static func report(_ failures: [(id: String, detail: String)], of total: Int, what: String = "lines") -> String {
            var byClass: [String: Int] = [:]
            for failure in failures { byClass[edgeClass(failure.id), default: 0] += 1 }
            let classes = byClass.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let first = failures.prefix(20).map { "\($0.id): \($0.detail)" }.joined(separator: "\n")
            let perClass = Array(byClass.keys) == ["?"] ? "" : " (\(classes))"
            return "\(failures.count) of \(total) \(what) differ\(perClass); first \(min(20, failures.count)):\n" + first
        }

        @Test func reproducesEveryEdgeConsensusVector() async throws {
            let lines = try Self.lines("edge-consensus")
            #expect(lines.count == 5795)
            let processor = VerdictLineProcessor()
            // Thousands of lines of pure computation, on a thread of their own: the concurrency pool stays free
            // for the in-process servers other tests are waiting on.
            let failures = try await offThePool { () -> [(id: String, detail: String)] in
                var failures: [(id: String, detail: String)] = []
                for line in lines {
                    let id = Self.id(of: line)
                    let expected: JSONValue
                    do {
                        guard let value = try ExactJSON(parsing: line)["expected"] else {
                            failures.append((id, "no expected verdict"))
                            continue
                        }
                        expected = value.jsonValue
                    } catch {
                        failures.append((id, "the line does not parse: \(error)"))
                        continue
                    }
                    guard let text = processor.process(line), let output = try? JSONValue(parsing: text) else {
                        failures.append((id, "no verdict line"))
                        continue
                    }
                    if let error = output["error"]?.stringValue {
                        failures.append((id, "error \(error.prefix(120))"))
                        continue
                    }
                    var differences: [String] = []
                    for key in ["winner", "agreement_count", "disagreement", "comparison_type"]
                    where output[key] != expected[key] {
                        differences.append(
                            "\(key) \(output[key]?.canonicalText ?? "missing") (ai-lb: \(expected[key]?.canonicalText ?? "?"))")
                    }
                    if !differences.isEmpty { failures.append((id, differences.joined(separator: ", "))) }
                }
                return failures
            }
            let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
            #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: lines.count)))
        }

        /// ai-lb raises on these lines, so there is no verdict to match; the line processor must still
        /// answer every one with a verdict line that says so (`reference_error`), never stop.
        @Test func everyLineAiLbCrashesOnStillGetsAnOutputLine() async throws {
            let lines = try Self.lines("edge-consensus-crash")
            #expect(lines.count == 71)
            // Thousands of lines of pure computation, on a thread of their own: the concurrency pool stays free
            // for the in-process servers other tests are waiting on.
            let failures = try await offThePool { () -> [(id: String, detail: String)] in
                var failures: [(id: String, detail: String)] = []
                for line in lines {
                    let id = Self.id(of: line)
                    guard let text = VerdictLineProcessor().process(line), let output = try? JSONValue(parsing: text) else {
                        failures.append((id, "no output line"))
                        continue
                    }
                    if output["id"]?.stringValue != id { failures.append((id, "output id \(output["id"]?.canonicalText ?? "missing")")) }
                    if output["reference_error"] == nil { failures.append((id, "no reference_error although ai-lb raises")) }
                }
                return failures
            }
            let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
            #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: lines.count)))
        }

        /// Compared as the JSON text Python writes for a string (ASCII, `\uXXXX` escapes), taken from the
        /// line without decoding it, so code points are compared one by one (no canonical equivalence) and
        /// an expected lone surrogate stays a lone surrogate.
        @Test func reproducesEveryEdgeNormalizeVector() async throws {
            let lines = try Self.lines("edge-normalize")
            #expect(lines.count == 2500)
            // Thousands of lines of pure computation, on a thread of their own: the concurrency pool stays free
            // for the in-process servers other tests are waiting on.
            let failures = try await offThePool { () -> [(id: String, detail: String)] in
                var failures: [(id: String, detail: String)] = []
                for line in lines {
                    let id = Self.id(of: line)
                    guard let vector = try? ExactJSON(parsing: line), case .string(let raw)? = vector["raw"],
                        let range = line.range(of: #", "normalized": "#, options: .backwards)
                    else {
                        failures.append((id, "the line does not parse"))
                        continue
                    }
                    let expected = String(line[range.upperBound...].dropLast())
                    let actual = ExactJSON.string(TextNormalizer.normalize(raw, profile: .ailb)).canonicalText
                    if actual != expected {
                        failures.append((id, "expected \(expected.prefix(100)), got \(actual.prefix(100))"))
                    }
                }
                return failures
            }
            let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
            #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: lines.count)))
        }

        @Test func reproducesEveryEdgeSimilarityVector() async throws {
            let lines = try Self.lines("edge-similarity")
            #expect(lines.count == 442)
            // Thousands of lines of pure computation, on a thread of their own: the concurrency pool stays free
            // for the in-process servers other tests are waiting on.
            let failures = try await offThePool { () -> [(id: String, detail: String)] in
                var failures: [(id: String, detail: String)] = []
                for line in lines {
                    let id = Self.id(of: line)
                    guard let vector = try? ExactJSON(parsing: line), case .string(let a)? = vector["a"],
                        case .string(let b)? = vector["b"], let expected = vector["ratio"]?.jsonValue.numberValue
                    else {
                        failures.append((id, "the line does not parse"))
                        continue
                    }
                    let actual = SequenceSimilarity.ratio(a, b)
                    if abs(actual - expected) > 1e-12 { failures.append((id, "expected \(expected), got \(actual)")) }
                }
                return failures
            }
            let failuresCount = failures.count  // a count: the failure message is the report, not the whole list
            #expect(failuresCount == 0, Comment(rawValue: Self.report(failures, of: lines.count)))
        }

        @Test func exactStringsAreWrittenAsPythonsJSONWritesThem() {
            let text = ExactString(ExactString("a\"b\\c\n\t\u{1}\u{7f}é😀").codePoints + [0xD800])
            #expect(ExactJSON.string(text).canonicalText == #""a\"b\\c\n\t\u0001\u007f\u00e9\ud83d\ude00\ud800""#)
        }
    }
}
