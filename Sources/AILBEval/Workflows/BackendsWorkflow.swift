import Foundation

/// `ailb-eval backends`: whether every configured backend is usable.
package enum BackendsWorkflow {
    /// The config to read and how long to wait.
    package struct Options: Sendable {
        /// nil: `./config.yaml`, else the embedded default.
        package var configPath: String?
        /// Seconds to wait for each request.
        package var timeout: Double
        package var environment: [String: String]
        /// Lets `insecure_skip_verify: true` stand for a backend that is not on this machine.
        package var allowInsecureTLS: Bool

        package init(
            configPath: String? = nil, timeout: Double = 30,
            environment: [String: String] = ProcessInfo.processInfo.environment, allowInsecureTLS: Bool = false
        ) {
            self.allowInsecureTLS = allowInsecureTLS
            self.configPath = configPath
            self.timeout = timeout
            self.environment = environment
        }
    }

    /// Probes every backend of the config, in config order. Mock backends are served in-process for the probe.
    package static func probe(_ options: Options) async throws -> [ProbeResult] {
        var config = try PreparedRun.loadConfig(
            options.configPath, environment: options.environment, allowInsecureTLS: options.allowInsecureTLS)
        let server = try await MockServer.serveInProcess(&config.backends, suites: [], environment: options.environment)
        let client = ChatClient(maxConnectionsPerHost: 16, maxResponseBytes: config.limits.maxResponseBytes)
        let results = await BackendProbe(
            client: client, timeout: options.timeout, environment: options.environment,
            equivalents: config.modelEquivalents
        ).probe(config.backends)
        client.invalidate()
        await server?.stop()
        return results
    }
}
