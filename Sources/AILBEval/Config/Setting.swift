import Foundation

/// A number the user sets in a config or suite file and, for some, with a command-line flag, with the one
/// rule both are checked against: a value is accepted or refused the same way wherever it is written.
public struct NumberSetting: Sendable {
    /// What a value must be.
    public enum Rule: Sendable {
        /// Within the range, both bounds included.
        case between(Double, Double)
        /// Greater than zero.
        case positive
    }

    /// The key in the file (`min_agreement`); its flag is the same with dashes (`--min-agreement`).
    public let key: String
    public let rule: Rule

    public init(key: String, rule: Rule) {
        self.key = key
        self.rule = rule
    }

    /// What is wrong with `value` ("must be between 0 and 1, found 1.5"), or nil when it is allowed.
    public func problem(with value: Double) -> String? {
        switch rule {
        case .between(let lower, let upper) where !(lower...upper).contains(value):
            return "must be between \(formatted(lower)) and \(formatted(upper)), found \(formatted(value))"
        case .positive where !(value > 0):
            return "must be greater than 0, found \(formatted(value))"
        default:
            return nil
        }
    }

    /// The value of the flag, or an error naming the flag; nil (not given) passes.
    public func checkedFlag(_ value: Double?) throws(InputError) -> Double? {
        guard let value, let problem = problem(with: value) else { return value }
        throw InputError("\(flagName(key)) \(problem)")
    }

    /// The value as written in a file, or an error at it.
    func checked(_ value: Located<Double>) throws(InputError) -> Double {
        try checked(value.value, at: value.location)
    }

    /// A value written in a file at `location`, or an error there.
    func checked(_ value: Double, at location: SourceLocation) throws(InputError) -> Double {
        guard let problem = problem(with: value) else { return value }
        throw InputError(at: location, "'\(key)' \(problem)")
    }
}

/// A whole number the user sets in a config or suite file and, for some, with a command-line flag, with the
/// one lower bound both are checked against.
public struct IntegerSetting: Sendable {
    /// The key in the file (`max_lb_mismatch`); its flag is the same with dashes (`--max-lb-mismatch`).
    public let key: String
    /// The smallest value allowed.
    public let minimum: Int

    public init(key: String, minimum: Int) {
        self.key = key
        self.minimum = minimum
    }

    /// What is wrong with `value` ("must be at least 1, found 0"), or nil when it is allowed.
    public func problem(with value: Int) -> String? {
        value >= minimum ? nil : "must be at least \(minimum), found \(value)"
    }

    /// The value of the flag, or an error naming the flag; nil (not given) passes.
    public func checkedFlag(_ value: Int?) throws(InputError) -> Int? {
        guard let value, let problem = problem(with: value) else { return value }
        throw InputError("\(flagName(key)) \(problem)")
    }

    /// The value as written in a file, or an error at it.
    func checked(_ value: Located<Int>) throws(InputError) -> Int {
        try checked(value.value, at: value.location)
    }

    /// A value written in a file at `location`, or an error there.
    func checked(_ value: Int, at location: SourceLocation) throws(InputError) -> Int {
        guard let problem = problem(with: value) else { return value }
        throw InputError(at: location, "'\(key)' \(problem)")
    }
}

extension NumberSetting {
    /// `consensus.threshold` and `--threshold`.
    public static let threshold = fraction("threshold")
    /// `defaults.timeout`, a backend's `timeout`, and `--timeout`: seconds per request.
    public static let timeout = NumberSetting(key: "timeout", rule: .positive)
    /// `gates.min_agreement` and `--min-agreement`.
    public static let minAgreement = fraction("min_agreement")
    /// `gates.min_accuracy` and `--min-accuracy`.
    public static let minAccuracy = fraction("min_accuracy")
    /// `gates.max_spurious` and `--max-spurious`.
    public static let maxSpurious = fraction("max_spurious")
    /// `gates.max_p95_latency_ms` and `--max-p95-latency-ms`.
    public static let maxP95LatencyMs = NumberSetting(key: "max_p95_latency_ms", rule: .positive)

    /// A share or probability, 0 to 1.
    public static func fraction(_ key: String) -> NumberSetting { NumberSetting(key: key, rule: .between(0, 1)) }
}

extension IntegerSetting {
    /// `defaults.concurrency` and `--concurrency`.
    public static let concurrency = IntegerSetting(key: "concurrency", minimum: 1)
    /// `defaults.repeat`, a case's `repeat`, and `--repeat`.
    public static let repeats = IntegerSetting(key: "repeat", minimum: 1)
    /// `defaults.retries` and `--retries`.
    public static let retries = IntegerSetting(key: "retries", minimum: 0)
    /// `gates.max_lb_mismatch` and `--max-lb-mismatch`.
    public static let maxLoadBalancerMismatches = IntegerSetting(key: "max_lb_mismatch", minimum: 0)
}

/// The flag of a config key: `min_agreement` → `--min-agreement`.
private func flagName(_ key: String) -> String { "--" + key.replacingOccurrences(of: "_", with: "-") }

/// A number as a person writes it: `1` rather than `1.0`.
private func formatted(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
