import AILBEval
import ArgumentParser
import Foundation

/// `ailb-eval runs`: the stored runs, newest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List stored runs.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let (path, note) = try DatabaseLocation.forReading(
            db: common.db, config: common.config, environment: ProcessInfo.processInfo.environment)
        if let note { CommandErrors.printError("note: \(note)") }
        // No database (or an empty file) means no runs; nothing is created just to say so.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size, size > 0 else {
            try StandardOutput.line("No runs in \(path) yet.")
            return
        }
        let store = try ResultStore(readingFrom: path)
        let runs = try store.runs()
        guard !runs.isEmpty else {
            try StandardOutput.line("No runs in \(store.path) yet.")
            return
        }
        var answered: [Int64: Int] = [:]
        for run in runs { answered[run.id] = try store.answeredRequestCount(runID: run.id) }
        try store.finishReading()
        try StandardOutput.line(RunSummary.renderRuns(runs, answeredRequests: answered))
    }
}

/// `ailb-eval export RUN`: `report` with CSV as the default format, kept for scripts written against it.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a stored run as files (as `report`, CSV by default).")

    @Option(help: "Output format.")
    var format: ReportFileFormat = .csv

    @OptionGroup var arguments: ReportArguments

    func run() throws { try arguments.write(format) }
}

/// `ailb-eval gate RUN`: apply thresholds to a stored run.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Check a stored run against agreement thresholds (exit 1 when one fails).",
        discussion: """
            Thresholds are the run's own (the config's gates: and the --min-* flags it ran with); flags given here \
            override them. A bar with nothing to measure fails: agreement when no case repeat had two answers, a \
            family or quant without a judged answer. --min-accuracy on a run without expect is a usage error (exit 2).
            """)

    @Argument(help: "A run id, or latest.")
    var runReference: String = "latest"

    @Option(help: "Minimum share of judged case repeats where all backends agree (0…1). A bar over no judged case repeat fails.")
    var minAgreement: Double?

    @Option(help: "Minimum consensus accuracy where cases have expect (0…1).")
    var minAccuracy: Double?

    @Option(help: "Maximum share of spurious disagreements (0…1).")
    var maxSpurious: Double?

    @Option(name: .customLong("per-family"), help: "Minimum with-majority share of a family, as FAMILY=X (repeatable).")
    var perFamily: [String] = []

    @Option(name: .customLong("per-quant"), help: "Minimum with-majority share of a quantization, as QUANT=X (repeatable).")
    var perQuant: [String] = []

    @Option(
        name: .customLong("max-lb-mismatch"),
        help: "Maximum number of case repeats where ai-lb's own verdict differs from ours (a run with a kind: ailb backend in consensus mode).")
    var maxLBMismatch: Int?

    @Option(help: "point: test the observed rate; lower-bound: test the Wilson 95% bound.")
    var on: GateBasis = .point

    @Option(help: "Profile: ailb or semantic (default: the run's).")
    var profile: EquivalenceProfile?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        for (name, value) in [("--min-agreement", minAgreement), ("--min-accuracy", minAccuracy), ("--max-spurious", maxSpurious)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be between 0 and 1, got \(value)") }
        }
        if let maxLBMismatch, maxLBMismatch < 0 {
            throw ValidationError("--max-lb-mismatch must be 0 or more, got \(maxLBMismatch)")
        }
        _ = try Self.bars(perFamily, flag: "--per-family")
        _ = try Self.bars(perQuant, flag: "--per-quant")
    }

    /// `NAME=X` pairs as a map, each X in 0…1.
    static func bars(_ items: [String], flag: String) throws -> [String: Double] {
        var result: [String: Double] = [:]
        for item in items {
            guard let equals = item.lastIndex(of: "="), let value = Double(item[item.index(after: equals)...]),
                (0...1).contains(value), equals != item.startIndex
            else { throw ValidationError("\(flag) takes NAME=X with X between 0 and 1, got '\(item)'") }
            result[String(item[..<equals])] = value
        }
        return result
    }

    func run() throws {
        let store = try common.openStoredRuns()
        let record = try store.run(runReference)
        let report = try RunReportData.load(store: store, runID: record.id, profile: profile)
        var thresholds = StoredReportSettings(run: record).gates
        if let minAgreement { thresholds.minAgreement = minAgreement }
        if let minAccuracy { thresholds.minAccuracy = minAccuracy }
        if let maxSpurious { thresholds.maxSpurious = maxSpurious }
        let familyFlags = try Self.bars(perFamily, flag: "--per-family")
        let quantFlags = try Self.bars(perQuant, flag: "--per-quant")
        thresholds.perFamily.merge(familyFlags) { _, flag in flag }
        thresholds.perQuant.merge(quantFlags) { _, flag in flag }
        if let maxLBMismatch { thresholds.maxLoadBalancerMismatches = maxLBMismatch }
        var loadBalancerBar: LoadBalancerGateCheck?
        if let maximum = thresholds.maxLoadBalancerMismatches {
            let hasLoadBalancer = try store.backends(runID: record.id).contains { $0.kind == .ailb }
            if let problem = Gate.loadBalancerBarProblem(mode: record.mode, hasLoadBalancer: hasLoadBalancer) {
                throw InputError("run \(record.id): \(problem)")
            }
            let counts = try store.loadBalancerVerdictCounts(runID: record.id)
            loadBalancerBar = LoadBalancerGateCheck(maximum: maximum, compared: counts.compared, mismatches: counts.mismatches)
        }
        try store.finishReading()
        let stats = report.statistics
        // A name typed here that the run does not have is a typo (exit 2); one stored with the run fails its bar.
        let unknown =
            familyFlags.keys.filter { key in !stats.perFamily.contains { $0.key == key } }.map { "family '\($0)'" }
            + quantFlags.keys.filter { key in !stats.perQuant.contains { $0.key == key } }.map { "quant '\($0)'" }
        if !unknown.isEmpty {
            throw ValidationError(
                "run \(record.id) has no \(unknown.sorted().joined(separator: ", ")) (families: "
                    + "\(stats.perFamily.map(\.key).joined(separator: ", ")); quants: \(stats.perQuant.map(\.key).joined(separator: ", ")))")
        }
        if let bar = thresholds.minAccuracy, !report.cases.contains(where: { $0.expectJSON != nil }) {
            let source = minAccuracy != nil ? "--min-accuracy" : "min_accuracy (stored with the run from its config or flags)"
            throw ValidationError(
                "\(source) \(bar) cannot be checked: no case of run \(record.id) has an expected answer (expect)")
        }
        if thresholds == GateThresholds() {
            throw ValidationError(
                "run \(record.id) has no gate bar: give one (--min-agreement, --min-accuracy, --max-spurious, --per-family, "
                    + "--per-quant, --max-lb-mismatch), or set gates: in the config before the run")
        }
        let checks = Gate.checks(stats, thresholds: thresholds, basis: on)
        let failures = checks.filter { !$0.passed }.map(\.result)
        if !failures.isEmpty || loadBalancerBar?.passed == false {
            throw GateFailed(failures: failures, loadBalancer: loadBalancerBar.flatMap { $0.passed ? nil : $0 })
        }
        for check in checks { try StandardOutput.line("passed: \(check.result.bar) \(Self.passText(check.result))") }
        if let loadBalancerBar { try StandardOutput.line("passed: \(loadBalancerBar)") }
        let a = stats.agreement
        try StandardOutput.line(String(format: "gate passed: run %lld agreement %.3f (%d/%d)", record.id, a.value ?? 0, a.successes, a.trials))
    }
}

extension GateCommand {
    /// "0.850 (95% CI 0.780–0.900) ≥ 0.800" for a bar that passed.
    static func passText(_ r: GateFailure) -> String {
        String(format: "%.3f (95%% CI %.3f–%.3f) %@ %.3f", r.value, r.interval.lower, r.interval.upper, r.isMaximum ? "≤" : "≥", r.threshold)
    }
}

/// `ailb-eval verdict`: judge captured responses offline.
struct VerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict", abstract: "Read response sets as JSON Lines on stdin; write one verdict per line.",
        discussion: """
            Input line: {"id": "...", "threshold": 0.9, "profile": "ailb", "responses": [{"backend": "b0", "success": true, \
            "latency_ms": 12.5, "body": {...chat completion...}}, ...]}
            A line that is not valid gets an output line with an "error" field; the command goes on.
            """)

    @Flag(help: "Add the pairwise similarities and equalities behind each verdict.")
    var explain = false

    @Option(help: "Profile for lines that name none: ailb or semantic.")
    var profile: EquivalenceProfile = .ailb

    @Option(help: "Threshold for lines that name none.")
    var threshold: Double = 0.9

    func run() throws {
        let processor = VerdictLineProcessor(defaultProfile: profile, defaultThreshold: threshold, explain: explain)
        try JSONLinesStream.run(input: .standardInput, output: .standardOutput, processor: processor)
    }
}

/// `ailb-eval similarity`: difflib-exact similarity of text pairs.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity", abstract: "Read {\"id\", \"a\", \"b\"} JSON Lines on stdin; write each pair's similarity ratio.",
        discussion: """
            The ratio is Python's difflib.SequenceMatcher(None, a, b).ratio() on Unicode code points, autojunk \
            included. With --normalize, both texts are normalised first, as the consensus text rule does.
            """)

    @Flag(help: "Normalise both texts as the consensus text rule does before comparing.")
    var normalize = false

    @Option(help: "Normalisation profile with --normalize: ailb or semantic.")
    var profile: EquivalenceProfile = .ailb

    func run() throws {
        try JSONLinesStream.run(
            input: .standardInput, output: .standardOutput,
            processor: SimilarityLineProcessor(normalize: normalize, profile: profile))
    }
}
