import AILBEval
import ArgumentParser

extension RunArguments {
    /// The library's options for this command line.
    var evalOptions: EvalWorkflow.Options {
        var run = RunOptions(suitePaths: suites)
        run.configPath = common.config
        run.databasePath = common.db
        run.mode = mode
        run.profile = profile
        run.threshold = threshold
        run.concurrency = concurrency
        run.repeats = repeats
        run.timeout = timeout
        run.retries = retries
        run.stream = stream
        run.repeatSeed = repeatSeed
        run.backendNames = backends
        run.tags = tags
        run.minAgreement = minAgreement
        run.minAccuracy = minAccuracy
        run.maxLoadBalancerMismatches = maxLBMismatch
        run.maxP95LatencyMs = maxP95LatencyMs
        run.order = order.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        run.outputDirectory = out
        run.resume = resume
        run.force = force
        run.retryErrors = retryErrors
        run.allowInsecureTLS = diagnostics.allowInsecureTLS
        run.shard = shard.flatMap { try? Shard(parsing: $0) }
        run.runKey = runKey
        run.leaseSeconds = lease
        return EvalWorkflow.Options(run: run, showsProgress: !quiet)
    }

    /// Runs the workflow; an interrupted run exits 130, a failed write 4 (its gate failures still printed), a
    /// failed gate 1.
    func run() async throws {
        diagnostics.startLog()
        try await EvalWorkflow.run(evalOptions, signals: .terminationSignals, output: StandardStreams()).exit()
    }
}
