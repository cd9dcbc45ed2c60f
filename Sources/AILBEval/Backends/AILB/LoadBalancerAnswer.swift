import Foundation

/// How the backends behind an ai-lb load balancer are named in a run: by alias, else host:port. The load
/// balancer's name is put in front (`lb/m2`) when the bare name is taken by a configured backend, or when
/// the run has several load balancers (which may share members), so every name stays unique.
///
/// ai-lb drops a member's alias when it reports that member's timeout (`{"backend": "host:port", "alias":
/// null, "error": "Timeout"}`). Such an answer is still the aliased member's: an address is mapped back to
/// the alias the run has already seen at it, or to the member `members:` gives that `address`.
package struct MemberNaming: Sendable, Hashable {
    /// The `kind: ailb` backend's name.
    package var loadBalancer: String
    /// Whether every member name carries the load balancer's name.
    package var prefixed: Bool
    /// The names of the run's configured backends.
    package var taken: Set<String>
    /// host:port → the alias of the member there: from `members:` (`address:`) and from answers seen.
    package private(set) var aliasAtAddress: [String: String] = [:]

    /// The naming of `loadBalancer`'s members among `backends` (the run's configured backends); the
    /// addresses its `members:` entries give are known from the start.
    package init(loadBalancer: String, backends: [BackendConfig]) {
        self.loadBalancer = loadBalancer
        prefixed = backends.count(where: { $0.kind == .ailb }) > 1
        taken = Set(backends.map(\.name))
        let members = backends.first { $0.name == loadBalancer && $0.kind == .ailb }?.ailbOptions?.members ?? [:]
        for (alias, member) in members.sorted(by: { $0.key < $1.key }) {
            if let address = member.address { learn(alias: alias, address: address) }
        }
    }

    /// The alias of the member at `address`, as ai-lb reported it or else as known from earlier answers
    /// and `members:`; nil when the address is all there is.
    package func alias(reported: String?, address: String) -> String? {
        if let reported, !reported.isEmpty { return reported }
        return aliasAtAddress[address]
    }

    /// The name of the member ai-lb reports as `address` (host:port) with `alias` (nil or empty when it
    /// sent none).
    package func name(alias: String?, address: String) -> String {
        let base = self.alias(reported: alias, address: address) ?? address
        return prefixed || taken.contains(base) ? "\(loadBalancer)/\(base)" : base
    }

    /// Remembers that `alias` answers at `address` (the first alias seen at an address stays).
    package mutating func learn(alias: String?, address: String) {
        guard let alias, !alias.isEmpty, aliasAtAddress[address] == nil else { return }
        aliasAtAddress[address] = alias
    }

    /// Remembers the aliases of members a run already stored (a resumed run's): a member named by its alias
    /// at the single address it was seen at.
    package mutating func learn(stored records: [BackendRecord]) {
        for record in records where record.via == loadBalancer && record.kind == .ailbMember {
            guard let address = record.urls.first, record.urls.count == 1, !record.name.contains("#") else { continue }
            let prefix = "\(loadBalancer)/"
            let base = record.name.hasPrefix(prefix) ? String(record.name.dropFirst(prefix.count)) : record.name
            guard base != address, name(alias: base, address: address) == record.name else { continue }
            learn(alias: base, address: address)
        }
    }
}

/// One inner backend's result as ai-lb reported it in an `all` or `consensus` body.
package struct MemberAnswer: Sendable {
    /// The member's name in this run (see `MemberNaming`).
    package var name: String
    /// host:port, as ai-lb reported it.
    package var address: String
    /// The alias ai-lb knows it by, if any: as reported, else the one its address is known by (ai-lb sends
    /// none with a timeout).
    package var alias: String?
    /// The answer as ailb-eval records it: a success only with a chat completion, like a direct backend.
    package var response: BackendResponse
    /// ai-lb's own `success` flag (it counts an HTTP 400 error body as a success).
    package var loadBalancerSuccess: Bool
    /// The `response` object ai-lb reported, whatever it holds, exactly as sent.
    package var loadBalancerBody: ExactJSON?
    /// The model the member answered with (`response.model`), if reported.
    package var model: String?

    /// The member as ai-lb's consensus saw it: its own success flag and body, in its order.
    package var asLoadBalancerCandidate: CandidateResponse {
        CandidateResponse(
            backend: name, success: loadBalancerSuccess, latencyMs: response.latencyMs, body: loadBalancerBody)
    }
}

/// ai-lb's consensus verdict, as sent in the body and the `x-disagreement` header.
package struct ReportedVerdict: Sendable, Hashable {
    /// The winner, named as the run names members.
    package var winner: String
    /// `agreement_count`.
    package var agreementCount: Int
    /// `disagreement`.
    package var disagreement: Bool
    /// `comparison_type`, as sent.
    package var comparisonType: String
    /// `x-disagreement: true` was present.
    package var xDisagreement: Bool
    /// `oracle_backend`, named as the run names members, when it was present (`oracle_present`) and ai-lb
    /// said whether it agreed with the winner (`oracle_agreed` not null); else nil.
    package var oracle: String? = nil
    /// `oracle_agreed`, under the same condition.
    package var oracleAgreed: Bool? = nil
}

/// The two clocks inside ai-lb that end a member's request: the execution timeout of the multi-backend
/// request (`X-Execution-Timeout`) and its HTTP client's timeout towards backends (`REQUEST_TIMEOUT_SECS`).
package struct LoadBalancerTimeouts: Sendable, Hashable {
    /// `X-Execution-Timeout`, in seconds.
    package var execution: Double
    /// `REQUEST_TIMEOUT_SECS`, in seconds.
    package var request: Double

    /// The timeouts; ai-lb's defaults (60 s each) unless given.
    package init(execution: Double? = nil, request: Double? = nil) {
        self.execution = execution ?? AILBOptions.defaultTimeout
        self.request = request ?? AILBOptions.defaultTimeout
    }

    /// The timeouts a `kind: ailb` backend's options set.
    package init(_ options: AILBOptions?) {
        self.init(execution: options?.executionTimeout, request: options?.requestTimeout)
    }
}

/// ai-lb's answer to one multi-backend request, taken apart: the members' answers, or the failure of the
/// whole request, and in consensus mode ai-lb's verdict. Pure: no I/O.
package struct LoadBalancerAnswer: Sendable {
    /// The members' answers in ai-lb's order; empty when the request failed as a whole.
    package var members: [MemberAnswer]
    /// The whole request's failure (load balancer unreachable, 404 no eligible backends, 5xx, a body that is
    /// not a multi-backend answer), to be recorded under the load balancer's own name.
    package var failure: BackendResponse?
    /// ai-lb's verdict (consensus mode only).
    package var verdict: ReportedVerdict?

    /// Interprets the load balancer's `response` to a request made in `mode`; `timeouts` are the load
    /// balancer's, to read a member's failure that ai-lb gave no text for.
    package static func interpret(
        _ response: BackendResponse, mode: RunMode, naming: MemberNaming, timeouts: LoadBalancerTimeouts = .init()
    ) -> LoadBalancerAnswer {
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
        // A member that timed out comes without its alias; another item of the same answer may carry it.
        var naming = naming
        for item in items {
            if let address = item["backend"]?.stringValue { naming.learn(alias: item["alias"]?.stringValue, address: address) }
        }
        for (index, item) in items.enumerated() {
            guard item.objectValue != nil, let address = item["backend"]?.stringValue else {
                return failed("ai-lb's \(listKey)[\(index)] has no 'backend'")
            }
            let exactBody = exactItems?[index]?["response"] ?? item["response"].map(ExactJSON.init)
            var member = Self.member(item, exactBody: exactBody, address: address, naming: naming, timeouts: timeouts)
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
        _ item: JSONValue, exactBody: ExactJSON?, address: String, naming: MemberNaming, timeouts: LoadBalancerTimeouts
    ) -> MemberAnswer {
        let alias = naming.alias(reported: item["alias"]?.stringValue, address: address)
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
        } else if lbSuccess {
            response.errorClass = .badJSON
            response.errorMessage = "ai-lb reported a success without a response"
            response.rawBody = item.compactText
        } else {
            let error = item["error"]?.stringValue ?? ""
            if error.trimmingCharacters(in: .whitespaces).isEmpty {
                (response.errorClass, response.errorMessage) = textless(latencyMs: latency, timeouts: timeouts)
            } else {
                response.errorClass = errorClass(forLoadBalancerError: error)
                response.errorMessage = error
                response.httpStatus = httpStatus(in: error)
            }
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
        var verdict = ReportedVerdict(
            winner: naming.name(alias: winner["alias"]?.stringValue, address: address), agreementCount: agreement,
            disagreement: disagreement, comparisonType: type,
            xDisagreement: headers["x-disagreement"]?.lowercased() == "true")
        if body["oracle_present"]?.boolValue == true, let oracle = body["oracle_backend"]?.stringValue,
            let agreed = body["oracle_agreed"]?.boolValue
        {
            verdict.oracle = naming.name(alias: nil, address: oracle)
            verdict.oracleAgreed = agreed
        }
        return verdict
    }

    /// Why a body is not a usable chat completion, or nil when it is one (the rule direct backends follow).
    static func completionProblem(_ body: JSONValue) -> String? {
        guard let choices = body["choices"]?.arrayValue else { return "no 'choices' list" }
        guard let first = choices.first, first.objectValue != nil else { return "an empty 'choices' list" }
        return nil
    }

    /// The key under which the stored response headers keep the member ai-lb's own latencies name fastest,
    /// beside the `x-fastest-backend` it sent.
    package static let expectedFastestKey = "ailb-eval-expected-fastest"

    /// The member ai-lb's `x-fastest-backend` should name for `body`, its answer in `mode` (all, sequence or
    /// consensus): among the members it counted as successes, the one with the lowest `latency_ms` (the
    /// first of equals), by alias, else host:port — what ai-lb computes. nil when none succeeded.
    package static func fastestMember(in body: JSONValue, mode: RunMode) -> String? {
        guard mode != .race, let items = body[mode == .consensus ? "all_responses" : "responses"]?.arrayValue else { return nil }
        var fastest: (name: String, latency: Double)?
        for item in items where item["success"]?.boolValue == true {
            guard let latency = item["latency_ms"]?.numberValue, let address = item["backend"]?.stringValue else { continue }
            let alias = item["alias"]?.stringValue
            let name = alias.flatMap { $0.isEmpty ? nil : $0 } ?? address
            if fastest == nil || latency < fastest!.latency { fastest = (name, latency) }
        }
        return fastest?.name
    }

    /// The message ai-lb's empty (or missing) error string is recorded with.
    package static let noErrorText = "ai-lb gave no error text"

    /// A member failure ai-lb gave no text for. ai-lb's HTTP client raises a timeout whose text is empty
    /// when `REQUEST_TIMEOUT_SECS` runs out before `X-Execution-Timeout`: a member whose latency reached
    /// either timeout timed out; any other is an `upstream` failure without a reason (never `connect`:
    /// nothing says the connection failed).
    static func textless(latencyMs: Double, timeouts: LoadBalancerTimeouts) -> (ErrorClass, String) {
        // Timers fire a little late, never early; a margin of 1% absorbs rounding in what ai-lb reports.
        func reached(_ seconds: Double) -> Bool { latencyMs >= seconds * 1000 * 0.99 }
        func seconds(_ value: Double) -> String {
            value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
        }
        let took = String(format: "%.1f s", latencyMs / 1000)
        if reached(timeouts.request) {
            return (.timeout, "\(noErrorText) after \(took): ai-lb's request timeout (request_timeout \(seconds(timeouts.request)) s)")
        }
        if reached(timeouts.execution) {
            return (.timeout, "\(noErrorText) after \(took): the execution timeout (execution_timeout \(seconds(timeouts.execution)) s)")
        }
        return (.upstream, noErrorText)
    }

    /// The error class of an ai-lb member error string: `Timeout`, `HTTP 429 …`, `HTTP 5xx`, `Backend at
    /// capacity` and `Model at capacity` (the member is overloaded, as a 503 says), `HTTP 4xx`; an empty
    /// string is `upstream` (a failure without a reason; see `textless` for when it is a timeout); anything
    /// else (an exception text) is a connection problem.
    package static func errorClass(forLoadBalancerError error: String) -> ErrorClass {
        let text = error.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .upstream }
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
