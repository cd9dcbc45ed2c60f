import AILBEval
import ArgumentParser

extension BackendsArguments {
    /// Prints each backend's probe as a table or JSON; exit 3 unless every backend is usable.
    func run() async throws {
        diagnostics.startLog()
        let options = BackendsWorkflow.Options(
            configPath: common.config, timeout: timeout, allowInsecureTLS: diagnostics.allowInsecureTLS)
        let results = try await BackendsWorkflow.probe(options)
        try StandardOutput.line(json ? BackendProbe.json(results).compactText : BackendProbe.render(results))
        if !results.allSatisfy(\.isUsable) { throw ExitCode(ExitStatus.runImpossible.rawValue) }
    }
}
