import Foundation

/// How many connections a run's transport may hold open: at any moment no more than the run's concurrency
/// plus one per backend (requests in flight, and an idle connection kept per backend for the next one), and
/// to one server no more than the backends it serves may have in flight. Open files stay few however many
/// backends a run has, and the servers (in-process mock backends included) see no more than that.
struct ConnectionLimits: Sendable, Equatable {
    /// Connections to one host and port at once.
    var perHost: Int
    /// Connections at once in all, idle ones included.
    var total: Int
}

extension ConnectionLimits {
    /// The limits for a run of `backends` with `concurrency` requests in flight. Backends reached through a
    /// proxy share the proxy's connections.
    init(backends: [BackendConfig], concurrency: Int, proxies: ProxySettings) {
        let slots = max(1, concurrency)
        total = slots + backends.count
        // What the dispatcher may send to one server: the slots of every backend it serves (a backend with
        // replicas counted whole on each; a race puts at least one request on every backend).
        var busiestHost: [String: Int] = [:]
        for backend in backends {
            let share = max(1, min(backend.maxConcurrency ?? slots, slots))
            for host in Set(backend.urls.map { Self.hostKey($0, proxies: proxies) }) {
                busiestHost[host, default: 0] += share
            }
        }
        perHost = max(1, min(total, busiestHost.values.max() ?? slots))
    }

    /// The server a connection to `url` goes to, as libcurl pools connections: host and port, or the proxy.
    static func hostKey(_ url: URL, proxies: ProxySettings) -> String {
        if let proxy = proxies.proxy(for: url) { return "proxy \(proxy)" }
        let scheme = url.scheme?.lowercased() ?? "http"
        return "\(url.host?.lowercased() ?? ""):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }
}

extension ChatClient {
    /// The client of one run: connections limited by `ConnectionLimits`, proxies from the environment.
    static func forRun(backends: [BackendConfig], concurrency: Int, maxResponseBytes: Int) -> ChatClient {
        let proxies = ProxySettings(environment: ProcessInfo.processInfo.environment)
        let limits = ConnectionLimits(backends: backends, concurrency: concurrency, proxies: proxies)
        let transport = HTTPTransport(maxConnectionsPerHost: limits.perHost, maxTotalConnections: limits.total, proxies: proxies)
        return ChatClient(transport: transport, maxResponseBytes: maxResponseBytes)
    }
}
