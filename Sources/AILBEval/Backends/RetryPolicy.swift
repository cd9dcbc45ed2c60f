import Foundation

/// When and how long to wait before asking a backend again. Pure: the caller supplies the random
/// number and does the sleeping, so the schedule is testable without clocks.
///
/// Retried: `connect` (server restarting, port not yet open), `http_429` (rate limited) and `http_5xx`
/// (overloaded or crashed worker). Not retried:
/// - `timeout`: a generation that ran past the timeout will most likely do so again, and a retry would
///   double (or triple) the wall time of every slow case; the timeout is recorded as the answer.
/// - other `http_4xx`: the request itself is wrong (unknown model, bad tool schema); asking again changes nothing.
/// - `bad_json`, `bad_sse`, `too_large`: the server answered; the answer is what we measure.
/// - `cancelled`: the user asked us to stop.
/// - `upstream`: a member behind a load balancer failed; only its answer inside the load balancer's reply
///   says so, and there is no request of ours to that member to repeat.
package struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt (so at most `maxRetries + 1` attempts).
    package var maxRetries: Int
    /// Backoff ceiling for the first retry, in seconds; it doubles with every further retry.
    package var baseDelay: Double
    /// Upper bound of the exponential backoff, in seconds (a `Retry-After` may ask for longer).
    package var maxDelay: Double

    /// The longest `Retry-After` we honour, in seconds: a server asking for an hour would stall the run.
    package static let maxRetryAfter: Double = 60

    /// A policy; the defaults match `defaults.retries: 2` in config.yaml.
    package init(maxRetries: Int = 2, baseDelay: Double = 0.25, maxDelay: Double = 8) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// A policy that never retries.
    package static let none = RetryPolicy(maxRetries: 0)

    /// Whether a failure of this class is worth another attempt at all.
    package static func isRetryable(_ errorClass: ErrorClass) -> Bool {
        switch errorClass {
        case .connect, .http429, .http5xx: return true
        case .timeout, .http4xx, .badJSON, .badSSE, .tooLarge, .cancelled, .cancelledByRace, .upstream, .redirect: return false
        }
    }

    /// Seconds to wait before the next attempt, or nil when the request must not be retried.
    ///
    /// - Parameters:
    ///   - attempt: the 1-based number of the attempt that just failed.
    ///   - errorClass: why it failed.
    ///   - retryAfter: the server's `Retry-After`, already converted to seconds (see `parseRetryAfter`).
    ///   - random: a uniform number in `0..<1` for the jitter.
    /// - Returns: "full jitter" backoff, `random × min(maxDelay, baseDelay × 2^(attempt−1))`, which spreads
    ///   many clients hitting the same overloaded server; raised to `retryAfter` (capped at 60 s) when given.
    package func delay(afterAttempt attempt: Int, errorClass: ErrorClass, retryAfter: Double?, random: Double) -> Double? {
        guard attempt >= 1, attempt <= maxRetries, Self.isRetryable(errorClass) else { return nil }
        let exponent = Double(min(attempt - 1, 62))
        let ceiling = min(max(maxDelay, 0), max(baseDelay, 0) * pow(2, exponent))
        let unit = min(max(random, 0), 1)
        var wait = unit * ceiling
        if let retryAfter, retryAfter.isFinite, retryAfter > 0 {
            wait = max(wait, min(retryAfter, Self.maxRetryAfter))
        }
        return wait
    }

    /// Parses a `Retry-After` header value: delta-seconds (`"120"`) or an HTTP date
    /// (IMF-fixdate, `"Wed, 21 Oct 2015 07:28:00 GMT"`). A date in the past yields 0. nil when unparsable.
    package static func parseRetryAfter(_ value: String, now: Date) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return Double(text)
        }
        guard let date = parseIMFFixdate(text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// IMF-fixdate (RFC 9110 §5.6.7) parsed by hand: DateFormatter is locale-sensitive and slow,
    /// and the format is fixed.
    static func parseIMFFixdate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let day = Int(parts[1]), parts[1].count == 2, let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), parts[3].count == 4
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }), let hour = Int(clock[0]), let minute = Int(clock[1]),
            let second = Int(clock[2]), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = monthIndex + 1
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        return calendar.date(from: components)
    }
}
