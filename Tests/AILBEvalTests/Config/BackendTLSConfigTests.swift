import Foundation
import Testing

@testable import AILBEval

/// `ca_file:` and `insecure_skip_verify:` on a backend.
@Suite struct BackendTLSConfigTests {
    /// A folder with `config.yaml` and a `certs/ca.pem` beside it, removed after the test.
    struct Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tls-config-\(UUID().uuidString)")

        init() throws {
            try FileManager.default.createDirectory(
                at: url.appendingPathComponent("certs"), withIntermediateDirectories: true)
            let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            try Data(pem.utf8).write(to: url.appendingPathComponent("certs/ca.pem"))
            try Data("not a certificate\n".utf8).write(to: url.appendingPathComponent("certs/notes.txt"))
        }

        /// Parses `backend` (the lines of one backend entry) as config.yaml in this folder.
        func parse(_ backend: String, allowInsecureTLS: Bool = false) throws(InputError) -> EvalConfig {
            try ConfigLoader.parse(
                yaml: "backends:\n  - name: b\n    model: m\n" + backend,
                file: url.appendingPathComponent("config.yaml").path, environment: [:],
                allowInsecureTLS: allowInsecureTLS)
        }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    @Test func neitherOptionIsSetByDefault() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let backend = try folder.parse("    url: https://gpu.local/v1\n").backends[0]
        #expect(backend.caFile == nil)
        #expect(!backend.insecureSkipVerify)
    }

    @Test func aRelativeCAFileIsReadBesideTheConfigFile() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let expected = folder.url.appendingPathComponent("certs/ca.pem").standardizedFileURL.path
        let relative = try folder.parse("    url: https://gpu.local/v1\n    ca_file: certs/ca.pem\n")
        #expect(relative.backends[0].caFile == expected)
        let absolute = try folder.parse("    url: https://gpu.local/v1\n    ca_file: \(expected)\n")
        #expect(absolute.backends[0].caFile == expected)
    }

    /// The position and message of the error for `backend`.
    func failure(_ backend: String, in folder: Folder) -> (line: Int, column: Int, message: String)? {
        do {
            _ = try folder.parse(backend)
            return nil
        } catch {
            return (error.location?.line ?? 0, error.location?.column ?? 0, error.message)
        }
    }

    @Test func aCAFileThatCannotServeIsRefusedAtItsValue() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let url = "    url: https://gpu.local/v1\n"
        let missing = try #require(failure(url + "    ca_file: certs/none.pem\n", in: folder))
        #expect(missing.line == 5 && missing.column == 14)
        #expect(missing.message.hasPrefix("'ca_file' \"certs/none.pem\" does not exist (looked for /"))
        let directory = try #require(failure(url + "    ca_file: certs\n", in: folder))
        #expect(directory.message == "'ca_file' \"certs\" is a directory; expected a PEM file of CA certificates")
        let notPEM = try #require(failure(url + "    ca_file: certs/notes.txt\n", in: folder))
        #expect(
            notPEM.message
                == "'ca_file' \"certs/notes.txt\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        let empty = try #require(failure(url + "    ca_file: \"\"\n", in: folder))
        #expect(empty.message == "expected a non-empty string for 'ca_file', found an empty string")
    }

    @Test(arguments: [
        "http://localhost:8080/v1", "https://LOCALHOST/v1", "https://127.0.0.1:8443/v1", "https://127.3.2.1/v1",
        "https://[::1]:8443/v1", "https://[0:0:0:0:0:0:0:1]/v1",
    ])
    func skippingVerificationIsAllowedOnThisMachine(url: String) throws {
        let folder = try Folder()
        defer { folder.remove() }
        let config = try folder.parse("    url: \(url)\n    insecure_skip_verify: true\n")
        #expect(config.backends[0].insecureSkipVerify)
    }

    @Test func anInProcessMockMaySkipVerification() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let config = try folder.parse("    kind: mock\n    insecure_skip_verify: true\n")
        #expect(config.backends[0].insecureSkipVerify)
    }

    @Test(arguments: [
        "https://gpu.local/v1", "https://192.168.1.20/v1", "https://128.0.0.1/v1", "https://[::2]/v1",
        "https://localhost.example.com/v1",
    ])
    func skippingVerificationTowardsAnotherMachineIsRefusedUnlessAllowed(url: String) throws {
        let folder = try Folder()
        defer { folder.remove() }
        let backend = "    url: \(url)\n    insecure_skip_verify: true\n"
        let refused = try #require(failure(backend, in: folder))
        #expect(refused.line == 5 && refused.column == 27)
        #expect(refused.message.hasPrefix("'insecure_skip_verify' is only allowed for a backend on this machine"))
        #expect(refused.message.hasSuffix("--allow-insecure-tls allows it for any host"))
        #expect(try folder.parse(backend, allowInsecureTLS: true).backends[0].insecureSkipVerify)
    }

    @Test func everyReplicaMustBeOnThisMachine() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let backend = "    urls: [\"https://127.0.0.1/v1\", \"https://gpu.local/v1\"]\n    insecure_skip_verify: true\n"
        let refused = try #require(failure(backend, in: folder))
        #expect(refused.message.contains("but backend 'b' is at gpu.local"))
    }

    @Test func falseNeedsNoPermissionAndTheTwoOptionsExcludeEachOther() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let remote = "    url: https://gpu.local/v1\n"
        #expect(try !folder.parse(remote + "    insecure_skip_verify: false\n").backends[0].insecureSkipVerify)
        let both = try #require(
            failure("    url: https://localhost/v1\n    ca_file: certs/ca.pem\n    insecure_skip_verify: true\n", in: folder))
        #expect(both.line == 6 && both.column == 5)
        #expect(both.message == "backend 'b' has both 'ca_file' and 'insecure_skip_verify: true'; use one of them")
        let notBool = try #require(failure(remote + "    insecure_skip_verify: yes\n", in: folder))
        #expect(notBool.message == "expected true or false for 'insecure_skip_verify', found a string (\"yes\")")
    }

    @Test func aRunMayAllowInsecureTLSTowardsAnyHost() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("config.yaml").path
        let yaml = "backends:\n  - {name: b, url: \"https://gpu.local/v1\", model: m, insecure_skip_verify: true}\n"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        var options = RunOptions(suitePaths: [try CLIHarness.fixture("integration/mini.yaml").path])
        options.configPath = path
        #expect(throws: InputError.self) { try PreparedRun.prepare(options, environment: [:]) }
        options.allowInsecureTLS = true
        #expect(try PreparedRun.prepare(options, environment: [:]).config.backends[0].insecureSkipVerify)
    }
}
