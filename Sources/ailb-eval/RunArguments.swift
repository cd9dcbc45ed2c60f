import AILBEval
import ArgumentParser

/// The suites and flags of `ailb-eval run`; nil flags fall back to the config.
struct RunArguments: ParsableArguments {
    @Argument(help: "Suite files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var suites: [String] = []

    @OptionGroup var common: CommonOptions

    @Option(
        help:
            "race: every backend at once, the first success wins (only its answer is kept; scored, not judged). all: every answer, judged. sequence: every backend one request at a time, in order (uncontended latencies), judged. consensus: as all, and a kind: ailb backend also sends ai-lb's vote."
    )
    var mode: RunMode?

    @Option(help: "Equivalence profile for the summary and gate (both are stored): ailb or semantic.")
    var profile: EquivalenceProfile?

    @Option(help: "Text similarity threshold (0…1).")
    var threshold: Double?

    @Option(help: "Requests in flight at once, over all backends.")
    var concurrency: Int?

    @Option(name: .customLong("repeat"), help: "Ask each case this many times.")
    var repeats: Int?

    @Option(
        name: .customLong("repeat-seed"),
        help:
            "fixed: every repeat sends the same seed; vary: repeat r sends seed + r - 1 when the temperature is above 0 (overrides repeat_seed)."
    )
    var repeatSeed: RepeatSeed?

    @Option(help: "Request timeout in seconds.")
    var timeout: Double?

    @Option(help: "Retries on connect errors, 429 and 5xx.")
    var retries: Int?

    @Flag(inversion: .prefixedNo, help: "Stream responses (server-sent events; measures time to first token).")
    var stream: Bool?

    @Option(name: .customLong("backend"), help: "Only this backend (repeatable).")
    var backends: [String] = []

    @Option(name: .customLong("tag"), help: "Only cases with this tag (repeatable).")
    var tags: [String] = []

    @Option(help: "Fail (exit 1) when agreement is below this (0…1); overrides gates.min_agreement.")
    var minAgreement: Double?

    @Option(help: "Fail (exit 1) when consensus accuracy is below this (0…1); overrides gates.min_accuracy.")
    var minAccuracy: Double?

    @Option(
        name: .customLong("max-lb-mismatch"),
        help: "Fail (exit 1) when more than N case repeats have an ai-lb verdict that differs from ours; overrides gates.max_lb_mismatch.")
    var maxLBMismatch: Int?

    @Option(
        name: .customLong("max-p95-latency-ms"),
        help:
            "Fail (exit 1) when the p95 time the mode took to answer a case repeat is above this (ms); overrides gates.max_p95_latency_ms."
    )
    var maxP95LatencyMs: Double?

    @Option(
        help:
            "The order of the backends, as NAME,NAME,… (the rest follow in config order): the chain of --mode sequence, and the config order every report and verdict uses."
    )
    var order: String?

    @Option(help: "Directory for the CSV files (default: <reports.dir>/run-<id>).")
    var out: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @OptionGroup var diagnostics: DiagnosticOptions

    @Option(
        help: ArgumentHelp(
            "Send only share i of n of the cases (1 ≤ i ≤ n), for a run split over machines; the run still stores every case. Join the shards with `ailb-eval merge`.",
            valueName: "i/n"))
    var shard: String?

    @Option(
        name: .customLong("run-key"),
        help: ArgumentHelp(
            "A name the parts of a split run share (a CI pipeline id), stored with the run for `runs` and `merge --run-key`. "
                + "With a PostgreSQL --db, every process given the same key is a worker of one shared run: each claims "
                + "requests not yet answered (of its --backend and --shard), and the last to finish finalizes the run.",
            valueName: "key"))
    var runKey: String?

    @Option(
        help: ArgumentHelp(
            "With --run-key on PostgreSQL: seconds a worker's claim lasts unless renewed (default 60); the claims of a worker that was killed go to others this long after.",
            valueName: "seconds"))
    var lease: Double?

    @Option(help: "Finish this interrupted run (an id, or latest) instead of starting a new one.")
    var resume: String?

    @Flag(help: "With --resume: finish the run even though the config or a suite changed since it started.")
    var force = false

    @Flag(
        name: .customLong("retry-errors"),
        help: "With --resume: also send again the requests that ended in an error (the failed answers are kept as history).")
    var retryErrors = false

    /// Flags that mean nothing without --resume. The ranges of --threshold, --repeat and the other values
    /// that override the config are checked where they are applied to it (`PreparedRun`), after the config
    /// and suites are read, with the message of any other bad input.
    func validate() throws {
        if force && resume == nil { throw ValidationError("--force only applies with --resume") }
        if retryErrors && resume == nil { throw ValidationError("--retry-errors only applies with --resume") }
        if let shard { try validated { () throws(InputError) in _ = try Shard(parsing: shard) } }
        if let runKey { try checkRunKey(runKey) }
        if let lease {
            guard lease >= 1, lease <= 86_400 else { throw ValidationError("--lease must be between 1 and 86400 seconds") }
            guard runKey != nil else { throw ValidationError("--lease only applies with --run-key") }
        }
    }
}
