import Foundation

/// What the user asked for on the command line; nil fields fall back to config.yaml.
package struct RunOptions: Sendable {
    package var suitePaths: [String]
    /// nil: `config.yaml` if it exists, else the embedded default.
    package var configPath: String?
    package var databasePath: String?
    package var mode: RunMode?
    package var profile: EquivalenceProfile?
    package var threshold: Double?
    package var concurrency: Int?
    package var repeats: Int?
    package var timeout: Double?
    package var retries: Int?
    package var stream: Bool?
    /// `--repeat-seed`: over the suites' and the config's `repeat_seed`.
    package var repeatSeed: RepeatSeed?
    /// `--order`: these backends first, in this order, then the rest in config order.
    package var order: [String] = []
    /// Only these backends (by name); empty means all.
    package var backendNames: [String] = []
    /// Only cases carrying one of these tags; empty means all.
    package var tags: [String] = []
    package var minAgreement: Double?
    package var minAccuracy: Double?
    /// At most this many case repeats where ai-lb's own verdict differs from ours.
    package var maxLoadBalancerMismatches: Int?
    /// At most this p95 of the time the run's mode took to answer a case repeat, in milliseconds.
    package var maxP95LatencyMs: Double?
    /// Where CSV files go; nil: `<reports dir>/run-<id>`.
    package var outputDirectory: String?
    /// Finish this stored run (an id or `latest`) instead of starting a new one.
    package var resume: String?
    /// Resume even though the config or a suite changed since the run started.
    package var force = false
    /// With `resume`: send the requests that ended in an error again too, keeping the failed answers.
    package var retryErrors = false
    /// Let `insecure_skip_verify: true` stand for backends on other machines (`--allow-insecure-tls`).
    package var allowInsecureTLS = false
    /// `--shard i/n`: send only the requests of this share of the cases (the run still stores every case).
    package var shard: Shard?
    /// `--run-key`: a name the runs of one split job share (a CI pipeline id), stored with the run for `merge`.
    package var runKey: String?
    /// `--lease`: seconds a worker of a shared run holds what it claimed without renewing it (default 60).
    package var leaseSeconds: Double?

    package init(suitePaths: [String]) {
        self.suitePaths = suitePaths
    }
}

extension RunOptions {
    /// A run key names the parts of one split run in `runs` and `merge`: one line of text, not empty.
    package static func checkRunKey(_ key: String) throws(InputError) {
        guard !key.trimmingCharacters(in: .whitespaces).isEmpty else { throw InputError("--run-key must not be empty") }
        guard key.count <= 200, !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputError("--run-key must be one line of at most 200 characters")
        }
    }
}
