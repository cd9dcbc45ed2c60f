import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What probing one backend found: can it be reached, does it serve the configured model, does it answer
/// a chat request, and does a forced tool call come back as `tool_calls` (the thing consensus compares).
public struct ProbeResult: Sendable, Hashable {
    public var backend: String
    public var url: String
    /// `GET /models` answered with 2xx.
    public var reachable: Bool
    public var modelsLatencyMs: Double?
    /// The configured model id is in the `/models` list (nil when the list could not be read).
    public var modelListed: Bool?
    /// A one-token chat completion succeeded.
    public var chatOK: Bool
    public var chatLatencyMs: Double?
    /// A request forcing a tool call came back with `tool_calls`.
    public var toolCallsOK: Bool
    /// Why something failed, for people.
    public var problems: [String]

    /// Usable for a run: the chat round trip works.
    public var isUsable: Bool { chatOK }
}

/// Probes backends concurrently (`ailb-eval backends`).
public struct BackendProbe: Sendable {
    public var client: ChatClient
    public var timeout: Double
    public var environment: [String: String]

    public init(client: ChatClient, timeout: Double = 30, environment: [String: String]) {
        self.client = client
        self.timeout = timeout
        self.environment = environment
    }

    /// Probes every backend (the first replica of each) at once; results in config order.
    public func probe(_ backends: [BackendConfig]) async -> [ProbeResult] {
        await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (index, backend) in backends.enumerated() {
                group.addTask { (index, await probe(backend)) }
            }
            var results: [(Int, ProbeResult)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func headers(for backend: BackendConfig) -> [String: String] {
        var headers = backend.headers
        if let variable = backend.apiKeyEnv, let key = environment[variable] { headers["Authorization"] = "Bearer \(key)" }
        return headers
    }

    /// Probes one backend.
    public func probe(_ backend: BackendConfig) async -> ProbeResult {
        guard let base = backend.urls.first else {
            return ProbeResult(
                backend: backend.name, url: "", reachable: false, modelListed: nil, chatOK: false, toolCallsOK: false,
                problems: ["no URL"])
        }
        var result = ProbeResult(
            backend: backend.name, url: base.absoluteString, reachable: false, modelListed: nil, chatOK: false,
            toolCallsOK: false, problems: [])
        let headers = headers(for: backend)

        let started = Date()
        var request = URLRequest(url: base.appendingPathComponent("models"), timeoutInterval: timeout)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            result.modelsLatencyMs = Date().timeIntervalSince(started) * 1000
            if (200..<300).contains(status) {
                result.reachable = true
                let ids = (try? JSONValue(parsing: data))?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
                if let ids {
                    result.modelListed = ids.contains(backend.model)
                    if !ids.contains(backend.model) {
                        result.problems.append("model '\(backend.model)' not in /models (\(ids.prefix(5).joined(separator: ", ")))")
                    }
                }
            } else {
                result.problems.append("GET /models: HTTP \(status)")
            }
        } catch {
            result.problems.append("GET /models: \(error.localizedDescription)")
        }

        let chat = await client.send(
            ChatRequest(
                baseURL: base,
                body: [
                    "model": .string(backend.model), "max_tokens": 1, "temperature": 0,
                    "messages": [["role": "user", "content": "Say OK."]],
                ], headers: headers, timeout: timeout, retry: .none))
        result.chatOK = chat.isSuccess
        result.chatLatencyMs = chat.isSuccess ? chat.latencyMs : nil
        if !chat.isSuccess {
            result.problems.append("chat: \(chat.errorClass?.rawValue ?? "failed") \(chat.errorMessage ?? "")")
            return result
        }

        let tool: JSONValue = [
            "type": "function",
            "function": [
                "name": "get_weather", "description": "Get the current weather for a city.",
                "parameters": [
                    "type": "object", "properties": ["city": ["type": "string"]], "required": ["city"],
                ],
            ],
        ]
        let toolCall = await client.send(
            ChatRequest(
                baseURL: base,
                body: [
                    "model": .string(backend.model), "max_tokens": 64, "temperature": 0,
                    "messages": [["role": "user", "content": "What is the weather in Paris?"]],
                    "tools": [tool], "tool_choice": "required",
                ], headers: headers, timeout: timeout, retry: .none))
        result.toolCallsOK = !ExtractedAnswer(body: toolCall.body).toolCalls.isEmpty
        if !result.toolCallsOK {
            result.problems.append(
                toolCall.isSuccess
                    ? "a forced tool call came back as text, not tool_calls"
                    : "tool call: \(toolCall.errorClass?.rawValue ?? "failed")")
        }
        return result
    }

    /// The probe table for people.
    public static func render(_ results: [ProbeResult]) -> String {
        var table = TextTable(
            header: ["backend", "url", "reachable", "/models ms", "model listed", "chat", "chat ms", "tool_calls"],
            rightAligned: [3, 6])
        func yes(_ value: Bool?) -> String { value.map { $0 ? "yes" : "NO" } ?? "-" }
        for r in results {
            table.add([
                r.backend, r.url, yes(r.reachable), r.modelsLatencyMs.map { String(format: "%.1f", $0) } ?? "-",
                yes(r.modelListed), r.chatOK ? "ok" : "FAIL", r.chatLatencyMs.map { String(format: "%.1f", $0) } ?? "-",
                yes(r.toolCallsOK),
            ])
        }
        let problems = results.flatMap { r in r.problems.map { "  \(r.backend): \($0)" } }
        return table.render() + (problems.isEmpty ? "" : "\n\nProblems:\n" + problems.joined(separator: "\n"))
    }

    /// The probe results as JSON, for scripts.
    public static func json(_ results: [ProbeResult]) -> JSONValue {
        .array(
            results.map { r in
                [
                    "backend": .string(r.backend), "url": .string(r.url), "reachable": .bool(r.reachable),
                    "models_latency_ms": r.modelsLatencyMs.map { .double($0) } ?? .null,
                    "model_listed": r.modelListed.map { .bool($0) } ?? .null, "chat_ok": .bool(r.chatOK),
                    "chat_latency_ms": r.chatLatencyMs.map { .double($0) } ?? .null,
                    "tool_calls_ok": .bool(r.toolCallsOK), "usable": .bool(r.isUsable),
                    "problems": .array(r.problems.map { .string($0) }),
                ]
            })
    }
}
