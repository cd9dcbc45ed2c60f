import Foundation

/// How the backends behind an ai-lb load balancer are named in a run: by alias, else host:port. The load
/// balancer's name is put in front (`lb/m2`) when the bare name is taken by a configured backend, or when
/// the run has several load balancers (which may share members), so every name stays unique.
public struct MemberNaming: Sendable, Hashable {
    /// The `kind: ailb` backend's name.
    public var loadBalancer: String
    /// Whether every member name carries the load balancer's name.
    public var prefixed: Bool
    /// The names of the run's configured backends.
    public var taken: Set<String>

    /// The naming of `loadBalancer`'s members among `backends` (the run's configured backends).
    public init(loadBalancer: String, backends: [BackendConfig]) {
        self.loadBalancer = loadBalancer
        prefixed = backends.count(where: { $0.kind == .ailb }) > 1
        taken = Set(backends.map(\.name))
    }

    /// The name of the member ai-lb reports as `address` (host:port) with `alias`.
    public func name(alias: String?, address: String) -> String {
        let base = alias.flatMap { $0.isEmpty ? nil : $0 } ?? address
        return prefixed || taken.contains(base) ? "\(loadBalancer)/\(base)" : base
    }
}

/// One inner backend's result as ai-lb reported it in an `all` or `consensus` body.
public struct MemberAnswer: Sendable {
    /// The member's name in this run (see `MemberNaming`).
    public var name: String
    /// host:port, as ai-lb reported it.
    public var address: String
    /// The alias ai-lb knows it by, if any.
    public var alias: String?
    /// The answer as ailb-eval records it: a success only with a chat completion, like a direct backend.
    public var response: BackendResponse
    /// ai-lb's own `success` flag (it counts an HTTP 400 error body as a success).
    public var loadBalancerSuccess: Bool
    /// The `response` object ai-lb reported, whatever it holds, exactly as sent.
    public var loadBalancerBody: ExactJSON?
    /// The model the member answered with (`response.model`), if reported.
    public var model: String?

    /// The member as ai-lb's consensus saw it: its own success flag and body, in its order.
    public var asLoadBalancerCandidate: CandidateResponse {
        CandidateResponse(
            backend: name, success: loadBalancerSuccess, latencyMs: response.latencyMs, body: loadBalancerBody)
    }
}

/// ai-lb's consensus verdict, as sent in the body and the `x-disagreement` header.
public struct ReportedVerdict: Sendable, Hashable {
    /// The winner, named as the run names members.
    public var winner: String
    /// `agreement_count`.
    public var agreementCount: Int
    /// `disagreement`.
    public var disagreement: Bool
    /// `comparison_type`, as sent.
    public var comparisonType: String
    /// `x-disagreement: true` was present.
    public var xDisagreement: Bool
}

/// ai-lb's answer to one multi-backend request, taken apart: the members' answers, or the failure of the
/// whole request, and in consensus mode ai-lb's verdict. Pure: no I/O.
public struct LoadBalancerAnswer: Sendable {
    /// The members' answers in ai-lb's order; empty when the request failed as a whole.
    public var members: [MemberAnswer]
    /// The whole request's failure (load balancer unreachable, 404 no eligible backends, 5xx, a body that is
    /// not a multi-backend answer), to be recorded under the load balancer's own name.
    public var failure: BackendResponse?
    /// ai-lb's verdict (consensus mode only).
    public var verdict: ReportedVerdict?

    /// Interprets the load balancer's `response` to a request made in `mode`.
    public static func interpret(_ response: BackendResponse, mode: RunMode, naming: MemberNaming) -> LoadBalancerAnswer {
        func failed(_ message: String) -> LoadBalancerAnswer {
            var failure = response
            failure.errorClass = .badJSON
            failure.errorMessage = message
            failure.body = nil
            return LoadBalancerAnswer(members: [], failure: failure, verdict: nil)
        }
        guard response.errorClass == nil, let body = response.body, body.objectValue != nil else {
            var failure = response
            if failure.errorClass == nil {
                failure.errorClass = .badJSON
                failure.errorMessage = "ai-lb answered without a JSON object"
            }
            return LoadBalancerAnswer(members: [], failure: failure, verdict: nil)
        }
        let listKey = mode == .consensus ? "all_responses" : "responses"
        guard let items = body[listKey]?.arrayValue else {
            let shape = body["choices"] != nil ? "a single chat completion" : "no '\(listKey)' list"
            return failed(
                "ai-lb answered X-Execution-Mode: \(mode.rawValue) with \(shape); is multi-backend execution supported?")
        }
        guard !items.isEmpty else { return failed("ai-lb reported no backend at all in '\(listKey)'") }
        var members: [MemberAnswer] = []
        var used: [String: Int] = [:]
        // ai-lb judged the members' bodies as Python parsed them: keep what `JSONValue` cannot hold.
        let exactItems = (try? ExactJSON(parsing: response.rawBody))?[listKey]
        for (index, item) in items.enumerated() {
            guard item.objectValue != nil, let address = item["backend"]?.stringValue else {
                return failed("ai-lb's \(listKey)[\(index)] has no 'backend'")
            }
            let exactBody = exactItems?[index]?["response"] ?? item["response"].map(ExactJSON.init)
            var member = Self.member(item, exactBody: exactBody, address: address, naming: naming, url: response.url)
            // The same backend reported twice in one answer still needs a row of its own.
            used[member.name, default: 0] += 1
            if let count = used[member.name], count > 1 { member.name += "#\(count)" }
            members.append(member)
        }
        var verdict: ReportedVerdict?
        if mode == .consensus {
            verdict = Self.verdict(body, headers: response.headers, naming: naming)
        }
        return LoadBalancerAnswer(members: members, failure: nil, verdict: verdict)
    }

    static func member(
        _ item: JSONValue, exactBody: ExactJSON?, address: String, naming: MemberNaming, url: String
    ) -> MemberAnswer {
        let alias = item["alias"]?.stringValue
        let latency = item["latency_ms"]?.numberValue ?? 0
        let lbSuccess = item["success"]?.boolValue == true
        let body = item["response"].flatMap { $0 == .null ? nil : $0 }
        let exactBody = exactBody.flatMap { $0 == .null ? nil : $0 }
        var response = BackendResponse(latencyMs: latency, rawBody: "", url: address)
        if lbSuccess, let body {
            response.rawBody = exactBody?.compactText ?? body.compactText
            if let problem = completionProblem(body) {
                // ai-lb counts a backend's HTTP 400 as a success whose response is the error body.
                let detail = body["error"]?["message"]?.stringValue ?? body["error"]?.stringValue
                response.errorClass = body["error"] != nil ? .http4xx : .badJSON
                response.errorMessage =
                    "ai-lb counted this as a success, but it is not a chat completion: "
                    + (detail.map { String($0.prefix(300)) } ?? problem)
            } else {
                response.body = body
            }
        } else {
            let error = item["error"]?.stringValue ?? (lbSuccess ? "ai-lb reported a success without a response" : "failed")
            response.errorClass = errorClass(forLoadBalancerError: error)
            response.errorMessage = error
            response.httpStatus = httpStatus(in: error)
            response.rawBody = item.compactText
        }
        return MemberAnswer(
            name: naming.name(alias: alias, address: address), address: address, alias: alias, response: response,
            loadBalancerSuccess: lbSuccess, loadBalancerBody: exactBody, model: body?["model"]?.stringValue)
    }

    static func verdict(_ body: JSONValue, headers: [String: String], naming: MemberNaming) -> ReportedVerdict? {
        guard let winner = body["winner"], let address = winner["backend"]?.stringValue,
            let agreement = body["agreement_count"]?.intValue, let disagreement = body["disagreement"]?.boolValue,
            let type = body["comparison_type"]?.stringValue
        else { return nil }
        return ReportedVerdict(
            winner: naming.name(alias: winner["alias"]?.stringValue, address: address), agreementCount: agreement,
            disagreement: disagreement, comparisonType: type,
            xDisagreement: headers["x-disagreement"]?.lowercased() == "true")
    }

    /// Why a body is not a usable chat completion, or nil when it is one (the rule direct backends follow).
    static func completionProblem(_ body: JSONValue) -> String? {
        guard let choices = body["choices"]?.arrayValue else { return "no 'choices' list" }
        guard let first = choices.first, first.objectValue != nil else { return "an empty 'choices' list" }
        return nil
    }

    /// The error class of an ai-lb member error string: `Timeout`, `HTTP 429 …`, `HTTP 5xx`, `Backend at
    /// capacity` and `Model at capacity` (the member is overloaded, as a 503 says), `HTTP 4xx`; anything else
    /// (an exception text) is a connection problem.
    public static func errorClass(forLoadBalancerError error: String) -> ErrorClass {
        let text = error.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("timeout") { return .timeout }
        if text.hasSuffix("at capacity") { return .http5xx }
        if let status = httpStatus(in: text) {
            if status == 429 { return .http429 }
            if status >= 500 { return .http5xx }
            if status >= 400 { return .http4xx }
        }
        return .connect
    }

    /// The status of an `HTTP nnn…` error string.
    static func httpStatus(in error: String) -> Int? {
        guard let match = error.firstMatch(of: /^HTTP (\d{3})\b/) else { return nil }
        return Int(match.1)
    }
}
