import Foundation

/// What probing one backend found: can it be reached, does it serve the configured model, does it answer
/// a chat request, and does a forced tool call come back as `tool_calls` (the thing consensus compares).
package struct ProbeResult: Sendable, Hashable {
    package var backend: String
    package var url: String
    /// `GET /models` answered with 2xx.
    package var reachable: Bool
    package var modelsLatencyMs: Double?
    /// The configured model id is in the `/models` list (nil when the list could not be read).
    package var modelListed: Bool?
    /// A one-token chat completion succeeded.
    package var chatOK: Bool
    package var chatLatencyMs: Double?
    /// A request forcing a tool call came back with `tool_calls`.
    package var toolCallsOK: Bool
    /// Why something failed, for people.
    package var problems: [String]
    /// The model id the chat used: the configured one, or what `model: auto` would resolve to.
    package var model: String = ""
    /// ai-lb only: `GET /health` answered 2xx.
    package var healthOK: Bool? = nil
    /// ai-lb only: backends that answered a one-token request in `all` mode, and how many were attempted.
    package var membersAnswered: MemberCount? = nil

    /// How many of a load balancer's backends answered.
    package struct MemberCount: Sendable, Hashable {
        /// Backends that answered with a chat completion.
        package var succeeded: Int
        /// Backends ai-lb tried.
        package var attempted: Int
    }

    /// Usable for a run: the chat round trip works (and for ai-lb, at least one backend answers in `all` mode).
    package var isUsable: Bool { chatOK && (membersAnswered.map { $0.succeeded > 0 } ?? true) }
}

/// Probes backends concurrently (`ailb-eval backends`).
package struct BackendProbe: Sendable {
    package var client: ChatClient
    package var timeout: Double
    package var environment: [String: String]
    /// `models:` of the config, to resolve `model: auto` as a run would.
    package var equivalents: [String: [String: String]]

    /// A prober sending through `client`, waiting `timeout` seconds per request.
    package init(
        client: ChatClient, timeout: Double = 30, environment: [String: String],
        equivalents: [String: [String: String]] = [:]
    ) {
        self.client = client
        self.timeout = timeout
        self.environment = environment
        self.equivalents = equivalents
    }

    /// Probes every backend (the first replica of each) at once; results in config order.
    package func probe(_ backends: [BackendConfig]) async -> [ProbeResult] {
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

    /// Probes one backend. Its URL is shown without user name and password, as runs store it, and no
    /// problem text carries a credential (a URL's, the API key, a header value) even when a server or the
    /// HTTP stack echoes one.
    package func probe(_ backend: BackendConfig) async -> ProbeResult {
        var result = await probeWithCredentials(backend)
        let secrets = credentials(of: backend)
        result.url = Self.scrub(result.url, secrets: secrets)
        result.problems = result.problems.map { Self.scrub($0, secrets: secrets) }
        return result
    }

    /// The texts that must not be shown for `backend`: its URLs as written (with user info), the user
    /// names and passwords in them, its API key and its header values.
    func credentials(of backend: BackendConfig) -> [(secret: String, shown: String)] {
        var secrets: [(String, String)] = []
        for url in backend.urls {
            let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            guard components?.user != nil || components?.password != nil else { continue }
            secrets.append((url.absoluteString, ChatClient.redacted(url)))
            for part in [components?.percentEncodedPassword, components?.password, components?.percentEncodedUser, components?.user] {
                if let part, part.count >= 4 { secrets.append((part, "***")) }
            }
        }
        if let variable = backend.apiKeyEnv, let key = environment[variable], key.count >= 4 { secrets.append((key, "***")) }
        for value in backend.headers.values where value.count >= 4 { secrets.append((value, "***")) }
        // Longest first, so a URL is replaced whole before the password inside it.
        return secrets.sorted { $0.0.count > $1.0.count }
    }

    static func scrub(_ text: String, secrets: [(secret: String, shown: String)]) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1.secret, with: $1.shown) }
    }

    func probeWithCredentials(_ backend: BackendConfig) async -> ProbeResult {
        guard let base = backend.urls.first else {
            return ProbeResult(
                backend: backend.name, url: "", reachable: false, modelListed: nil, chatOK: false, toolCallsOK: false,
                problems: ["no URL"])
        }
        var result = ProbeResult(
            backend: backend.name, url: ChatClient.redacted(base), reachable: false, modelListed: nil, chatOK: false,
            toolCallsOK: false, problems: [])
        let headers = headers(for: backend)
        var model = backend.model
        result.model = model

        switch await client.transport.get(
            base.appendingPathComponent("models"), headers: headers.sorted { $0.key < $1.key }, timeout: timeout,
            tls: backend.tls)
        {
        case .success(let answer):
            let status = answer.status ?? 0
            result.modelsLatencyMs = answer.latencyMs
            if (200..<300).contains(status) {
                result.reachable = true
                let ids = (try? JSONValue(parsing: Data(answer.body)))?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
                if let ids, backend.modelIsAuto {
                    let chosen = ModelResolver.choose(listed: ids, for: backend, equivalents: equivalents)
                    result.modelListed = chosen != nil
                    if let chosen {
                        model = chosen.id
                        result.model = model
                    } else {
                        result.problems.append("model: auto finds nothing suitable in /models (\(ids.prefix(5).joined(separator: ", ")))")
                    }
                } else if let ids {
                    result.modelListed = ids.contains(backend.model)
                    if !ids.contains(backend.model) {
                        result.problems.append("model '\(backend.model)' not in /models (\(ids.prefix(5).joined(separator: ", ")))")
                    }
                }
            } else {
                result.problems.append("GET /models: HTTP \(status)")
            }
        case .failure(let failure):
            result.problems.append("GET /models: \(failure.description)")
        }

        let chat = await client.send(
            ChatRequest(
                baseURL: base,
                body: [
                    "model": .string(model), "max_tokens": 1, "temperature": 0,
                    "messages": [["role": "user", "content": "Say OK."]],
                ], headers: headers, timeout: timeout, retry: .none, tls: backend.tls))
        if backend.kind == .ailb { await probeLoadBalancer(backend, base: base, model: model, headers: headers, into: &result) }
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
                    "model": .string(model), "max_tokens": 64, "temperature": 0,
                    "messages": [["role": "user", "content": "What is the weather in Paris?"]],
                    "tools": [tool], "tool_choice": "required",
                ], headers: headers, timeout: timeout, retry: .none, tls: backend.tls))
        result.toolCallsOK = !ExtractedAnswer(body: toolCall.body).toolCalls.isEmpty
        if !result.toolCallsOK {
            result.problems.append(
                toolCall.isSuccess
                    ? "a forced tool call came back as text, not tool_calls"
                    : "tool call: \(toolCall.errorClass?.rawValue ?? "failed")")
        }
        return result
    }

    /// The load balancer's own checks: `GET /health` at its root, and a one-token request in `all` mode,
    /// which shows whether multi-backend execution works and how many of its backends answer.
    func probeLoadBalancer(
        _ backend: BackendConfig, base: URL, model: String, headers: [String: String], into result: inout ProbeResult
    ) async {
        var root = base
        if root.lastPathComponent == "v1" { root = root.deletingLastPathComponent() }
        switch await client.transport.get(
            root.appendingPathComponent("health"), headers: headers.sorted { $0.key < $1.key }, timeout: timeout,
            tls: backend.tls)
        {
        case .success(let answer):
            let status = answer.status ?? 0
            result.healthOK = (200..<300).contains(status)
            if result.healthOK == false { result.problems.append("GET /health: HTTP \(status)") }
        case .failure(let failure):
            result.healthOK = false
            result.problems.append("GET /health: \(failure.description)")
        }
        var multi = headers.merging(LoadBalancerRequest.headers(for: backend, mode: .all)) { _, new in new }
        multi["X-Execution-Mode"] = "all"
        let answer = await client.send(
            ChatRequest(
                baseURL: base,
                body: [
                    "model": .string(model), "max_tokens": 1, "temperature": 0,
                    "messages": [["role": "user", "content": "Say OK."]],
                ], headers: multi, timeout: timeout, retry: .none, expectsCompletion: false, tls: backend.tls))
        let naming = MemberNaming(loadBalancer: backend.name, backends: [backend])
        let parsed = LoadBalancerAnswer.interpret(
            answer, mode: .all, naming: naming, timeouts: LoadBalancerTimeouts(backend.ailbOptions))
        if let failure = parsed.failure {
            result.membersAnswered = ProbeResult.MemberCount(succeeded: 0, attempted: 0)
            result.problems.append(
                "X-Execution-Mode: all: \(failure.errorClass?.rawValue ?? "failed") \(failure.errorMessage ?? "")")
            return
        }
        let succeeded = parsed.members.filter(\.response.isSuccess)
        result.membersAnswered = ProbeResult.MemberCount(succeeded: succeeded.count, attempted: parsed.members.count)
        for member in parsed.members where !member.response.isSuccess {
            result.problems.append("member \(member.name): \(member.response.errorMessage ?? "failed")")
        }
    }

    /// The probe table for people.
    package static func render(_ results: [ProbeResult]) -> String {
        let withBalancer = results.contains { $0.membersAnswered != nil }
        var header = ["backend", "url", "reachable", "/models ms", "model listed", "chat", "chat ms", "tool_calls"]
        if withBalancer { header += ["health", "members ok"] }
        var table = TextTable(header: header, rightAligned: [3, 6])
        func yes(_ value: Bool?) -> String { value.map { $0 ? "yes" : "NO" } ?? "-" }
        for r in results {
            var row = [
                r.backend, r.url, yes(r.reachable), r.modelsLatencyMs.map { String(format: "%.1f", $0) } ?? "-",
                yes(r.modelListed), r.chatOK ? "ok" : "FAIL", r.chatLatencyMs.map { String(format: "%.1f", $0) } ?? "-",
                yes(r.toolCallsOK),
            ]
            if withBalancer {
                row += [yes(r.healthOK), r.membersAnswered.map { "\($0.succeeded)/\($0.attempted)" } ?? "-"]
            }
            table.add(row)
        }
        let problems = results.flatMap { r in r.problems.map { "  \(r.backend): \($0)" } }
        return table.render() + (problems.isEmpty ? "" : "\n\nProblems:\n" + problems.joined(separator: "\n"))
    }

    /// The probe results as JSON, for scripts.
    package static func json(_ results: [ProbeResult]) -> JSONValue {
        .array(
            results.map { r in
                [
                    "backend": .string(r.backend), "url": .string(r.url), "reachable": .bool(r.reachable),
                    "models_latency_ms": r.modelsLatencyMs.map { .double($0) } ?? .null,
                    "model_listed": r.modelListed.map { .bool($0) } ?? .null, "chat_ok": .bool(r.chatOK),
                    "chat_latency_ms": r.chatLatencyMs.map { .double($0) } ?? .null,
                    "tool_calls_ok": .bool(r.toolCallsOK), "usable": .bool(r.isUsable),
                    "problems": .array(r.problems.map { .string($0) }), "model": .string(r.model),
                    "health_ok": r.healthOK.map { .bool($0) } ?? .null,
                    "members_succeeded": r.membersAnswered.map { .int($0.succeeded) } ?? .null,
                    "members_attempted": r.membersAnswered.map { .int($0.attempted) } ?? .null,
                ]
            })
    }
}
