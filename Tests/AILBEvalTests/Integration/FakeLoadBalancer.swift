import Foundation
import NIOHTTP1

@testable import AILBEval

/// A small imitation of ai-lb (see AILB-API.md) on 127.0.0.1: fans a chat request out to in-process mock
/// backends, each on a port of its own (so host:port names them apart), in `all` or `consensus` mode, and
/// answers with ai-lb's bodies and headers. Its consensus verdict is `ConsensusJudge` with profile `ailb`
/// and threshold 0.9, so a real mismatch with what the run stores points at the run's reading of the body.
/// It can be told to fail every member, to let only one succeed, to lie about its verdict, to find no
/// eligible backend, or to ignore the execution mode; or to replay what the real ai-lb answered
/// (Fixtures/ailb-live), chosen by the `[case:ID]` marker in the prompt.
final class FakeLoadBalancer: Sendable {
    /// One backend behind the load balancer.
    struct Member: Sendable {
        var alias: String?
        var address: String
        var baseURL: URL
        var model: String
    }

    /// One answer of the real ai-lb as recorded: status, headers (lower-case names) and the body's text.
    struct RecordedAnswer: Sendable, Equatable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// What the load balancer does with the next requests.
    enum Behavior: Sendable, Equatable {
        case normal
        /// Every member fails (timeouts, 500s, capacity): HTTP 200 with no success.
        case allFailed
        /// Only the first member succeeds.
        case singleSuccess
        /// The first member succeeds with an HTTP 400 error body, which ai-lb counts as a success.
        case errorBodyAsSuccess
        /// Reports another winner and one more agreeing backend than its own judge found, and never sets
        /// `x-disagreement`.
        case lie
        /// 404 {"detail": "No eligible backends for multi-exec"}.
        case noEligibleBackends
        /// Routes to one backend and returns its plain completion, as a version without multi-exec would.
        case ignoreMode
        /// Answers with the recording whose case id (keyed as `<mode>/<id>`) the prompt names as `[case:ID]`,
        /// byte for byte, whatever the members would say; 404 for a prompt without a recording.
        case replay([String: RecordedAnswer])
        /// The member at `member` times out inside ai-lb from the `fromRequest`-th request on (counted from 1):
        /// ai-lb's own timeout path, which reports it without its alias and with latency 0.
        case memberTimesOut(member: Int, fromRequest: Int)
        /// The member at `member` fails with an empty error string after `latencyMs` (ai-lb's HTTP client timing
        /// out, whose exception has no text).
        case memberEmptyError(member: Int, latencyMs: Double)
        /// Reports its winner as the oracle and says the oracle did not agree with the winner: the winner, the
        /// counts and the header stay right, only the group fact is wrong.
        case oracleDisagrees
    }

    /// A request as the load balancer saw it.
    struct Seen: Sendable {
        var headers: [String: String]
        var body: JSONValue
    }

    let members: [Member]
    private let servers: [MockServer]
    private let client = ChatClient(maxConnectionsPerHost: 32)
    let behavior = BackendLockedState<Behavior>(.normal)
    let seen = BackendLockedState<[Seen]>([])
    private let http = BackendLockedState<LoopbackHTTPServer?>(nil)

    /// Starts one mock server per member (`aliases`: nil for a member known only by host:port), answering
    /// the cases of `suites` with `behaviors` (default: always the expected answer).
    static func start(
        aliases: [String?], suites: [Suite], behaviors: [MockBehavior]? = nil, behavior: Behavior = .normal
    ) async throws -> FakeLoadBalancer {
        var members: [Member] = []
        var servers: [MockServer] = []
        for (index, alias) in aliases.enumerated() {
            let model = "member-model-\(index)"
            var backend = BackendConfig(name: alias ?? "anon\(index)", kind: .mock, model: model)
            backend.mock = behaviors?[index] ?? MockBehavior()
            let server = MockServer(backends: [backend], suites: suites)
            let port = try await server.start()
            servers.append(server)
            members.append(
                Member(
                    alias: alias, address: "127.0.0.1:\(port)", baseURL: URL(string: "http://127.0.0.1:\(port)/v1")!,
                    model: model))
        }
        let balancer = FakeLoadBalancer(members: members, servers: servers)
        balancer.behavior.write { $0 = behavior }
        try await balancer.listen()
        return balancer
    }

    private init(members: [Member], servers: [MockServer]) {
        self.members = members
        self.servers = servers
    }

    /// The load balancer's OpenAI base URL.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(http.read { $0?.port ?? 0 })/v1")! }

    private func listen() async throws {
        let server = LoopbackHTTPServer { [self] request in await self.handle(request) }
        _ = try await server.start(listenTimeout: 60)
        http.write { $0 = server }
    }

    /// Stops the load balancer and its members.
    func stop() async {
        await http.write({ value in
            defer { value = nil }; return value
        })?.stop()
        for server in servers { await server.stop() }
        client.invalidate()
    }

    // MARK: Handling

    func handle(_ request: LoopbackHTTPRequest) async -> LoopbackHTTPResponse {
        switch (request.method, request.path) {
        case (.GET, "/v1/models"):
            let data = JSONValue.array(members.map { ["id": .string($0.model), "object": "model"] })
            return Self.json(200, ["object": "list", "data": data])
        case (.GET, "/health"):
            return Self.json(200, ["status": "ok"])
        case (.POST, "/v1/chat/completions"):
            return await chat(request)
        default:
            return Self.json(404, ["detail": "Not Found"])
        }
    }

    func header(_ request: LoopbackHTTPRequest, _ name: String) -> String? {
        request.header(name)
    }

    func chat(_ request: LoopbackHTTPRequest) async -> LoopbackHTTPResponse {
        guard let body = try? JSONValue(parsing: request.body) else {
            return Self.json(400, ["error": ["message": "body is not JSON", "type": "invalid_request_error"]])
        }
        var headers: [String: String] = [:]
        for (name, value) in request.head.headers { headers[name.lowercased()] = value }
        let requestNumber = seen.write { seen in
            seen.append(Seen(headers: headers, body: body))
            return seen.count
        }
        let behavior = self.behavior.read { $0 }
        let mode = (header(request, "X-Execution-Mode") ?? request.query["mode"] ?? "").lowercased()
        if case .replay(let answers) = behavior { return Self.replay(answers, mode: mode, body: body) }
        guard behavior != .ignoreMode, ["race", "all", "sequence", "consensus"].contains(mode) else {
            let single = await client.send(ChatRequest(baseURL: members[0].baseURL, body: body, retry: .none))
            return Self.json(single.httpStatus ?? 502, single.body ?? ["error": ["message": "upstream failed"]])
        }
        if behavior == .noEligibleBackends { return Self.json(404, ["detail": "No eligible backends for multi-exec"]) }

        var chosen = members
        if mode == "all", let targets = header(request, "X-Target-Backends") {
            let wanted = targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            chosen = wanted.compactMap { name in members.first { $0.alias == name || $0.address == name } }
        }
        chosen = Array(chosen.prefix(Int(header(request, "X-Max-Backends") ?? "") ?? 3))
        guard !chosen.isEmpty else { return Self.json(404, ["detail": "No eligible backends for multi-exec"]) }
        let timeout = Double(header(request, "X-Execution-Timeout") ?? "") ?? 60
        var responseHeaders: [String: String] = [
            "x-execution-mode": mode, "x-backends-attempted": chosen.map(\.address).joined(separator: ","),
            "x-backends-count": String(chosen.count), "x-selected-model": body["model"]?.stringValue ?? "",
            "x-request-id": UUID().uuidString,
        ]
        func send(_ member: Member) async -> BackendResponse {
            var forwarded = body.objectValue ?? [:]
            forwarded["model"] = .string(member.model)
            return await client.send(
                ChatRequest(
                    baseURL: member.baseURL, body: .object(forwarded), timeout: timeout, retry: .none, expectsCompletion: false))
        }
        if mode == "race" {
            // ai-lb's race: the first success's own body, no x-fastest-backend; 502 when every member failed.
            let winner = await withTaskGroup(of: BackendResponse.self) { group -> BackendResponse? in
                for member in chosen { group.addTask { await send(member) } }
                for await answer in group where answer.errorClass == nil {
                    group.cancelAll()
                    return answer
                }
                return nil
            }
            guard let winner, let completion = try? JSONValue(parsing: winner.rawBody) else {
                return Self.json(502, ["detail": "All backends failed"], headers: responseHeaders)
            }
            return Self.json(200, completion, headers: responseHeaders)
        }
        if mode == "sequence" {
            // ai-lb's sequence: one member after another, in its order, every answer returned.
            var items: [JSONValue] = []
            for member in chosen { items.append(Self.item(member, await send(member))) }
            let successful = items.filter { $0["success"]?.boolValue == true }
            if let fastest = Self.fastest(successful) { responseHeaders["x-fastest-backend"] = fastest }
            return Self.json(
                200,
                [
                    "mode": "sequence", "backends_attempted": .int(items.count), "backends_succeeded": .int(successful.count),
                    "responses": .array(items),
                ], headers: responseHeaders)
        }

        var items = await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, member) in chosen.enumerated() {
                group.addTask {
                    var forwarded = body.objectValue ?? [:]
                    forwarded["model"] = .string(member.model)
                    let answer = await self.client.send(
                        ChatRequest(
                            baseURL: member.baseURL, body: .object(forwarded), timeout: timeout, retry: .none,
                            expectsCompletion: false))
                    return (index, Self.item(member, answer))
                }
            }
            var result: [(Int, JSONValue)] = []
            for await item in group { result.append(item) }
            return result.sorted { $0.0 < $1.0 }.map(\.1)
        }
        items = Self.apply(behavior, to: items, request: requestNumber)

        let successful = items.filter { $0["success"]?.boolValue == true }
        if let fastest = Self.fastest(successful) { responseHeaders["x-fastest-backend"] = fastest }
        guard mode == "consensus" else {
            return Self.json(
                200,
                [
                    "mode": "all", "backends_attempted": .int(items.count), "backends_succeeded": .int(successful.count),
                    "responses": .array(items),
                ], headers: responseHeaders)
        }
        let candidates = items.enumerated().map { index, item in
            CandidateResponse(
                backend: String(index), success: item["success"]?.boolValue == true,
                latencyMs: item["latency_ms"]?.numberValue ?? 0, json: item["response"].flatMap { $0 == .null ? nil : $0 })
        }
        let verdict = ConsensusJudge(profile: .ailb, threshold: 0.9).verdict(candidates)
        var winnerIndex = Int(verdict.winner) ?? 0
        var agreement = verdict.agreementCount
        var disagreement = verdict.disagreement
        if behavior == .lie {
            winnerIndex = (winnerIndex + 1) % items.count
            agreement += 1
            disagreement = false
        }
        let winner = items[winnerIndex]
        if disagreement { responseHeaders["x-disagreement"] = "true" }
        return Self.json(
            200,
            [
                "mode": "consensus",
                "winner": [
                    "backend": winner["backend"] ?? .null, "alias": winner["alias"] ?? .null,
                    "response": winner["response"] ?? .null, "latency_ms": winner["latency_ms"] ?? .null,
                ],
                "agreement_count": .int(agreement), "disagreement": .bool(disagreement),
                "comparison_type": .string(verdict.comparisonType.rawValue),
                "oracle_backend": behavior == .oracleDisagrees ? winner["backend"] ?? .null : .null,
                "oracle_present": .bool(behavior == .oracleDisagrees),
                "oracle_agreed": behavior == .oracleDisagrees ? false : .null, "local_cloud_agreement": .null,
                "local_cloud_similarity": .null, "all_responses": .array(items),
            ], headers: responseHeaders)
    }

    /// ai-lb's `x-fastest-backend`: the lowest latency among successes, the first of equals, alias or address.
    static func fastest(_ successful: [JSONValue]) -> String? {
        let fastest = successful.min { ($0["latency_ms"]?.numberValue ?? 0) < ($1["latency_ms"]?.numberValue ?? 0) }
        return fastest.flatMap { $0["alias"]?.stringValue ?? $0["backend"]?.stringValue }
    }

    /// The recorded answer for the case the request's messages name as `[case:ID]`.
    static func replay(_ answers: [String: RecordedAnswer], mode: String, body: JSONValue) -> LoopbackHTTPResponse {
        let prompt = (body["messages"]?.arrayValue ?? []).compactMap { $0["content"]?.stringValue }.joined(separator: " ")
        guard let match = prompt.firstMatch(of: /\[case:([^\]]+)\]/), let answer = answers["\(mode)/\(match.1)"] else {
            return json(404, ["detail": .string("no recording for this prompt in mode '\(mode)'")])
        }
        var headers: HTTPHeaders = [:]
        let transport: Set<String> = ["content-length", "date", "server", "connection", "transfer-encoding"]
        for (name, value) in answer.headers where !transport.contains(name) { headers.replaceOrAdd(name: name, value: value) }
        return LoopbackHTTPResponse(
            status: HTTPResponseStatus(statusCode: answer.status), headers: headers, bytes: Array(answer.body.utf8))
    }

    /// ai-lb's item for one member's answer: a 2xx or 400 is a success carrying the body.
    static func item(_ member: Member, _ answer: BackendResponse) -> JSONValue {
        let status = answer.httpStatus ?? 0
        let success = answer.errorClass == nil || status == 400
        var error: JSONValue = .null
        if !success {
            switch answer.errorClass {
            case .timeout: error = "Timeout"
            case .http429: error = "HTTP 429 Rate Limited"
            case .http4xx, .http5xx: error = .string("HTTP \(status)")
            default: error = .string("ClientConnectorError: \(answer.errorMessage ?? "")")
            }
        }
        let body: JSONValue = success ? ((try? JSONValue(parsing: answer.rawBody)) ?? .null) : .null
        return [
            "backend": .string(member.address), "alias": member.alias.map { .string($0) } ?? .null,
            "success": .bool(success), "latency_ms": .double(success ? answer.latencyMs : 0), "error": error,
            "response": body,
        ]
    }

    /// The items as the behaviour wants them.
    static func apply(_ behavior: Behavior, to items: [JSONValue], request: Int) -> [JSONValue] {
        let errors = ["Timeout", "HTTP 500", "HTTP 429 Rate Limited", "Backend at capacity", "Model at capacity"]
        func failed(_ item: JSONValue, _ index: Int) -> JSONValue {
            var object = item.objectValue ?? [:]
            object["success"] = false
            object["response"] = .null
            object["latency_ms"] = 0.0
            object["error"] = .string(errors[index % errors.count])
            return .object(object)
        }
        switch behavior {
        case .allFailed:
            return items.enumerated().map { failed($1, $0) }
        case .singleSuccess:
            return items.enumerated().map { $0 == 0 ? $1 : failed($1, $0) }
        case .errorBodyAsSuccess:
            return items.enumerated().map { index, item in
                guard index == 0 else { return item }
                var object = item.objectValue ?? [:]
                object["response"] = ["error": ["message": "bad tool schema", "type": "invalid_request_error"]]
                return .object(object)
            }
        case .memberTimesOut(let member, let fromRequest):
            guard request >= fromRequest else { return items }
            return items.enumerated().map { index, item in
                guard index == member else { return item }
                return [
                    "backend": item["backend"] ?? .null, "alias": .null, "success": false, "latency_ms": 0.0,
                    "error": "Timeout", "response": .null,
                ]
            }
        case .memberEmptyError(let member, let latencyMs):
            return items.enumerated().map { index, item in
                guard index == member else { return item }
                var object = failed(item, index).objectValue ?? [:]
                object["error"] = ""
                object["latency_ms"] = .double(latencyMs)
                return .object(object)
            }
        default:
            return items
        }
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> LoopbackHTTPResponse {
        var httpHeaders: HTTPHeaders = ["Content-Type": "application/json"]
        for (name, value) in headers { httpHeaders.replaceOrAdd(name: name, value: value) }
        return LoopbackHTTPResponse(
            status: HTTPResponseStatus(statusCode: status), headers: httpHeaders, bytes: Array(value.compactText.utf8))
    }
}
