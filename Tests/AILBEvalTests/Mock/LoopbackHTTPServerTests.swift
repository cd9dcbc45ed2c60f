import Foundation
import NIOHTTP1
import Testing

@testable import AILBEval

/// The HTTP core of the mock server and the fake load balancer: ordering, connection lifetime, scripts.
extension Mock {
    @Suite struct LoopbackHTTPServerTests {
        static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" }

        @Test func pipelinedRequestsAreAnsweredInTheOrderTheyCame() async throws {
            // The first answer takes longest: a server that handled pipelined requests side by side would
            // send the later answers first.
            let server = LoopbackHTTPServer { request in
                let delay = request.path == "/slow" ? 300 : 0
                try? await Task.sleep(for: .milliseconds(delay))
                return LoopbackHTTPResponse(status: .ok, bytes: Array("answer to \(request.path);".utf8))
            }
            let port = try await server.start()
            let (text, closed) = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send(Self.get("/slow") + Self.get("/fast") + Self.get("/last"))
                return connection.read { $0.contains("answer to /last;") }
            }
            await server.stop()
            #expect(!closed)
            let order = ["/slow", "/fast", "/last"].map { text.range(of: "answer to \($0);")?.lowerBound }
            #expect(order.allSatisfy { $0 != nil }, "\(text)")
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(server.connectionsAccepted == 1)
        }

        @Test func aConnectionClosedAfterItsLastResponseDoesNotSaySo() async throws {
            let server = LoopbackHTTPServer(closeAfterResponses: 2) { _ in
                LoopbackHTTPResponse(status: .ok, bytes: Array("ok;".utf8))
            }
            let port = try await server.start()
            let (first, second) = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send(Self.get("/1"))
                let first = connection.read { $0.hasSuffix("ok;") }
                try connection.send(Self.get("/2"))
                // Read on past the second answer: the server's close is what ends the read.
                let second = connection.read { _ in false }
                return (first, second)
            }
            await server.stop()
            #expect(!first.closed)
            #expect(second.closed)
            #expect(second.text.hasSuffix("ok;"))
            for head in [first.text, second.text] {
                #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(!head.lowercased().contains("connection: close"))
            }
        }

        @Test func aRequestWithConnectionCloseIsAnsweredThenClosedAndTheRestDropped() async throws {
            let calls = BackendLockedState(0)
            let server = LoopbackHTTPServer { _ in
                calls.write { $0 += 1 }
                return LoopbackHTTPResponse(status: .ok, bytes: Array("bye".utf8))
            }
            let port = try await server.start()
            let answer = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" + Self.get("/after"))
                return connection.read { _ in false }
            }
            await server.stop()
            // NIO's parser refuses a request after `Connection: close` (400 and close); either way the handler
            // is not called again.
            #expect(answer.closed)
            #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.text.lowercased().contains("connection: close\r\n"))
            #expect(answer.text.contains("\r\n\r\nbye"))
            #expect(answer.text.components(separatedBy: "HTTP/1.1 200").count == 2)
            #expect(calls.read { $0 } == 1)
        }

        @Test func aClientThatExpectsContinueIsToldToSendItsBody() async throws {
            let server = LoopbackHTTPServer { request in
                LoopbackHTTPResponse(status: .ok, bytes: Array("got \(String(decoding: request.body, as: UTF8.self));".utf8))
            }
            let port = try await server.start()
            let (interim, answer) = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let interim = connection.read { $0.hasSuffix("\r\n\r\n") }
                try connection.send("hello")
                return (interim, connection.read { $0.hasSuffix(";") })
            }
            await server.stop()
            #expect(interim.text == "HTTP/1.1 100 Continue\r\n\r\n")
            #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.text.hasSuffix("got hello;"))
        }

        @Test func aHangingHandlerIsCancelledWhenItsClientGoesAway() async throws {
            let started = BackendLockedState(false)
            let cancelled = BackendLockedState(false)
            let server = LoopbackHTTPServer { _ in
                started.write { $0 = true }
                try? await Task.sleep(for: .seconds(24 * 3600))
                cancelled.write { $0 = Task.isCancelled }
                return LoopbackHTTPResponse(status: .ok, bytes: [])
            }
            let port = try await server.start()
            let connection = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send(Self.get("/hang"))
                return connection
            }
            #expect(await eventually(within: 30) { started.read { $0 } })
            #expect(server.connectionsOpen == 1)
            connection.shutdown()
            #expect(await eventually(within: 30) { cancelled.read { $0 } })
            #expect(await eventually(within: 30) { server.connectionsOpen == 0 })
            await server.stop()
        }

        @Test func stopClosesEveryConnectionAndTheListenerAtOnce() async throws {
            let started = BackendLockedState(0)
            let server = LoopbackHTTPServer { _ in
                started.write { $0 += 1 }
                try? await Task.sleep(for: .seconds(24 * 3600))
                return LoopbackHTTPResponse(status: .ok, bytes: [])
            }
            let port = try await server.start()
            let connections = try await offThePool {
                try (0..<3).map { _ in
                    let connection = try RawTCPConnection(port: port, readTimeout: 60)
                    try connection.send(Self.get("/hang"))
                    return connection
                }
            }
            // Every request read and hanging: a connection closed with a request still unread would be reset.
            #expect(await eventually(within: 30) { started.read { $0 } == 3 })
            #expect(server.connectionsOpen == 3)
            let readers = connections.map { $0.startReadingToEnd() }
            let start = ContinuousClock.now
            await server.stop()
            #expect(server.connectionsOpen == 0)
            #expect(server.connectionsAccepted == 3)
            #expect(server.port == nil)
            for reader in readers {
                var ends: [RawTCPConnection.End] = []
                for await end in reader { ends.append(end) }
                let end = try #require(ends.first)
                #expect(end.closed)
                #expect(end.text.isEmpty)
                #expect(end.at - start < .seconds(2))
            }
            #expect(throws: RawTCPConnection.Failure.self) { try RawTCPConnection(port: port) }
        }

        @Test func aScriptPausesAndHangsUpShortOfTheLengthItAnnounced() async throws {
            let server = LoopbackHTTPServer { _ in
                LoopbackHTTPResponse(
                    status: .ok,
                    body: .script(
                        [.bytes(Array("ab".utf8)), .pause(seconds: 0.3), .repeated(Array("cd".utf8), times: 2), .hangUp],
                        declaredLength: 100))
            }
            let port = try await server.start()
            let start = ContinuousClock.now
            let answer = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send(Self.get("/"))
                return connection.read { _ in false }
            }
            let elapsed = ContinuousClock.now - start
            await server.stop()
            #expect(answer.closed)
            #expect(answer.text.lowercased().contains("content-length: 100\r\n"))
            #expect(answer.text.hasSuffix("\r\n\r\nabcdcd"))
            #expect(elapsed >= .milliseconds(250))
        }

        @Test func aScriptWithoutALengthIsChunkedAndEndsCleanly() async throws {
            let server = LoopbackHTTPServer { _ in
                LoopbackHTTPResponse(status: .ok, body: .script([.bytes(Array("hello".utf8))], declaredLength: nil))
            }
            let port = try await server.start()
            let answer = try await offThePool {
                let connection = try RawTCPConnection(port: port)
                try connection.send(Self.get("/"))
                return connection.read { $0.hasSuffix("0\r\n\r\n") }
            }
            await server.stop()
            #expect(!answer.closed)
            #expect(answer.text.lowercased().contains("transfer-encoding: chunked\r\n"))
            #expect(answer.text.hasSuffix("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
        }
    }
}
