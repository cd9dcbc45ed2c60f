import Foundation

/// The backends of a run made ready to be asked: in-process mock backends served, `model: auto` resolved.
///
/// Kept apart from `EvalRun` so the command can resolve models before it opens the database: a run that
/// cannot learn its models writes nothing.
package final class StartedBackends: Sendable {
    /// The plan's backends with URLs and model ids filled in.
    package let backends: [BackendConfig]
    /// What `model: auto` became, per backend, in config order.
    package let resolvedModels: [ResolvedModel]
    private let server: MockServer?

    init(backends: [BackendConfig], resolvedModels: [ResolvedModel], server: MockServer?) {
        self.backends = backends
        self.resolvedModels = resolvedModels
        self.server = server
    }

    /// Stops the in-process mock server, if one was started.
    package func stop() async {
        await server?.stop()
    }
}

extension PreparedRun {
    /// Serves the plan's in-process mock backends and resolves `model: auto` through each server's
    /// `/models` (of the backends named in `resolving` only, when given: a worker of a shared run reaches
    /// only those it serves). Throws `RunFailure` when a model list cannot be read (the mock server is
    /// stopped then).
    package func startBackends(resolving: Set<String>? = nil) async throws -> StartedBackends {
        var backends = plan.backends
        let server = try await MockServer.serveInProcess(&backends, suites: suites, environment: environment)
        do {
            var reached = backends.filter { resolving?.contains($0.name) ?? true }
            let resolved = try await ModelResolver.resolve(
                &reached, equivalents: config.modelEquivalents, environment: environment,
                timeout: config.defaults.timeout)
            for backend in reached {
                if let index = backends.firstIndex(where: { $0.name == backend.name }) { backends[index] = backend }
            }
            return StartedBackends(backends: backends, resolvedModels: resolved, server: server)
        } catch {
            await server?.stop()
            throw error
        }
    }
}

extension MockServer {
    /// Serves the `kind: mock` backends that have no URL on a free port of 127.0.0.1 and gives them their
    /// URLs; nil when there are none. A mock backend with `api_key_env` checks the key, so a run proves the
    /// key was sent.
    package static func serveInProcess(
        _ backends: inout [BackendConfig], suites: [Suite], environment: [String: String]
    ) async throws -> MockServer? {
        let inProcess = backends.filter { $0.kind == .mock && $0.urls.isEmpty }
        guard !inProcess.isEmpty else { return nil }
        var keys: [String: String] = [:]
        for backend in inProcess {
            if let variable = backend.apiKeyEnv, let key = environment[variable] { keys[backend.name] = key }
        }
        let mock = MockServer(backends: inProcess, suites: suites, apiKeys: keys)
        _ = try await mock.start(port: 0)
        for index in backends.indices where backends[index].kind == .mock && backends[index].urls.isEmpty {
            if let url = mock.baseURL(for: backends[index].name) { backends[index].urls = [url] }
        }
        return mock
    }
}
