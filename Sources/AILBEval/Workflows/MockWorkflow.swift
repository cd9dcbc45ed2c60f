import Foundation

/// `ailb-eval mock`: the config's mock backends served on 127.0.0.1 until interrupted.
package enum MockWorkflow {
    /// The config, the port and the suites whose expected answers the mock gives.
    package struct Options: Sendable {
        /// nil: `./config.yaml`, else the embedded default.
        package var configPath: String?
        /// 0: any free port.
        package var port: UInt16
        /// Empty: `suites/*.yaml`.
        package var suitePaths: [String]
        package var environment: [String: String]

        package init(
            configPath: String? = nil, port: UInt16 = 9100, suitePaths: [String] = [],
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.configPath = configPath
            self.port = port
            self.suitePaths = suitePaths
            self.environment = environment
        }
    }

    /// Serves the mock backends, writes each one's URL, and returns once `signals` delivers an interrupt.
    package static func serve(_ options: Options, signals: InterruptSource, output: some WorkflowOutput) async throws {
        let config = try PreparedRun.loadConfig(options.configPath, environment: options.environment)
        let backends = config.backends.filter { $0.kind == .mock }
        guard !backends.isEmpty else { throw UsageError("the config has no kind: mock backends") }
        var suites: [Suite] = []
        for path in options.suitePaths.isEmpty ? defaultSuites() : options.suitePaths {
            suites.append(try SuiteLoader.load(path: path))
        }
        let server = MockServer(backends: backends, suites: suites)
        let bound = try await server.start(port: options.port)
        do {
            for backend in backends {
                try output.line("\(backend.name): http://127.0.0.1:\(bound)/mock/\(backend.name)/v1")
            }
        } catch {
            await server.stop()
            throw error
        }
        await signals.next()
        await server.stop()
    }

    /// `suites/*.yaml` (and `.yml`) of the working directory, sorted.
    static func defaultSuites() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "suites")) ?? []
        return files.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "suites/\($0)" }
    }
}
