import Foundation
import Testing

@testable import AILBEval

/// Opens the HTML report of a run whose answers, prompts, tags and names carry HTML/JS payloads in Debian's
/// headless Chromium, and checks the live DOM: no element or attribute a payload would have created, the
/// report's own script ran, and the mode advisor's plot is there as SVG. Skipped when Chromium is not installed, unless AILB_REQUIRE_BROWSER=1 (CI).
@Suite(.serialized) struct BrowserCheckTests {
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()
    static let required = ProcessInfo.processInfo.environment["AILB_REQUIRE_BROWSER"] == "1"

    /// Runs Chromium headless with `arguments`, killed after `timeout` seconds; returns its standard output.
    static func runChromium(_ executable: String, _ arguments: [String], timeout: TimeInterval = 90) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return String(decoding: data, as: UTF8.self)
    }

    static func matches(_ pattern: String, in text: String) -> Int {
        (try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]))?
            .numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) ?? 0
    }

    @Test(
        .enabled(
            if: chromium != nil || required,
            "chromium is not installed (apt-get install chromium); CI installs it and runs this test"))
    func payloadReportHasNoInjectedElementInAHeadlessBrowser() async throws {
        let chromium = try #require(Self.chromium, "AILB_REQUIRE_BROWSER=1 but chromium is not on PATH")
        let cli = try CLIHarness(config: nil)
        defer { cli.remove() }
        let database = cli.path("payload.sqlite")
        _ = try SyntheticRun.make(path: database, spec: SyntheticRun.Spec(backends: 3, cases: 50, payloads: true))
        let written = try await cli.runDetached(["report", "1", "--db", database, "--out", "report.html"])
        #expect(written.status == 0, "\(written.stderr)")
        let url = URL(fileURLWithPath: cli.path("report.html")).absoluteString

        let dom = try Self.runChromium(chromium, ["--virtual-time-budget=5000", "--dump-dom", url])
        #expect(dom.contains("</html>"), "chromium produced no DOM")
        // Our script filled the pager and hid the second page: it ran, under the page's own CSP.
        #expect(dom.contains("Showing 1–40 of 50 case repeats"))
        #expect(dom.contains("class=\"case") && dom.contains(" hidden\""))
        // No payload made an element or an attribute.
        #expect(Self.matches(#"<[a-z][^>]*\s\#(SyntheticRun.marker)="#, in: dom) == 0, "a payload ran")
        #expect(Self.matches("<script", in: dom) == 1)
        #expect(Self.matches("<img", in: dom) == 0)
        #expect(Self.matches(#"<svg[^>]*\sonload="#, in: dom) == 0)
        #expect(Self.matches(#"<[a-z][^>]*\sonerror="#, in: dom) == 0)
        // …and each payload is on the page as text.
        #expect(dom.contains("&lt;img src=x onerror="))
        #expect(dom.contains("&lt;script&gt;document.body.setAttribute("))

        // The mode advisor's plot is live SVG: a point per mode and per backend (4 + 3), each labelled, and the
        // Pareto front ringed.
        let plotStart = try #require(dom.range(of: "<svg class=\"mode-plot\""), "no mode plot in the DOM")
        let plotEnd = try #require(dom.range(of: "</svg>", range: plotStart.upperBound..<dom.endIndex))
        let plot = String(dom[plotStart.lowerBound..<plotEnd.upperBound])
        #expect(Self.matches(#"<circle class="point"[^>]*\scx="[0-9.]+"[^>]*\scy="[0-9.]+""#, in: plot) == 7, "\(plot)")
        #expect(Self.matches(#"<circle class="front-mark""#, in: plot) >= 1)
        for label in ["race", "failover", "consensus (semantic)", "macbook-4bit"] {
            #expect(plot.contains(">\(label)</text>"), "\(label)")
        }
        #expect(dom.contains("<section class=\"card\" id=\"modes\">"))

        let screenshot =
            ProcessInfo.processInfo.environment["AILB_SCREENSHOT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ailb-eval-report.png").path
        _ = try Self.runChromium(chromium, ["--screenshot=\(screenshot)", "--window-size=1400,3000", url])
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "the screenshot looks empty")
        print("browser check: screenshot of the payload report at \(screenshot) (\(png.count) bytes)")
    }
}
