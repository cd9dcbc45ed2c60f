/// Which `seed` the repeats of a case send (`repeat_seed:` in `defaults`, in a suite, or `--repeat-seed`).
///
/// With `fixed` every repeat sends the same request, so at temperature 0 the repeats measure only how
/// deterministic a server is. With `vary` each repeat of a sampled request (temperature above 0) sends a
/// seed of its own: repeat r (numbered from 1) sends the configured seed + r − 1, or r itself when no seed
/// is configured, so that repeats are independent samples and yet the run can be reproduced.
public enum RepeatSeed: String, Sendable, Hashable, CaseIterable {
    case fixed
    case vary

    /// The request body that repeat `repeatIndex` (from 0) of a case sends, given the body every repeat
    /// shares. Only `vary` changes anything, and only when the request samples: a `temperature` above 0,
    /// or none at all (the server's own default, above 0 on every common server). A `seed` that is not an
    /// integer is left as the suite wrote it.
    public func body(_ body: [String: JSONValue], repeatIndex: Int) -> [String: JSONValue] {
        guard self == .vary, Self.samples(body) else { return body }
        var result = body
        switch body["seed"] {
        case nil, .null?:
            result["seed"] = .int(repeatIndex &+ 1)
        case let seed? where seed.intValue != nil:
            result["seed"] = .int(seed.intValue! &+ repeatIndex)
        default:
            break
        }
        return result
    }

    /// Whether a request with this body is sampled rather than greedy.
    static func samples(_ body: [String: JSONValue]) -> Bool {
        switch body["temperature"] {
        case nil, .null?: true
        case let value?: (value.numberValue ?? 0) > 0
        }
    }
}
