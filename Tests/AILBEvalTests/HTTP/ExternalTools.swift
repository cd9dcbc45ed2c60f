import Foundation
import Testing

@testable import AILBEval

/// Real network peers from the system's packages, for what the tool's own servers do not speak: TLS
/// (socat terminating it in front of the mock, with a certificate made by openssl in the test) and a
/// forwarding/CONNECT proxy (tinyproxy). Their tests are skipped, with the reason printed, when a tool is
/// missing, unless AILB_REQUIRE_NETWORK_TOOLS=1 (CI), where a missing tool fails them.
enum ExternalTools {
    static let required = ProcessInfo.processInfo.environment["AILB_REQUIRE_NETWORK_TOOLS"] == "1"

    static func path(of tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/sbin"
        return paths.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when every tool is there; otherwise prints why the test is skipped (or fails it in CI).
    static func available(_ tools: String...) -> Bool {
        let missing = tools.filter { path(of: $0) == nil }
        guard !missing.isEmpty else { return true }
        if required {
            Issue.record("AILB_REQUIRE_NETWORK_TOOLS=1 but \(missing.joined(separator: ", ")) not installed")
        } else {
            print("skipped: \(missing.joined(separator: ", ")) not installed (apt-get install \(missing.joined(separator: " ")))")
        }
        return false
    }

    /// A port that was free a moment ago on 127.0.0.1 (for tools that cannot report the port they bound).
    static func freePort() async throws -> UInt16 {
        let server = LoopbackHTTPServer { _ in LoopbackHTTPResponse(status: .notFound, bytes: []) }
        let port = try await server.start()
        await server.stop()
        return port
    }

    /// Runs `tool` in the background; the returned process is terminated by `stop`.
    static func start(_ tool: String, _ arguments: [String], log: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path(of: tool)))
        process.arguments = arguments
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Waits until something accepts connections on `port` (up to 10 s).
    static func waitForListener(on port: UInt16) async throws {
        for _ in 0..<200 {
            let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(socket)
            if connected { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("nothing listens on 127.0.0.1:\(port)")
    }

    /// A self-signed certificate for 127.0.0.1 and localhost, made now: (certificate, key) paths.
    static func makeCertificate(in folder: URL) throws -> (certificate: String, key: String) {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let openssl = try start(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a certificate")
        return (certificate, key)
    }

    /// SIGTERM, then SIGKILL after a second: socat waits for the connections its children serve.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
    }
}
