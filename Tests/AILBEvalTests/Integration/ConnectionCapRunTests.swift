import Foundation
import GRDB
import Testing

@testable import AILBEval

/// Many backends through the real binary with few file descriptors: the CLI's connections stay within the
/// run's concurrency plus one per backend, every backend is asked from the start, and nothing fails for want
/// of a descriptor.
@Suite(.serialized) struct ConnectionCapRunTests {
    static let backendCount = 30
    static let concurrency = 64
    static let cases = 40

    static func suite() -> String {
        "name: many\ncases:\n" + (0..<cases).map { "  - {id: c\($0), prompt: \"Question \($0)\"}" }.joined(separator: "\n") + "\n"
    }

    /// Each response of the latest run, in the order the run received them.
    static func responses(_ cli: CLIHarness) throws -> [(backend: String, success: Bool)] {
        let queue = try DatabaseQueue(path: cli.databasePath)
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT backend, success FROM responses ORDER BY received_at").map { ($0["backend"], $0["success"]) }
        }
    }

    @Test func thirtyServersAtSixtyFourInFlightUnderALimitOf256Files() async throws {
        // One server per backend (its own port), as with real machines: every backend is another host to the
        // transport, and a pool of connections kept for each would take descriptors the run does not have.
        let servers = (0..<Self.backendCount).map {
            MockServer(backends: [BackendConfig(name: "b\($0)", kind: .mock, model: "m")], suites: [])
        }
        for server in servers { _ = try await server.start() }
        var config = "backends:\n"
        for (index, server) in servers.enumerated() {
            config += "  - {name: b\(index), url: \"\(try #require(server.baseURL(for: "b\(index)")).absoluteString)\", model: m}\n"
        }
        config += "defaults: {concurrency: \(Self.concurrency), timeout: 60, retries: 0}\n"
        let cli = try CLIHarness(config: config)
        defer { cli.remove() }
        try Self.suite().write(toFile: cli.path("many.yaml"), atomically: true, encoding: .utf8)

        let run = try cli.start(["many.yaml", "--quiet"], openFileLimit: 256)
        // Counted on the CLI's side: a server notices a closed connection only some time later, so the servers'
        // own counts can add a connection the CLI has closed to the one it opened in its place.
        let mostConnections = await TCPConnections.watch(run.process)
        let status = try await offThePool { run.wait(seconds: 120) }
        for server in servers { await server.stop() }

        #expect(status == 0, "\(run.stdout)\(run.stderr)")
        let responses = try Self.responses(cli)
        #expect(responses.count == Self.backendCount * Self.cases)
        #expect(responses.filter { !$0.success }.isEmpty)
        #expect(servers.allSatisfy { $0.requestsReceived == Self.cases })
        if let mostConnections {
            #expect(mostConnections <= Self.concurrency + Self.backendCount, "\(mostConnections) connections open at once")
            #expect(mostConnections >= Self.backendCount)
        }
        // Every backend answered among the first three answers per backend, not one backend after another.
        #expect(Set(responses.prefix(3 * Self.backendCount).map(\.backend)).count == Self.backendCount)
    }

    @Test func thirtyInProcessMockBackendsUnderALimitOf256Files() async throws {
        // The tool's own mock server holds the other end of every connection, in the same process.
        var config = "backends:\n"
        for index in 0..<Self.backendCount { config += "  - {name: m\(index), kind: mock, model: m, mock: {seed: \(index)}}\n" }
        config += "defaults: {concurrency: \(Self.concurrency), timeout: 60, retries: 0}\n"
        let cli = try CLIHarness(config: config)
        defer { cli.remove() }
        try Self.suite().write(toFile: cli.path("many.yaml"), atomically: true, encoding: .utf8)
        let result = try await cli.runDetached(["many.yaml", "--quiet"], openFileLimit: 256)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let responses = try Self.responses(cli)
        #expect(responses.count == Self.backendCount * Self.cases)
        #expect(responses.filter { !$0.success }.isEmpty)
        #expect(Set(responses.prefix(3 * Self.backendCount).map(\.backend)).count == Self.backendCount)
    }
}

/// The TCP connections a process has open, read from /proc (Linux): its socket descriptors that the
/// kernel's TCP tables list.
enum TCPConnections {
    /// `most(of:)` on a thread of its own, started at once: not one the tests' waits share, which could start
    /// it only after the process has ended.
    static func watch(_ process: Process) async -> Int? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: most(of: process)) }.start()
        }
    }

    /// The most connections `process` had open at once, polled every millisecond until it exits; nil where
    /// /proc cannot tell.
    static func most(of process: Process) -> Int? {
        let descriptors = "/proc/\(process.processIdentifier)/fd"
        guard FileManager.default.fileExists(atPath: "/proc/net/tcp") else { return nil }
        var most = 0
        while process.isRunning {
            let sockets = socketInodes(in: descriptors)
            // Only a count above what is already known needs the (slower) check of which sockets are TCP.
            if sockets.count > most { most = max(most, sockets.intersection(tcpInodes()).count) }
            usleep(1000)
        }
        return most
    }

    /// The inodes of the sockets among a process's descriptors.
    static func socketInodes(in descriptors: String) -> Set<Substring> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? []
        var inodes = Set<Substring>()
        for name in names {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(descriptors)/\(name)"),
                target.hasPrefix("socket:[")
            else { continue }
            inodes.insert(target.dropFirst("socket:[".count).dropLast())
        }
        return inodes
    }

    /// The inodes of every TCP socket on the machine (IPv4 and IPv6).
    static func tcpInodes() -> Set<Substring> {
        var inodes = Set<Substring>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // A /proc file has no size: read it to its end rather than by its length.
            guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: table)).readToEnd() else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 9 { inodes.insert(fields[9]) }
            }
        }
        return inodes
    }
}
