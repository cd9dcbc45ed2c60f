/// What ai-lb is asked besides the chat request itself: its wire protocol on the way in. The answers it
/// gives back are read by `LoadBalancerAnswer`.
enum LoadBalancerRequest {
    /// The headers that ask ai-lb to run one request on several of its backends, in the run's mode, with
    /// the backend's `target_backends`, `max_backends` and `execution_timeout`.
    static func headers(for backend: BackendConfig, mode: RunMode) -> [String: String] {
        var headers = ["X-Execution-Mode": mode.rawValue]
        guard let options = backend.ailbOptions else { return headers }
        if !options.targetBackends.isEmpty { headers["X-Target-Backends"] = options.targetBackends.joined(separator: ",") }
        if let max = options.maxBackends { headers["X-Max-Backends"] = String(max) }
        if let timeout = options.executionTimeout {
            headers["X-Execution-Timeout"] = timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)
        }
        return headers
    }
}
