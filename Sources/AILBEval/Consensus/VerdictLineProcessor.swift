/// Turns one input line of `ailb-eval verdict` into one output line, as CONSENSUS.md specifies.
///
/// Pure, so the command only moves lines between standard input and output; a bad line yields an
/// output line with an `error` field instead of stopping the stream.
public struct VerdictLineProcessor: Sendable {
    /// The profile for lines that do not name one.
    public var defaultProfile: EquivalenceProfile
    /// The similarity threshold for lines that do not give one.
    public var defaultThreshold: Double
    /// Whether to add the pairwise comparisons (`pairs`) to each output line.
    public var explain: Bool

    /// A processor with the command's defaults and `--explain` setting.
    public init(defaultProfile: EquivalenceProfile = .ailb, defaultThreshold: Double = 0.9, explain: Bool = false) {
        self.defaultProfile = defaultProfile
        self.defaultThreshold = defaultThreshold
        self.explain = explain
    }

    /// The output line for `line` (no trailing newline), or nil when the line is blank.
    public func process(_ line: String) -> String? {
        if line.unicodeScalars.allSatisfy({ PythonWhitespace.contains($0.value) }) { return nil }
        let request: VerdictRequest
        do {
            request = try VerdictRequest(line: line, defaultProfile: defaultProfile, defaultThreshold: defaultThreshold)
        } catch {
            return Self.errorLine(id: error.id, message: error.message)
        }
        let judge = ConsensusJudge(profile: request.profile, threshold: request.threshold)
        let verdict = judge.verdict(request.responses)
        var fields: [(String, String)] = [
            ("id", Self.json(request.id)),
            ("winner", Self.json(.string(verdict.winner))),
            ("agreement_count", Self.json(.int(verdict.agreementCount))),
            ("disagreement", Self.json(.bool(verdict.disagreement))),
            ("comparison_type", Self.json(.string(verdict.comparisonType.rawValue))),
            ("groups", Self.json(.array(verdict.groups.map { .array($0.map(JSONValue.string)) }))),
        ]
        if let failure = verdict.referenceFailure {
            fields.append(("reference_error", Self.json(.string("ai-lb's compute_consensus raises here: \(failure)"))))
        }
        if explain {
            let pairs = judge.pairs(request.responses).map { pair in
                Self.orderedObject([
                    ("a", Self.json(.string(pair.a))), ("b", Self.json(.string(pair.b))),
                    ("similarity", Self.json(.double(pair.similarity))),
                    ("tool_calls_equal", Self.json(.bool(pair.toolCallsEqual))),
                    ("hash_equal", Self.json(.bool(pair.hashEqual))),
                ])
            }
            fields.append(("pairs", "[" + pairs.joined(separator: ",") + "]"))
        }
        return Self.orderedObject(fields)
    }

    /// `{"id": …, "error": …}`.
    static func errorLine(id: JSONValue, message: String) -> String {
        orderedObject([("id", json(id)), ("error", json(.string(message)))])
    }

    /// A JSON object with its keys in the given order; each value is already JSON text.
    static func orderedObject(_ fields: [(String, String)]) -> String {
        "{" + fields.map { json(.string($0.0)) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// Compact JSON text of a value, UTF-8 kept.
    static func json(_ value: JSONValue) -> String { JSONWriter.compactUnicode.string(value) }
}

/// One parsed input line of the `verdict` command.
struct VerdictRequest: Sendable {
    /// The line's `id` as given (null when absent).
    var id: JSONValue
    var threshold: Double
    var profile: EquivalenceProfile
    var responses: [CandidateResponse]

    /// Why a line was rejected, with its id when that much could be read.
    struct Invalid: Error {
        var id: JSONValue
        var message: String
    }

    /// Parses and validates a line.
    init(line: String, defaultProfile: EquivalenceProfile, defaultThreshold: Double) throws(Invalid) {
        // Read losslessly, so each body reaches the judge as Python would hold it.
        let exact: ExactJSON
        do {
            exact = try ExactJSON(parsing: line)
        } catch {
            throw Invalid(id: .null, message: "not valid JSON: \(error.description)")
        }
        // The fields are read from a `JSONValue` without the bodies: those are taken from `exact`, and converting
        // them too would be most of the cost of a line.
        var fields = exact
        if case .object(var members) = exact, let at = members.firstIndex(where: { $0.key.equals("responses") }),
            case .array(let items) = members[at].value
        {
            members[at].value = .array(
                items.map { item in
                    guard case .object(let response) = item else { return item }
                    return .object(response.map { $0.key.equals("body") ? ExactJSON.Member(key: $0.key, value: .object([])) : $0 })
                })
            fields = .object(members)
        }
        try self.init(value: fields.jsonValue, exact: exact, defaultProfile: defaultProfile, defaultThreshold: defaultThreshold)
    }

    /// Validates a parsed line; `exact` is the same line read losslessly, where the bodies are taken from.
    init(
        value: JSONValue, exact: ExactJSON? = nil, defaultProfile: EquivalenceProfile, defaultThreshold: Double
    ) throws(Invalid) {
        guard case .object(let fields) = value else {
            throw Invalid(id: .null, message: "a line must be a JSON object")
        }
        let id = fields["id"] ?? .null
        func invalid(_ message: String) -> Invalid { Invalid(id: id, message: message) }
        self.id = id

        switch fields["threshold"] {
        case nil, .null?: threshold = defaultThreshold
        case let number? where number.numberValue?.isFinite == true: threshold = number.numberValue!
        default: throw invalid("\"threshold\" must be a finite number")
        }

        switch fields["profile"] {
        case nil, .null?: profile = defaultProfile
        case .string(let name)?:
            guard let known = EquivalenceProfile(rawValue: name) else {
                let names = EquivalenceProfile.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid("unknown \"profile\" \"\(name)\" (expected one of: \(names))")
            }
            profile = known
        default: throw invalid("\"profile\" must be a string")
        }

        guard let items = fields["responses"] else { throw invalid("missing \"responses\"") }
        guard case .array(let list) = items else { throw invalid("\"responses\" must be an array") }
        var responses: [CandidateResponse] = []
        for (n, item) in list.enumerated() {
            guard case .object(let response) = item else { throw invalid("responses[\(n)] must be an object") }
            guard case .string(let backend)? = response["backend"] else {
                throw invalid("responses[\(n)].backend must be a string")
            }
            let success: Bool
            switch response["success"] {
            case .bool(let flag)?: success = flag
            case nil, .null?: success = false
            default: throw invalid("responses[\(n)].success must be a boolean")
            }
            let latency: Double
            switch response["latency_ms"] {
            case nil, .null?: latency = 0
            case let number? where number.numberValue?.isFinite == true: latency = number.numberValue!
            default: throw invalid("responses[\(n)].latency_ms must be a finite number")
            }
            let body = exact?["responses"]?[n]?["body"] ?? response["body"].map(ExactJSON.init)
            responses.append(
                CandidateResponse(
                    backend: backend, success: success, latencyMs: latency, body: body == .null ? nil : body))
        }
        self.responses = responses
    }
}
