import Foundation
import NIOHTTP1
import Testing

@testable import AILBEval

/// The one transport against real peers: redirects, answers that drip, TLS with a certificate made in the
/// test, and a real proxy.
@Suite(.serialized) struct HTTPTransportTests {
    typealias Harness = Backends.ChatClientTests

    static func chat(
        _ client: ChatClient, _ url: URL, timeout: Double = 5, tls: TLSOptions = TLSOptions()
    ) async -> BackendResponse {
        await client.send(
            ChatRequest(
                baseURL: url, body: Harness.request("Weather in Paris for 3 days?", tools: true), timeout: timeout,
                retry: .none, tls: tls))
    }

    // MARK: Scripted answers

    /// Runs `body` with a loopback server that answers every request with `answer`: its base URL (`…/v1`)
    /// and the requests it received so far, as "METHOD /target".
    static func withScriptedServer(
        _ answer: @escaping @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPResponse,
        _ body: (URL, () -> [String]) async throws -> Void
    ) async throws {
        let received = BackendLockedState<[String]>([])
        let server = LoopbackHTTPServer { request in
            received.write { $0.append("\(request.method.rawValue) \(request.head.uri)") }
            return answer(request)
        }
        let port = try await server.start()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/v1"))
        do {
            try await body(url) { received.read { $0 } }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A redirect with an empty body, to `location` when given.
    static func redirect(_ status: Int, to location: String?) -> LoopbackHTTPResponse {
        var headers = HTTPHeaders()
        if let location { headers.add(name: "Location", value: location) }
        return LoopbackHTTPResponse(status: HTTPResponseStatus(statusCode: status), headers: headers, bytes: [])
    }

    /// A 200 that announces all of `text` and then sends it one byte a second.
    static func dripped(_ text: String) -> LoopbackHTTPResponse {
        let bytes = Array(text.utf8)
        return LoopbackHTTPResponse(
            status: .ok, headers: ["Content-Type": "application/json"],
            body: .script(MockFaultScript.drip(bytes, pieceSize: 1, pause: 1), declaredLength: bytes.count))
    }

    // MARK: Redirects

    @Test(arguments: [301, 302, 307, 308])
    func aRedirectIsFollowedAndTheChatRequestStaysAPost(_ status: Int) async throws {
        try await Harness.withServer { server, client, url in
            let target = url.appendingPathComponent("chat").appendingPathComponent("completions").absoluteString
            try await Self.withScriptedServer({ _ in Self.redirect(status, to: target) }) { redirector, received in
                let response = await Self.chat(client, redirector)
                #expect(response.isSuccess, "\(response.errorMessage ?? "")")
                #expect(response.body?["choices"]?[0]?["message"]?["tool_calls"] != nil)
                #expect(received() == ["POST /v1/chat/completions"])
            }
        }
    }

    @Test func aRedirectLoopIsARedirectFailure() async throws {
        let client = ChatClient(maxConnectionsPerHost: 4)
        defer { client.invalidate() }
        try await Self.withScriptedServer({ Self.redirect(302, to: $0.head.uri) }) { url, received in
            let response = await Self.chat(client, url)
            #expect(response.errorClass == .redirect)
            #expect(response.httpStatus == 302)
            #expect(response.errorMessage?.contains("more than 5 redirects") == true, "\(response.errorMessage ?? "")")
            #expect(received().count == 6)
            #expect(Set(received()) == ["POST /v1/chat/completions"])
        }
    }

    @Test func aRedirectWithoutLocationIsARedirectFailure() async throws {
        let client = ChatClient(maxConnectionsPerHost: 4)
        defer { client.invalidate() }
        try await Self.withScriptedServer({ _ in Self.redirect(301, to: nil) }) { url, _ in
            let response = await Self.chat(client, url)
            #expect(response.errorClass == .redirect)
            #expect(response.errorMessage == "HTTP 301 redirect without a Location not followed")
        }
    }

    // MARK: Deadlines on every route

    /// A server whose model list and chat answers arrive one byte a second.
    static func withDrippingServer(_ body: (URL) async throws -> Void) async throws {
        try await withScriptedServer({ request in
            request.path.hasSuffix("/models")
                ? Self.dripped(#"{"object":"list","data":[{"id":"m"}]}"#)
                : Self.dripped(#"{"choices":[{"message":{"role":"assistant","content":"ok"}}]}"#)
        }) { url, _ in try await body(url) }
    }

    @Test func aDrippingModelListCannotHangModelAuto() async throws {
        try await Self.withDrippingServer { url in
            var backends = [BackendConfig(name: "drip", kind: .openai, urls: [url], model: "auto")]
            backends[0].timeout = 1
            let started = ContinuousClock.now
            await #expect(throws: RunFailure.self) {
                try await ModelResolver.resolve(&backends, equivalents: [:], environment: [:], timeout: 1)
            }
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func aDrippingServerCannotHangTheProbe() async throws {
        try await Self.withDrippingServer { url in
            let client = ChatClient(maxConnectionsPerHost: 4)
            defer { client.invalidate() }
            let probe = BackendProbe(client: client, timeout: 1, environment: [:])
            let started = ContinuousClock.now
            let result = await probe.probe(BackendConfig(name: "drip", kind: .openai, urls: [url], model: "m"))
            #expect(ContinuousClock.now - started < .seconds(6))
            #expect(!result.isUsable)
            #expect(
                result.problems.contains { $0.hasPrefix("GET /models: timed out after 1.0 s (the body was incomplete)") },
                "\(result.problems)")
            #expect(result.problems.contains { $0.contains("chat: timeout") }, "\(result.problems)")
        }
    }

    // MARK: TLS

    /// The mock behind socat terminating TLS with a certificate made now; runs `body` with the https URL
    /// of backend `a` and the certificate's path.
    static func withTLSServer(_ body: (ChatClient, URL, String) async throws -> Void) async throws {
        guard ExternalTools.available("openssl", "socat") else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ailb-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = try ExternalTools.makeCertificate(in: folder)
        try await Harness.withServer { server, client, url in
            let port = try await ExternalTools.freePort()
            let socat = try ExternalTools.start(
                "socat",
                [
                    "OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork,cert=\(certificate),key=\(key),verify=0",
                    "TCP:127.0.0.1:\(url.port!)",
                ])
            defer { ExternalTools.stop(socat) }
            try await ExternalTools.waitForListener(on: port)
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
            components.scheme = "https"
            components.port = Int(port)
            try await body(client, components.url!, certificate)
        }
    }

    @Test func aCertificateTrustedThroughCAFileIsAccepted() async throws {
        try await Self.withTLSServer { client, url, certificate in
            let response = await Self.chat(client, url, tls: TLSOptions(caFile: certificate))
            #expect(response.isSuccess, "\(response.errorMessage ?? "")")
            #expect(response.body?["choices"]?[0]?["message"]?["tool_calls"] != nil)
        }
    }

    @Test func anUntrustedCertificateIsAConnectFailureThatSaysWhy() async throws {
        try await Self.withTLSServer { client, url, _ in
            let response = await Self.chat(client, url)
            #expect(response.errorClass == .connect)
            #expect(response.errorMessage?.hasPrefix("could not connect: TLS: ") == true, "\(response.errorMessage ?? "")")
            #expect(response.errorMessage?.contains("certificate") == true)
        }
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        try await Self.withTLSServer { client, url, _ in
            let response = await Self.chat(client, url, tls: TLSOptions(insecureSkipVerify: true))
            #expect(response.isSuccess, "\(response.errorMessage ?? "")")
        }
    }

    // MARK: Proxies

    @Test func proxySettingsComeFromTheVariablesCurlUsersKnow() {
        let lower = ProxySettings(environment: ["http_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2", "NO_PROXY": "x.test"])
        #expect(lower == ProxySettings(http: "http://a:1", https: "http://b:2", noProxy: "x.test"))
        let both = ProxySettings(environment: ["http_proxy": "http://lower:1", "HTTP_PROXY": "http://upper:1"])
        #expect(both.http == "http://lower:1")
        let all = ProxySettings(environment: ["ALL_PROXY": "socks5://c:3", "https_proxy": " "])
        #expect(all == ProxySettings(http: "socks5://c:3", https: "socks5://c:3"))
        #expect(ProxySettings(environment: [:]) == .direct)
        #expect(all.proxy(for: URL(string: "https://h/v1")!) == "socks5://c:3")
    }

    @Test func aProxyThatIsDownFailsTheRequestUnlessNoProxyExemptsTheHost() async throws {
        try await Harness.withServer { _, _, url in
            let deadPort = try await ExternalTools.freePort()
            let proxied = ChatClient(
                transport: HTTPTransport(proxies: ProxySettings(http: "http://127.0.0.1:\(deadPort)")))
            defer { proxied.invalidate() }
            let refused = await Self.chat(proxied, url)
            #expect(refused.errorClass == .connect, "\(refused.errorMessage ?? "ok")")
            let exempt = ChatClient(
                transport: HTTPTransport(proxies: ProxySettings(http: "http://127.0.0.1:\(deadPort)", noProxy: "127.0.0.1")))
            defer { exempt.invalidate() }
            let direct = await Self.chat(exempt, url)
            #expect(direct.isSuccess, "\(direct.errorMessage ?? "")")
        }
    }

    /// tinyproxy on a free port, allowed to CONNECT to `connectPort`; its log lists each request.
    static func withProxy(connectPort: UInt16?, _ body: (String, () -> String) async throws -> Void) async throws {
        guard ExternalTools.available("tinyproxy") else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ailb-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try await ExternalTools.freePort()
        let log = folder.appendingPathComponent("proxy.log")
        var config = "Port \(port)\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nMaxClients 64\nLogLevel Connect\n"
        config += "LogFile \"\(log.path)\"\n"
        if let connectPort { config += "ConnectPort \(connectPort)\n" }
        let configFile = folder.appendingPathComponent("tinyproxy.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let proxy = try ExternalTools.start("tinyproxy", ["-d", "-c", configFile.path])
        defer { ExternalTools.stop(proxy) }
        try await ExternalTools.waitForListener(on: port)
        try await body("http://127.0.0.1:\(port)") { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    @Test func plainHTTPGoesThroughTheHTTPProxy() async throws {
        try await Harness.withServer { _, _, url in
            try await Self.withProxy(connectPort: nil) { proxy, log in
                let client = ChatClient(transport: HTTPTransport(proxies: ProxySettings(http: proxy)))
                defer { client.invalidate() }
                let response = await Self.chat(client, url)
                #expect(response.isSuccess, "\(response.errorMessage ?? "")")
                #expect(log().contains("POST \(url.absoluteString)/chat/completions"), "\(log())")
            }
        }
    }

    @Test func httpsGoesThroughTheProxyWithConnect() async throws {
        try await Self.withTLSServer { _, url, certificate in
            try await Self.withProxy(connectPort: UInt16(url.port!)) { proxy, log in
                let client = ChatClient(transport: HTTPTransport(proxies: ProxySettings(https: proxy)))
                defer { client.invalidate() }
                let response = await Self.chat(client, url, tls: TLSOptions(caFile: certificate))
                #expect(response.isSuccess, "\(response.errorMessage ?? "")")
                #expect(log().contains("CONNECT 127.0.0.1:\(url.port!)"), "\(log())")
            }
        }
    }
}
