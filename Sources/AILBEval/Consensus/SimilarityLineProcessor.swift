/// Turns one input line of `ailb-eval similarity` (`{"id": …, "a": "…", "b": "…"}`) into
/// `{"id": …, "ratio": …}`: the exact `difflib.SequenceMatcher(None, a, b).ratio()` of the raw texts, or
/// with `normalize`, the similarity the text rule of the consensus uses (both texts normalised first).
///
/// Lets a user see why two answers were split, and lets the benchmark time the judge against Python.
public struct SimilarityLineProcessor: LineProcessor {
    /// Compare normalised texts (as the consensus text rule does) instead of raw ones.
    public var normalize: Bool
    public var profile: EquivalenceProfile

    public init(normalize: Bool = false, profile: EquivalenceProfile = .ailb) {
        self.normalize = normalize
        self.profile = profile
    }

    /// The output line for `line`, or nil when it is blank.
    public func process(_ line: String) -> String? {
        if line.unicodeScalars.allSatisfy({ PythonWhitespace.contains($0.value) }) { return nil }
        // Read losslessly: the texts are compared code point by code point, as Python holds them.
        guard let value = try? ExactJSON(parsing: line), case .object = value else {
            return VerdictLineProcessor.errorLine(id: .null, message: "not a JSON object")
        }
        let id = value["id"]?.jsonValue ?? .null
        guard case .string(let a)? = value["a"], case .string(let b)? = value["b"] else {
            return VerdictLineProcessor.errorLine(id: id, message: "\"a\" and \"b\" must be strings")
        }
        let ratio =
            normalize
            ? SequenceSimilarity.textSimilarity(a, b, rules: EquivalenceRules(profile: profile))
            : SequenceSimilarity.ratio(a, b)
        return VerdictLineProcessor.orderedObject([
            ("id", VerdictLineProcessor.json(id)), ("ratio", VerdictLineProcessor.json(.double(ratio))),
        ])
    }
}

/// Maps one line of a JSON Lines stream to one output line (nil: no output for this line).
public protocol LineProcessor: Sendable {
    func process(_ line: String) -> String?
}

extension VerdictLineProcessor: LineProcessor {}
