import Foundation
import Testing

@testable import AILBEval

extension Backends {
    @Suite struct RetryPolicyTests {
        let policy = RetryPolicy(maxRetries: 3, baseDelay: 0.5, maxDelay: 3)

        @Test(arguments: [ErrorClass.http4xx, .badJSON, .badSSE, .tooLarge, .cancelled, .timeout])
        func doesNotRetry(_ errorClass: ErrorClass) {
            #expect(policy.delay(afterAttempt: 1, errorClass: errorClass, retryAfter: nil, random: 0.5) == nil)
            #expect(policy.delay(afterAttempt: 1, errorClass: errorClass, retryAfter: 5, random: 0.5) == nil)
        }

        @Test(arguments: [ErrorClass.http429, .http5xx, .connect])
        func retriesTransientFailuresUpToTheLimit(_ errorClass: ErrorClass) {
            for attempt in 1...3 {
                #expect(policy.delay(afterAttempt: attempt, errorClass: errorClass, retryAfter: nil, random: 0.5) != nil)
            }
            #expect(policy.delay(afterAttempt: 4, errorClass: errorClass, retryAfter: nil, random: 0.5) == nil)
            #expect(RetryPolicy.none.delay(afterAttempt: 1, errorClass: errorClass, retryAfter: nil, random: 0.5) == nil)
        }

        @Test func fullJitterStaysWithinTheExponentialCeiling() {
            // Ceilings: 0.5, 1, 2, then capped at 3.
            let ceilings = [0.5, 1.0, 2.0, 3.0]
            let wide = RetryPolicy(maxRetries: 10, baseDelay: 0.5, maxDelay: 3)
            for (n, ceiling) in ceilings.enumerated() {
                #expect(wide.delay(afterAttempt: n + 1, errorClass: .http5xx, retryAfter: nil, random: 0) == 0)
                #expect(wide.delay(afterAttempt: n + 1, errorClass: .http5xx, retryAfter: nil, random: 0.5) == ceiling / 2)
                let top = wide.delay(afterAttempt: n + 1, errorClass: .http5xx, retryAfter: nil, random: 0.999_999)!
                #expect(top < ceiling && top > ceiling * 0.99)
            }
            #expect(wide.delay(afterAttempt: 10, errorClass: .connect, retryAfter: nil, random: 0.999_999)! <= 3)
        }

        @Test func retryAfterIsAMinimumCappedAtSixtySeconds() {
            #expect(policy.delay(afterAttempt: 1, errorClass: .http429, retryAfter: 2, random: 0.1) == 2)
            #expect(policy.delay(afterAttempt: 3, errorClass: .http429, retryAfter: 0.1, random: 0.5) == 1)
            #expect(policy.delay(afterAttempt: 1, errorClass: .http5xx, retryAfter: 3600, random: 0) == 60)
        }

        @Test func parsesDeltaSeconds() {
            let now = Date(timeIntervalSince1970: 1_000_000)
            #expect(RetryPolicy.parseRetryAfter("120", now: now) == 120)
            #expect(RetryPolicy.parseRetryAfter(" 0 ", now: now) == 0)
            #expect(RetryPolicy.parseRetryAfter("-5", now: now) == nil)
            #expect(RetryPolicy.parseRetryAfter("1.5", now: now) == nil)
            #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        }

        @Test func parsesHTTPDates() {
            // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 seconds after the epoch.
            let now = Date(timeIntervalSince1970: 1_445_412_480 - 90)
            #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 90)
            #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now.addingTimeInterval(1000)) == 0)
            #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 PST", now: now) == nil)
            #expect(RetryPolicy.parseRetryAfter("Wed, 21 Foo 2015 07:28:00 GMT", now: now) == nil)
            #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 7:28:00 GMT", now: now) == nil)
        }
    }
}
