import Foundation
import Testing

@testable import AILBEval

/// Output that cannot be written is exit 4 with the path and the reason, never a trap (132) and never 3; no
/// temporary file is left behind, and nothing is created in /dev.
@Suite(.serialized) struct OutputFailureTests {
    static let config = """
        backends:
          - {name: a, kind: mock, model: m, quant: 8bit, mock: {seed: 1}}
          - {name: b, kind: mock, model: m, quant: 4bit, mock: {seed: 2}}

        """

    /// Files whose name marks them as temporary (`.<name>.<pid>.<random>.tmp`) under `directory`.
    static func temporaries(under directory: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasSuffix(".tmp") }
    }

    static func devFullIsIntact() -> Bool {
        var info = stat()
        return stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func standardOutputOnAFullDeviceIsExitFour() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        // The run itself: everything is stored and the report files are written; only the summary is lost.
        let run = try await cli.runDetached(["mini.yaml", "--quiet", "--out", "out"], stdoutPath: "/dev/full")
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("standard output: cannot write (No space left on device)"), "\(run.stderr)")
        #expect(try ResultStore(readingFrom: cli.databasePath).run("1").status == .completed)
        #expect(FileManager.default.fileExists(atPath: cli.path("out/report.html")))

        for arguments in [
            ["runs"], ["report", "latest", "--format", "json", "--out", "-"],
            ["report", "latest", "--format", "markdown", "--out", "-"], ["report", "latest", "--out", "r.html"],
            ["compare", "1", "1"], ["gate", "latest", "--min-agreement", "0"], ["backends"],
        ] {
            let result = try await cli.runDetached(arguments, stdoutPath: "/dev/full")
            #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("standard output: cannot write"), "\(arguments): \(result.stderr)")
        }
        // The JSON Lines commands too.
        let pairs = cli.path("pairs.jsonl")
        try Data("{\"id\": \"1\", \"a\": \"x\", \"b\": \"y\"}\n".utf8).write(to: URL(fileURLWithPath: pairs))
        let similarity = try await cli.runDetached(["similarity"], stdoutPath: "/dev/full", stdinPath: pairs)
        #expect(similarity.status == 4, "\(similarity.stderr)")
        #expect(similarity.stderr.contains("standard output: cannot write"))
    }

    /// The path the tests give for `device`: the device itself, or, when the tests run as root, a link to it
    /// in the scratch folder. Run as root, a build without the fix renames its temporary file over the target:
    /// given /dev/full itself it replaces the machine's device node; given the link, only the link.
    static func target(_ device: String, in cli: CLIHarness) throws -> String {
        guard CLIHarness.isRoot else { return device }
        let link = cli.path((device as NSString).lastPathComponent + "-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: device)
        return link
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func anOutFileOnAFullDeviceIsExitFourAndTheDeviceStays() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        let full = try Self.target("/dev/full", in: cli)
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        for format in ["html", "json", "junit", "markdown"] {
            let result = try await cli.runDetached(["report", "latest", "--format", format, "--out", full])
            #expect(result.status == 4, "\(format): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("\(full): cannot write (No space left on device)"), "\(result.stderr)")
        }
        let compare = try await cli.runDetached(["compare", "1", "1", "--format", "json", "--out", full])
        #expect(compare.status == 4, "\(compare.stderr)")
        let csv = try await cli.runDetached(["export", "latest", "--out", full])
        #expect(csv.status == 4, "\(csv.stderr)")
        #expect(csv.stderr.contains("\(full): cannot write"), "\(csv.stderr)")
        let run = try await cli.runDetached(["mini.yaml", "--quiet", "--out", full])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(Self.devFullIsIntact())
        #expect(Self.temporaries(under: "/dev").isEmpty)
        #expect(Self.temporaries(under: cli.directory.path).isEmpty)
        // And /dev/null, which takes anything, is written like a file.
        let null = try Self.target("/dev/null", in: cli)
        #expect(try await cli.runDetached(["report", "latest", "--format", "json", "--out", null]).status == 0)
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test(.enabled(if: CLIHarness.canRunUnprivileged))
    func anUnwritableFolderIsExitFourWithThePath() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        try cli.handToUnprivilegedUser()
        let run = try await cli.runDetached(["mini.yaml", "--quiet"], stdoutPath: nil, unprivileged: true)
        #expect(run.status == 0, "\(run.stderr)")
        // Owned by the test (root in a container), not writable by the user the CLI runs as.
        let locked = cli.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o555)
        defer { chmod(locked, 0o755) }
        for arguments in [
            ["report", "latest", "--format", "json", "--out", "locked/report.json"],
            ["report", "latest", "--out", "locked/report.html"], ["export", "latest", "--out", "locked/csv"],
            ["compare", "1", "1", "--out", "locked/compare.txt"], ["mini.yaml", "--quiet", "--out", "locked/run"],
        ] {
            let result = try await cli.runDetached(arguments, stdoutPath: nil, unprivileged: true)
            #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("locked"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("Permission denied"), "\(arguments): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)
        // The run that could not write its files is stored all the same.
        #expect(try ResultStore(readingFrom: cli.databasePath).runs().count == 2)
    }

    @Test func aWriteThatFailsMidFileRemovesItsTemporaryFile() async throws {
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--repeat", "60", "--quiet", "--out", "out"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.path("out/responses.csv")))
        #expect(before.count > 110 * 1024)
        // A file size limit with SIGXFSZ ignored: write(2) fails with EFBIG, as on a full disk.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", "trap '' XFSZ; ulimit -f 100; exec \"$0\" export latest --out out", try CLIHarness.binary().path,
        ]
        process.currentDirectoryURL = cli.directory
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(CLIHarness.shellStatus(process) == 4, "\(message)")
        #expect(message.contains("out/responses.csv: cannot write (File too large)"), "\(message)")
        #expect(Self.temporaries(under: cli.path("out")).isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("out/responses.csv"))) == before)
    }

    /// A folder that cannot be made (a file stands where it must go, which stops root too) is an output
    /// failure: exit 4 naming the `--out` path, not 3, which means the database or the run itself.
    @Test func anOutFolderThatCannotBeMadeIsExitFourWithThePath() async throws {
        let cli = try CLIHarness(config: Self.config)
        defer { cli.remove() }
        #expect(try await cli.runDetached(["mini.yaml", "--quiet"]).status == 0)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: cli.path("blocker")))
        for (arguments, path) in [
            (["report", "latest", "--out", "blocker/sub/x.html"], "blocker/sub/x.html"),
            (["report", "latest", "--format", "json", "--out", "blocker/sub/x.json"], "blocker/sub/x.json"),
            (["compare", "1", "1", "--out", "blocker/sub/compare.txt"], "blocker/sub/compare.txt"),
            (["export", "latest", "--out", "blocker/sub/csv"], "blocker/sub/csv"),
        ] {
            let result = try await cli.runDetached(arguments)
            #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(path), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("Not a directory"), "\(arguments): \(result.stderr)")
        }
    }
}
