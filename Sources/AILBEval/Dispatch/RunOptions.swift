/// What the user asked for on the command line; nil fields fall back to config.yaml.
public struct RunOptions: Sendable {
    public var suitePaths: [String]
    /// nil: `config.yaml` if it exists, else the embedded default.
    public var configPath: String?
    public var databasePath: String?
    public var mode: RunMode?
    public var profile: EquivalenceProfile?
    public var threshold: Double?
    public var concurrency: Int?
    public var repeats: Int?
    public var timeout: Double?
    public var retries: Int?
    public var stream: Bool?
    /// `--repeat-seed`: over the suites' and the config's `repeat_seed`.
    public var repeatSeed: RepeatSeed?
    /// `--order`: these backends first, in this order, then the rest in config order.
    public var order: [String] = []
    /// Only these backends (by name); empty means all.
    public var backendNames: [String] = []
    /// Only cases carrying one of these tags; empty means all.
    public var tags: [String] = []
    public var minAgreement: Double?
    public var minAccuracy: Double?
    /// At most this many case repeats where ai-lb's own verdict differs from ours.
    public var maxLoadBalancerMismatches: Int?
    /// At most this p95 of the time the run's mode took to answer a case repeat, in milliseconds.
    public var maxP95LatencyMs: Double?
    /// Where CSV files go; nil: `<reports dir>/run-<id>`.
    public var outputDirectory: String?
    /// Finish this stored run (an id or `latest`) instead of starting a new one.
    public var resume: String?
    /// Resume even though the config or a suite changed since the run started.
    public var force = false
    /// With `resume`: send the requests that ended in an error again too, keeping the failed answers.
    public var retryErrors = false
    /// Let `insecure_skip_verify: true` stand for backends on other machines (`--allow-insecure-tls`).
    public var allowInsecureTLS = false

    public init(suitePaths: [String]) {
        self.suitePaths = suitePaths
    }
}
