import Foundation

/// How a run collects answers, named after ai-lb's execution modes (`X-Execution-Mode`).
public enum RunMode: String, Sendable, CaseIterable, Codable {
    /// Every backend of a case repeat at once; the first success wins and the others are cancelled. Only the
    /// winner's answer is complete, so agreement is not measured.
    case race
    /// Every backend's answer, judged.
    case all
    /// Every backend, one request at a time in config order: every answer, judged, with uncontended latencies.
    case sequence
    /// Every backend's answer and a verdict (and ai-lb's own verdict from a `kind: ailb` backend).
    case consensus

    /// Whether the run holds every backend's answer to each case repeat, so that it can be judged.
    public var hasEveryAnswer: Bool { self != .race }
}

/// Which equivalence rule decides that two answers are the same (see CONSENSUS.md).
public enum EquivalenceProfile: String, Sendable, CaseIterable, Codable {
    /// ai-lb's own `compute_consensus`, reproduced exactly.
    case ailb
    /// What a careful person means by "the same action".
    case semantic
}

/// What kind of server a backend is.
public enum BackendKind: String, Sendable, CaseIterable, Codable {
    /// Any OpenAI-compatible server: LM Studio, Ollama, llama.cpp, vLLM.
    case openai
    /// The built-in simulated server (served in-process when no `url` is given).
    case mock
    /// An ai-lb load balancer, to which requests are delegated with `X-Execution-Mode`.
    case ailb
    /// A backend behind an ai-lb load balancer, discovered from its answers (never written in config.yaml).
    case ailbMember = "ailb-member"

    /// The kinds a config file may name.
    public static let configurable: [BackendKind] = [.openai, .mock, .ailb]
}

/// The simulated behaviour of a `kind: mock` backend.
public struct MockBehavior: Sendable, Hashable, Codable {
    /// Seed for the deterministic answers of this backend.
    public var seed: UInt64 = 0
    /// Probability that an answer differs in substance: another tool, another argument, reworded text.
    public var drift: Double = 0
    /// Probability that an answer differs only in form (number spelling, argument encoding, call order,
    /// `<think>` blocks): what the `ailb` profile calls a disagreement and the `semantic` one does not.
    public var noise: Double = 0
    /// Added latency per request, in milliseconds.
    public var latencyMs: Double = 0
    /// Random extra latency up to this many milliseconds.
    public var jitterMs: Double = 0
    /// Probability that a request fails with `errorStatus`.
    public var errorRate: Double = 0
    /// The HTTP status of simulated failures.
    public var errorStatus: Int = 500
    /// A fault injected into every answer (`fault:`), to rehearse a misbehaving server.
    public var fault: MockFault = .none

    public init() {}
}

/// One backend as the user configured it, validated and with environment variables expanded.
public struct BackendConfig: Sendable, Hashable {
    /// The alias used everywhere in reports.
    public var name: String
    public var kind: BackendKind
    /// OpenAI-compatible base URLs (`…/v1`); several are replicas used round-robin. Empty for an
    /// in-process mock until it is started.
    public var urls: [URL]
    /// The model id the server knows; `auto` until it is resolved through `GET {url}/models` at run start.
    public var model: String
    /// The canonical name the user wrote (`model: qwen2.5-7b-instruct`) when `models:` maps it to this
    /// backend's own id; nil when `model` is written as the server knows it.
    public var canonicalModel: String?
    /// For `model: auto`: the models to pick, in order of preference (canonical names or ids); empty means
    /// the first one the server lists.
    public var preferredModels: [String] = []
    /// The model, for grouping (`qwen2.5-7b-instruct`); defaults to `model`.
    public var family: String
    /// The quantization (`4bit`, `Q4_K_M`, `fp16`); empty when unknown.
    public var quant: String
    public var maxConcurrency: Int?
    /// Request timeout in seconds; nil means the run's default.
    public var timeout: Double?
    /// The name of the environment variable holding the API key (never the key itself).
    public var apiKeyEnv: String?
    /// Extra headers sent with every request.
    public var headers: [String: String]
    /// The PEM bundle of CA certificates that verifies the backend's TLS certificate (`ca_file`), as an
    /// absolute path; nil: the system's trust store.
    public var caFile: String?
    /// Whether any TLS certificate of the backend is accepted (`insecure_skip_verify`): only for a backend
    /// on this machine, unless the run allows insecure TLS.
    public var insecureSkipVerify: Bool
    /// Behaviour of a mock backend.
    public var mock: MockBehavior?
    /// Delegation settings of an ai-lb backend (`kind: ailb`).
    public var ailbOptions: AILBOptions?
    /// Where in the config file this backend was declared (for messages).
    public var location: SourceLocation?

    /// The `model` value that asks for the server's first listed (or first preferred) model.
    public static let autoModel = "auto"

    /// How the transport checks this backend's certificate.
    package var tls: TLSOptions { TLSOptions(caFile: caFile, insecureSkipVerify: insecureSkipVerify) }

    /// True while `model` is `auto` and still to be resolved.
    public var modelIsAuto: Bool { model == Self.autoModel }

    /// A backend; `family` defaults to `model`.
    public init(
        name: String, kind: BackendKind = .openai, urls: [URL] = [], model: String, family: String? = nil,
        quant: String = "", maxConcurrency: Int? = nil, timeout: Double? = nil, apiKeyEnv: String? = nil,
        headers: [String: String] = [:], mock: MockBehavior? = nil, location: SourceLocation? = nil,
        caFile: String? = nil, insecureSkipVerify: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.urls = urls
        self.model = model
        self.family = family ?? model
        self.quant = quant
        self.maxConcurrency = maxConcurrency
        self.timeout = timeout
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.mock = mock
        self.location = location
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// Request and run defaults (`defaults:` in config.yaml); flags override them.
public struct RunDefaults: Sendable, Hashable {
    public var mode: RunMode = .consensus
    public var temperature: Double? = 0
    public var maxTokens: Int? = 512
    public var seed: Int? = 42
    /// Whether each repeat of a sampled request sends a seed of its own (a suite's `repeat_seed` wins).
    public var repeatSeed: RepeatSeed = .fixed
    public var stream: Bool = false
    /// How many times each case is asked (a case's own `repeat` overrides it).
    public var repeats: Int = 1
    /// Requests in flight at once, over all backends.
    public var concurrency: Int = 16
    /// Request timeout in seconds.
    public var timeout: Double = 120
    /// Retries after the first attempt, for connect errors, 429 and 5xx.
    public var retries: Int = 2

    public init() {}
}

/// How answers are compared (`consensus:` in config.yaml).
public struct ConsensusSettings: Sendable, Hashable {
    /// Text similarity at or above which two texts agree.
    public var threshold: Double = 0.9
    /// The profile reports and gates use; both are always computed and stored.
    public var profile: EquivalenceProfile = .ailb

    public init() {}
}

/// Agreement bars for the gate (`gates:` in config.yaml); nil means not checked.
public struct GateThresholds: Sendable, Hashable {
    public var minAgreement: Double?
    public var minAccuracy: Double?
    public var maxSpurious: Double?
    public var perFamily: [String: Double] = [:]
    public var perQuant: [String: Double] = [:]
    /// At most this many case repeats where ai-lb's own verdict differs from ours (`max_lb_mismatch`).
    public var maxLoadBalancerMismatches: Int?
    /// At most this p95 of the time the run's mode took to answer a case repeat, in milliseconds
    /// (`max_p95_latency_ms`; see `AnswerTime`).
    public var maxP95LatencyMs: Double?

    public init() {}
}

/// Resource limits.
public struct Limits: Sendable, Hashable {
    /// Bodies larger than this are cut off and recorded as `too_large`.
    public var maxResponseBytes: Int = 8 * 1024 * 1024

    public init() {}
}

/// A validated config.yaml.
public struct EvalConfig: Sendable {
    /// The file it was read from, if any.
    public var sourcePath: String?
    public var backends: [BackendConfig]
    public var defaults = RunDefaults()
    public var consensus = ConsensusSettings()
    /// Where runs are stored: the SQLite file, relative to the working directory (`storage.path`), or a
    /// PostgreSQL URL (`storage.url`).
    public var storagePath = "ailb-eval.sqlite"
    /// `storage.password_env`: the variable holding the PostgreSQL password (else `PGPASSWORD`).
    public var storagePasswordEnv: String?
    /// Where reports are written.
    public var reportsDir = "reports"
    /// The reference backend for flips (nil: the highest-precision quant of each family).
    public var referenceBackend: String?
    public var gates = GateThresholds()
    public var limits = Limits()
    /// `models:`: canonical model names mapped to the id each backend knows them by (backend name → id),
    /// like ai-lb's MODEL_EQUIVALENTS.
    public var modelEquivalents: [String: [String: String]] = [:]
    /// `preferred_models:` at the top level: the preference of every `model: auto` backend without its own.
    public var preferredModels: [String] = []

    public init(backends: [BackendConfig]) {
        self.backends = backends
    }
}

/// A position in a source file, 1-based.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
