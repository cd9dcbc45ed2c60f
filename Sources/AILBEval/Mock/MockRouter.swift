import Foundation
import NIOHTTP1

/// Routes a mock server's request to its backend and route, checks the API key, picks the fault, and has
/// `MockResponder` and `MockFaultScript` make the answer. Kept apart from the server's lifecycle so the
/// request handler captures only immutable data.
struct MockRouter: Sendable {
    let backends: [String: BackendConfig]
    let responder: MockResponder
    let faults: [String: MockFault]
    let apiKeys: [String: String]
    let soleBackend: String?
    let control: MockControl

    init(
        backends: [BackendConfig], responder: MockResponder, faults: [String: MockFault], apiKeys: [String: String] = [:],
        control: MockControl = MockControl(recordsRequests: false)
    ) {
        self.apiKeys = apiKeys
        self.control = control
        var byName: [String: BackendConfig] = [:]
        for backend in backends where byName[backend.name] == nil { byName[backend.name] = backend }
        self.backends = byName
        self.responder = responder
        self.faults = faults
        soleBackend = byName.count == 1 ? byName.keys.first : nil
    }

    func handle(_ request: LoopbackHTTPRequest) async -> LoopbackHTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map { String($0) }
        let name: String
        let rest: ArraySlice<String>
        if parts.count >= 2, parts[0] == "mock" {
            name = parts[1].removingPercentEncoding ?? parts[1]
            rest = parts[2...]
        } else if let sole = soleBackend, parts.first == "v1" {
            name = sole
            rest = parts[...]
        } else {
            return Self.error(404, "no such route: \(request.path)")
        }
        guard let backend = backends[name] else { return Self.error(404, "unknown mock backend '\(name)'") }
        switch (request.method, Array(rest)) {
        case (.GET, ["v1", "models"]):
            return Self.json(200, Self.models(backend))
        case (.POST, ["v1", "chat", "completions"]):
            return await chat(request, backend: backend)
        case (_, ["v1", "models"]), (_, ["v1", "chat", "completions"]):
            return Self.error(405, "method \(request.method.rawValue) not allowed")
        default:
            return Self.error(404, "no such route: \(request.path)")
        }
    }

    private func chat(_ request: LoopbackHTTPRequest, backend: BackendConfig) async -> LoopbackHTTPResponse {
        if let key = apiKeys[backend.name], request.header("Authorization") != "Bearer \(key)" {
            // Like a real server, never echo the credential that was sent.
            return Self.error(401, "invalid or missing API key")
        }
        let fault: MockFault
        if let header = request.header("X-Mock-Fault") {
            guard let parsed = MockFault(rawValue: header) else {
                return Self.error(400, "unknown X-Mock-Fault '\(header)'; known: \(MockFault.allCases.map(\.rawValue))")
            }
            fault = parsed
        } else {
            fault = control.faults.read { $0[backend.name] } ?? faults[backend.name] ?? backend.mock?.fault ?? .none
        }
        guard let body = try? JSONValue(parsing: request.body) else { return Self.error(400, "request body is not JSON") }
        guard body.objectValue != nil else { return Self.error(400, "request body is not a JSON object") }
        if control.recordsRequests {
            control.received.write { $0.append(MockServer.ReceivedRequest(backend: backend.name, body: body)) }
        }
        let reply = responder.reply(to: body, backend: backend.name, behavior: backend.mock ?? MockBehavior())
        if reply.delayMs > 0 { try? await Task.sleep(for: .milliseconds(reply.delayMs)) }
        return await MockFaultScript.response(to: reply, with: fault, stream: body["stream"]?.boolValue == true)
    }

    /// The model list: the configured id; for `model: auto`, a made-up id after the preferred models, so
    /// that resolution has something to choose either way.
    static func models(_ backend: BackendConfig) -> JSONValue {
        let ids = backend.modelIsAuto ? backend.preferredModels + ["mock-\(backend.name)"] : [backend.model]
        return [
            "object": "list",
            "data": .array(
                ids.map { ["id": .string($0), "object": "model", "created": 1_735_689_600, "owned_by": "ailb-eval-mock"] }),
        ]
    }

    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]
    static let sseHeaders: HTTPHeaders = ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"]

    static func encode(_ value: JSONValue) -> [UInt8] {
        JSONWriter(sortKeys: false, asciiOnly: false, spaced: false).bytes(value)
    }

    static func json(_ status: Int, _ value: JSONValue) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: HTTPResponseStatus(statusCode: status), headers: jsonHeaders, bytes: encode(value))
    }

    static func error(_ status: Int, _ message: String) -> LoopbackHTTPResponse {
        json(status, MockResponder.errorBody(message: message, status: status))
    }
}
