import Foundation

/// `ailb-eval gate`: a stored run checked against thresholds, its own unless overridden.
package enum GateWorkflow {
    /// The run and the bars given on the command line (nil or empty: the run's own).
    package struct Options: Sendable {
        package var location: StoredRunsLocation
        /// A run id, or `latest`.
        package var runReference: String
        package var minAgreement: Double?
        package var minAccuracy: Double?
        package var maxSpurious: Double?
        /// Minimum with-majority share per family, over the run's own.
        package var perFamily: [String: Double]
        /// Minimum with-majority share per quantization, over the run's own.
        package var perQuant: [String: Double]
        package var maxLoadBalancerMismatches: Int?
        package var maxP95LatencyMs: Double?
        /// Minimum accuracy of a mode (`race`, `failover`, `consensus`, `consensus-semantic`) or a backend alone,
        /// as the mode advisor replays it from the run.
        package var minModeAccuracy: [String: Double]
        package var basis: GateBasis
        /// nil: the run's own profile.
        package var profile: EquivalenceProfile?

        package init(
            location: StoredRunsLocation, runReference: String = "latest", minAgreement: Double? = nil,
            minAccuracy: Double? = nil, maxSpurious: Double? = nil, perFamily: [String: Double] = [:],
            perQuant: [String: Double] = [:], maxLoadBalancerMismatches: Int? = nil, maxP95LatencyMs: Double? = nil,
            minModeAccuracy: [String: Double] = [:], basis: GateBasis = .point, profile: EquivalenceProfile? = nil
        ) {
            self.location = location
            self.runReference = runReference
            self.minAgreement = minAgreement
            self.minAccuracy = minAccuracy
            self.maxSpurious = maxSpurious
            self.perFamily = perFamily
            self.perQuant = perQuant
            self.maxLoadBalancerMismatches = maxLoadBalancerMismatches
            self.maxP95LatencyMs = maxP95LatencyMs
            self.minModeAccuracy = minModeAccuracy
            self.basis = basis
            self.profile = profile
        }
    }

    /// A gate that passed: every bar checked, and the run's agreement.
    package struct Passed: Sendable {
        package var runID: Int64
        package var checks: [GateCheck]
        package var loadBalancer: LoadBalancerGateCheck?
        package var agreement: Proportion
        /// For a race run, the race accuracy stands where agreement would (a race has no agreement).
        package var raceAccuracy: Proportion? = nil

        /// "passed: …" for each bar, then "gate passed: run N agreement X (k/n)" (a race: its accuracy).
        package var lines: [String] {
            let headline = raceAccuracy.map { ("race accuracy", $0) } ?? ("agreement", agreement)
            return checks.map { "passed: \($0.result.bar) \(Self.passText($0.result))" }
                + (loadBalancer.map { ["passed: \($0)"] } ?? [])
                + [
                    String(
                        format: "gate passed: run %lld %@ %.3f (%d/%d)", runID, headline.0, headline.1.value ?? 0,
                        headline.1.successes, headline.1.trials)
                ]
        }

        /// "0.850 (95% CI 0.780–0.900) ≥ 0.800" for a bar that passed.
        static func passText(_ r: GateFailure) -> String {
            if r.isMilliseconds { return String(format: "%.1f ms ≤ %.1f ms", r.value, r.threshold) }
            return String(
                format: "%.3f (95%% CI %.3f–%.3f) %@ %.3f", r.value, r.interval.lower, r.interval.upper,
                r.isMaximum ? "≤" : "≥", r.threshold)
        }
    }

    /// Checks the run. Throws `GateFailed` when a bar fails (a bar with nothing to measure fails), and
    /// `UsageError` or `InputError` for a bar that cannot be checked at all.
    package static func check(_ options: Options, output: some WorkflowOutput) throws -> Passed {
        let store = try options.location.open(output: output)
        let record = try store.run(options.runReference)
        let report = try RunReportData.load(store: store, runID: record.id, profile: options.profile)
        var thresholds = StoredReportSettings(run: record).gates
        if let minAgreement = options.minAgreement { thresholds.minAgreement = minAgreement }
        if let minAccuracy = options.minAccuracy { thresholds.minAccuracy = minAccuracy }
        if let maxSpurious = options.maxSpurious { thresholds.maxSpurious = maxSpurious }
        thresholds.perFamily.merge(options.perFamily) { _, flag in flag }
        thresholds.perQuant.merge(options.perQuant) { _, flag in flag }
        if let maximum = options.maxLoadBalancerMismatches { thresholds.maxLoadBalancerMismatches = maximum }
        if let maximum = options.maxP95LatencyMs { thresholds.maxP95LatencyMs = maximum }
        if let problem = Gate.raceBarProblem(mode: record.mode, thresholds: thresholds) {
            throw InputError("run \(record.id) is a race: \(problem)")
        }
        if record.mode == .race, !options.minModeAccuracy.isEmpty {
            throw InputError(
                "run \(record.id) is a race: --min-mode-accuracy replays every mode from every backend's answer, and a race "
                    + "keeps only the winner's; run --mode all, sequence or consensus to compare modes")
        }
        var loadBalancerBar: LoadBalancerGateCheck?
        if let maximum = thresholds.maxLoadBalancerMismatches {
            let hasLoadBalancer = try store.backends(runID: record.id).contains { $0.kind == .ailb }
            if let problem = Gate.loadBalancerBarProblem(mode: record.mode, hasLoadBalancer: hasLoadBalancer) {
                throw InputError("run \(record.id): \(problem)")
            }
            let counts = try store.loadBalancerVerdictCounts(runID: record.id)
            loadBalancerBar = LoadBalancerGateCheck(maximum: maximum, compared: counts.compared, mismatches: counts.mismatches)
        }
        let modes = options.minModeAccuracy.isEmpty ? nil : try ModeAdvice.load(store: store, report: report)
        try store.finishReading()
        let stats = report.statistics
        // A name typed here that the run does not have is a typo (exit 2); one stored with the run fails its bar.
        let unknown =
            options.perFamily.keys.filter { key in !stats.perFamily.contains { $0.key == key } }.map { "family '\($0)'" }
            + options.perQuant.keys.filter { key in !stats.perQuant.contains { $0.key == key } }.map { "quant '\($0)'" }
        if let modes {
            let unknownModes = options.minModeAccuracy.keys.filter { modes.mode(key: $0) == nil }.sorted()
            if !unknownModes.isEmpty {
                throw UsageError(
                    "--min-mode-accuracy: run \(record.id) has no mode or backend "
                        + unknownModes.map { "'\($0)'" }.joined(separator: ", ") + " (valid: "
                        + modes.modes.map(\.key).joined(separator: ", ") + ")")
            }
        }
        if !unknown.isEmpty {
            throw UsageError(
                "run \(record.id) has no \(unknown.sorted().joined(separator: ", ")) (families: "
                    + "\(stats.perFamily.map(\.key).joined(separator: ", ")); quants: \(stats.perQuant.map(\.key).joined(separator: ", ")))"
            )
        }
        if let bar = thresholds.minAccuracy, !report.cases.contains(where: { $0.expectJSON != nil }) {
            let source =
                options.minAccuracy != nil ? "--min-accuracy" : "min_accuracy (stored with the run from its config or flags)"
            throw UsageError(
                "\(source) \(bar) cannot be checked: no case of run \(record.id) has an expected answer (expect)")
        }
        if thresholds == GateThresholds() && options.minModeAccuracy.isEmpty {
            throw UsageError(
                "run \(record.id) has no gate bar: give one (--min-agreement, --min-accuracy, --max-spurious, --per-family, "
                    + "--per-quant, --max-lb-mismatch, --max-p95-latency-ms, --min-mode-accuracy), or set gates: in the config "
                    + "before the run")
        }
        var checks = Gate.checks(stats, thresholds: thresholds, basis: options.basis)
        if let modes { checks += Gate.modeAccuracyChecks(modes, bars: options.minModeAccuracy, basis: options.basis) }
        let failures = checks.filter { !$0.passed }.map(\.result)
        if !failures.isEmpty || loadBalancerBar?.passed == false {
            throw GateFailed(failures: failures, loadBalancer: loadBalancerBar.flatMap { $0.passed ? nil : $0 })
        }
        return Passed(
            runID: record.id, checks: checks, loadBalancer: loadBalancerBar, agreement: stats.agreement,
            raceAccuracy: stats.race?.accuracy)
    }
}
