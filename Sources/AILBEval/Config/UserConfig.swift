/// `config.yaml` as the user wrote it: every key optional, every value that a later check may refuse kept
/// with its position. `ConfigLoader` resolves it into an `EvalConfig`.
///
/// Each type's `CodingKeys` is the one list of the keys it allows (see `YAMLNodeDecoder`).
struct UserConfig: YAMLMapping {
    var backends: Located<[Located<UserBackend>]>?
    var models: YAMLMap<UserModelIDs>?
    var preferredModels: Located<StringList>?
    var defaults: UserRunDefaults?
    var consensus: UserConsensus?
    var storage: UserStorage?
    var reports: UserReports?
    var gates: UserGates?
    var limits: UserLimits?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case backends, models
        case preferredModels = "preferred_models"
        case defaults, consensus, storage, reports, gates, limits
    }

    static func yamlName(key: String) -> String { "the config" }
}

/// One entry of `backends:`.
struct UserBackend: YAMLMapping {
    var name: Located<String>?
    var kind: Located<String>?
    var url: Located<String>?
    var urls: Located<[Located<String>]>?
    var model: Located<String>?
    var preferredModels: Located<StringList>?
    var family: Located<String>?
    var quant: String?
    var maxConcurrency: Located<Int>?
    var timeout: Located<Double>?
    var apiKeyEnv: Located<String>?
    var headers: [String: String]?
    var mock: Located<UserMock>?
    var targetBackends: Located<StringList>?
    var maxBackends: Located<Int>?
    var executionTimeout: Located<Double>?
    var requestTimeout: Located<Double>?
    var members: Located<YAMLMap<UserMember>>?
    var caFile: Located<String>?
    var insecureSkipVerify: Located<Bool>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, url, urls, model
        case preferredModels = "preferred_models"
        case family, quant
        case maxConcurrency = "max_concurrency"
        case timeout
        case apiKeyEnv = "api_key_env"
        case headers, mock
        case targetBackends = "target_backends"
        case maxBackends = "max_backends"
        case executionTimeout = "execution_timeout"
        case requestTimeout = "request_timeout"
        case members
        case caFile = "ca_file"
        case insecureSkipVerify = "insecure_skip_verify"
    }

    static func yamlName(key: String) -> String { "backend" }

    /// The keys only a `kind: ailb` backend may have, with where each is written when it is.
    var loadBalancerKeys: [(key: CodingKeys, keyLocation: SourceLocation?)] {
        [
            (.targetBackends, targetBackends?.keyLocation), (.maxBackends, maxBackends?.keyLocation),
            (.executionTimeout, executionTimeout?.keyLocation), (.requestTimeout, requestTimeout?.keyLocation),
            (.members, members?.keyLocation),
        ]
    }
}

/// `mock:` of a `kind: mock` backend.
struct UserMock: YAMLMapping {
    var seed: Located<Int>?
    var drift: Located<Double>?
    var noise: Located<Double>?
    var latencyMs: Located<Double>?
    var jitterMs: Located<Double>?
    var errorRate: Located<Double>?
    var errorStatus: Located<Int>?
    var fault: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case seed, drift, noise
        case latencyMs = "latency_ms"
        case jitterMs = "jitter_ms"
        case errorRate = "error_rate"
        case errorStatus = "error_status"
        case fault
    }

    static func yamlName(key: String) -> String { "mock" }
}

/// One entry of a load balancer's `members:`, under its alias or host:port.
struct UserMember: YAMLMapping {
    var family: Located<String>?
    var quant: String?
    var address: Located<String>?
    var model: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case family, quant, address, model
    }

    static func yamlName(key: String) -> String { "member '\(key)'" }
}

/// One entry of `models:`: backend name → the id that backend knows the canonical model by.
struct UserModelIDs: YAMLMapping, YAMLNodeDecodable {
    var ids: YAMLMap<String>

    init(yaml decoder: YAMLNodeDecoder) throws { ids = try YAMLMap(yaml: decoder) }

    static func yamlName(key: String) -> String { "model '\(key)'" }
}

/// `defaults:`. A key written as `null` is kept apart from one left out where null means "do not send".
struct UserRunDefaults: YAMLMapping {
    var mode: Located<String>?
    var temperature: Located<Double?>?
    var maxTokens: Located<Int?>?
    var seed: Located<Int?>?
    var repeatSeed: Located<String>?
    var stream: Bool?
    var repeats: Located<Int>?
    var concurrency: Located<Int>?
    var timeout: Located<Double>?
    var retries: Located<Int>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, temperature
        case maxTokens = "max_tokens"
        case seed
        case repeatSeed = "repeat_seed"
        case stream
        case repeats = "repeat"
        case concurrency, timeout, retries
    }

    static func yamlName(key: String) -> String { "defaults" }
}

/// `consensus:`.
struct UserConsensus: YAMLMapping {
    var threshold: Located<Double>?
    var profile: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case threshold, profile
    }

    static func yamlName(key: String) -> String { "consensus" }
}

/// `storage:`.
struct UserStorage: YAMLMapping {
    var path: Located<String>?
    var url: Located<String>?
    var passwordEnv: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, url
        case passwordEnv = "password_env"
    }

    static func yamlName(key: String) -> String { "storage" }
}

/// `reports:`.
struct UserReports: YAMLMapping {
    var dir: Located<String>?
    var reference: Located<String>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dir, reference
    }

    static func yamlName(key: String) -> String { "reports" }
}

/// `gates:`.
struct UserGates: YAMLMapping {
    var minAgreement: Located<Double>?
    var minAccuracy: Located<Double>?
    var maxSpurious: Located<Double>?
    var perFamily: YAMLMap<Double>?
    var perQuant: YAMLMap<Double>?
    var maxLoadBalancerMismatches: Located<Int>?
    var maxP95LatencyMs: Located<Double>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minAgreement = "min_agreement"
        case minAccuracy = "min_accuracy"
        case maxSpurious = "max_spurious"
        case perFamily = "per_family"
        case perQuant = "per_quant"
        case maxLoadBalancerMismatches = "max_lb_mismatch"
        case maxP95LatencyMs = "max_p95_latency_ms"
    }

    static func yamlName(key: String) -> String { "gates" }
}

/// `limits:`.
struct UserLimits: YAMLMapping {
    var maxResponseBytes: Located<Int>?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxResponseBytes = "max_response_bytes"
    }

    static func yamlName(key: String) -> String { "limits" }
}
