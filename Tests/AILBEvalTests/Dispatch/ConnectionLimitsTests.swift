import Foundation
import Testing

@testable import AILBEval

/// How many connections a run's transport may open: the run's concurrency plus one per backend in all, and
/// to one server what the backends it serves may have in flight.
@Suite struct ConnectionLimitsTests {
    static func backend(_ name: String, _ urls: [String], limit: Int? = nil) -> BackendConfig {
        BackendConfig(name: name, urls: urls.map { URL(string: $0)! }, model: "m", maxConcurrency: limit)
    }

    @Test func theTotalIsTheConcurrencyPlusOnePerBackend() {
        let backends = (0..<30).map { Self.backend("b\($0)", ["http://127.0.0.1:\(9000 + $0)/v1"]) }
        let limits = ConnectionLimits(backends: backends, concurrency: 64, proxies: .direct)
        #expect(limits.total == 94)
        // Each server gets at most the run's concurrency.
        #expect(limits.perHost == 64)
    }

    @Test func oneServerOfSeveralBackendsMayHoldAllTheirSlotsUpToTheTotal() {
        let shared = (0..<3).map { Self.backend("m\($0)", ["http://127.0.0.1:9100/mock/m\($0)/v1"], limit: 4) }
        let limits = ConnectionLimits(backends: shared, concurrency: 16, proxies: .direct)
        #expect(limits == ConnectionLimits(perHost: 12, total: 19))
        // Thirty backends on one port at c=64: the run's slots, and never more than the total.
        let many = (0..<30).map { Self.backend("m\($0)", ["http://127.0.0.1:9100/mock/m\($0)/v1"]) }
        #expect(ConnectionLimits(backends: many, concurrency: 64, proxies: .direct).perHost == 94)
    }

    @Test func aServerIsItsHostAndPortAndAProxyCarriesEveryBackendItServes() {
        let backends = [
            Self.backend("a", ["http://LOCALHOST:8080/v1"], limit: 2), Self.backend("b", ["http://localhost:8080/other/v1"], limit: 3),
            Self.backend("c", ["https://example.test/v1", "https://example.test:443/v1"], limit: 5),
        ]
        #expect(ConnectionLimits(backends: backends, concurrency: 8, proxies: .direct).perHost == 5)
        let proxied = ConnectionLimits(backends: backends, concurrency: 8, proxies: ProxySettings(http: "http://proxy:3128"))
        // a and b (http) share the proxy's connections; c (https, no https proxy) goes direct.
        #expect(proxied.perHost == 5)
        let allProxied = ConnectionLimits(
            backends: backends, concurrency: 8, proxies: ProxySettings(http: "http://proxy:3128", https: "http://proxy:3128"))
        #expect(allProxied.perHost == 10)
    }

    @Test func aBackendWithoutURLOrARunOfOneSlotStillGetsAConnection() {
        #expect(ConnectionLimits(backends: [], concurrency: 0, proxies: .direct) == ConnectionLimits(perHost: 1, total: 1))
        let limits = ConnectionLimits(backends: [Self.backend("a", ["http://127.0.0.1:1/v1"])], concurrency: 1, proxies: .direct)
        #expect(limits == ConnectionLimits(perHost: 1, total: 2))
    }
}
