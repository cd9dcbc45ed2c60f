import Foundation

/// A run that passed every check and is ready to start: config, suites and plan, nothing written yet.
package struct PreparedRun: Sendable {
    package var config: EvalConfig
    package var suites: [Suite]
    package var plan: RunPlan
    package var options: RunOptions
    package var environment: [String: String]
    /// Set when this finishes a stored run rather than starting a new one.
    package var resumption: Resumption? = nil
    /// Every backend of the config in the run's order, as if `--backend` had named none: what the parts of a
    /// run split by `--backend` have in common (`UnsplitConfig`). Empty: the run's own backends.
    package var configuredBackends: [BackendConfig] = []

    /// The database after `--db` and the config's `storage.path` or `storage.url`.
    package var databasePath: String { options.databasePath ?? config.storagePath }

    /// Where the run is stored, its PostgreSQL password (if any) read from the environment.
    package func storeLocation() throws(InputError) -> StoreLocation {
        try StoreLocation(
            databasePath, passwordVariable: config.storagePasswordEnv, environment: environment,
            source: options.databasePath != nil ? "--db" : "storage.url")
    }

    /// Loads and validates config and suites and applies the options. Throws `InputError` for any bad input,
    /// before anything is written.
    package static func prepare(_ options: RunOptions, environment: [String: String]) throws(InputError) -> PreparedRun {
        var config = try loadConfig(
            options.configPath, environment: environment, allowInsecureTLS: options.allowInsecureTLS)
        guard !options.suitePaths.isEmpty else {
            throw InputError("no suite given (try: ailb-eval suites/tools.yaml)")
        }
        var suites: [Suite] = []
        for path in options.suitePaths { suites.append(try SuiteLoader.load(path: path)) }
        var seenNames: [String: String] = [:]
        for suite in suites {
            if let other = seenNames[suite.name] {
                throw InputError("suites \(other) and \(suite.path) have the same name '\(suite.name)'")
            }
            seenNames[suite.name] = suite.path
        }
        if !options.tags.isEmpty {
            let wanted = Set(options.tags)
            suites = suites.map { suite in
                var filtered = suite
                filtered.cases = suite.cases.filter { !wanted.isDisjoint(with: $0.tags) }
                return filtered
            }
            if suites.allSatisfy({ $0.cases.isEmpty }) {
                throw InputError("no case carries any of the tags \(options.tags.joined(separator: ", "))")
            }
        }
        let configured = config.backends
        if !options.backendNames.isEmpty {
            let known = config.backends.map(\.name)
            for name in options.backendNames where !known.contains(name) {
                let hint = suggestion(for: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                throw InputError("unknown backend '\(name)'\(hint); config has: \(known.joined(separator: ", "))")
            }
            config.backends = config.backends.filter { options.backendNames.contains($0.name) }
        }
        if !options.order.isEmpty { config.backends = try Self.ordered(config.backends, by: options.order) }
        try config.applyFlags(options)
        if let bar = config.gates.minAccuracy, !suites.contains(where: { $0.cases.contains { $0.expect != nil } }) {
            // A bar with nothing to measure would fail every run; it is a mistake in the command or the config.
            let source =
                options.minAccuracy != nil
                ? "--min-accuracy \(bar)" : "gates.min_accuracy \(bar) in \(config.sourcePath ?? "the config")"
            throw InputError(
                "\(source) cannot be checked: no case of \(suites.map(\.path).joined(separator: ", ")) has an expected answer (expect)")
        }
        for backend in config.backends {
            if let variable = backend.apiKeyEnv, environment[variable] == nil {
                throw InputError(
                    at: backend.location, "backend '\(backend.name)': environment variable \(variable) (api_key_env) is not set")
            }
        }
        let plan = RunPlan(
            suites: suites, backends: config.backends, defaults: config.defaults, repeatsOverride: options.repeats,
            repeatSeedOverride: options.repeatSeed)
        // The order names only backends of the run (checked above), so it orders every configured one too.
        let configuredInOrder = options.order.isEmpty ? configured : try Self.ordered(configured, by: options.order)
        return PreparedRun(
            config: config, suites: suites, plan: plan, options: options, environment: environment,
            configuredBackends: configuredInOrder)
    }

    /// Reads the config file, or the embedded default when none is named and `config.yaml` does not exist.
    /// `allowInsecureTLS` lets `insecure_skip_verify: true` stand for a backend on another machine.
    package static func loadConfig(
        _ path: String?, environment: [String: String], allowInsecureTLS: Bool = false
    )
        throws(InputError) -> EvalConfig
    {
        try ConfigLoader.resolve(path: path, environment: environment, allowInsecureTLS: allowInsecureTLS)
    }

    /// The config as stored with the run: everything but secrets (header values are masked; API keys are
    /// never read into it, only the names of their variables).
    package var configSnapshot: JSONValue {
        let backends = config.backends.map { b -> JSONValue in
            var object: [String: JSONValue] = [
                "name": .string(b.name), "kind": .string(b.kind.rawValue), "model": .string(b.model),
                "family": .string(b.family), "quant": .string(b.quant),
                "urls": .array(b.urls.map { .string(ChatClient.redacted($0)) }),
                "headers": .array(b.headers.keys.sorted().map { .string($0) }),
            ]
            if let canonical = b.canonicalModel { object["canonical_model"] = .string(canonical) }
            if !b.preferredModels.isEmpty { object["preferred_models"] = .array(b.preferredModels.map { .string($0) }) }
            if let m = b.maxConcurrency { object["max_concurrency"] = .int(m) }
            if let t = b.timeout { object["timeout"] = .double(t) }
            if let k = b.apiKeyEnv { object["api_key_env"] = .string(k) }
            if let file = b.caFile { object["ca_file"] = .string(file) }
            if b.insecureSkipVerify { object["insecure_skip_verify"] = true }
            if let options = b.ailbOptions {
                var ailb: [String: JSONValue] = [
                    "target_backends": .array(options.targetBackends.map { .string($0) }),
                    "members": .object(
                        options.members.mapValues { member in
                            var object: [String: JSONValue] = [
                                "family": member.family.map { .string($0) } ?? .null,
                                "quant": member.quant.map { .string($0) } ?? .null,
                            ]
                            if let address = member.address { object["address"] = .string(address) }
                            return .object(object)
                        }),
                ]
                if let max = options.maxBackends { ailb["max_backends"] = .int(max) }
                if let timeout = options.executionTimeout { ailb["execution_timeout"] = .double(timeout) }
                if let timeout = options.requestTimeout { ailb["request_timeout"] = .double(timeout) }
                object["ailb"] = .object(ailb)
            }
            if let mock = b.mock {
                object["mock"] = [
                    "seed": .int(Int(truncatingIfNeeded: mock.seed)), "drift": .double(mock.drift),
                    "noise": .double(mock.noise), "latency_ms": .double(mock.latencyMs),
                    "error_rate": .double(mock.errorRate), "fault": .string(mock.fault.rawValue),
                ]
            }
            return .object(object)
        }
        let d = config.defaults
        var snapshot: [String: JSONValue] = [
            "backends": .array(backends),
            "defaults": [
                "mode": .string(d.mode.rawValue), "temperature": d.temperature.map { .double($0) } ?? .null,
                "max_tokens": d.maxTokens.map { .int($0) } ?? .null, "seed": d.seed.map { .int($0) } ?? .null,
                "stream": .bool(d.stream), "repeat": .int(options.repeats ?? d.repeats),
                "concurrency": .int(d.concurrency), "timeout": .double(d.timeout), "retries": .int(d.retries),
            ],
            "consensus": [
                "threshold": .double(config.consensus.threshold), "profile": .string(config.consensus.profile.rawValue),
            ],
            "tags": .array(options.tags.map { .string($0) }),
        ]
        // Only when it is not the default, so that runs stored before the key existed resume unchanged.
        if d.repeatSeed != .fixed, case .object(var defaults)? = snapshot["defaults"] {
            defaults["repeat_seed"] = .string(d.repeatSeed.rawValue)
            snapshot["defaults"] = .object(defaults)
        }
        if !commandLineFlags.isEmpty { snapshot["flags"] = .object(commandLineFlags) }
        return .object(snapshot)
    }

    /// The flags that shaped the run's requests, as given on the command line (gates and output options
    /// excluded): what `--resume` restores, so that only config and suite edits count as changes.
    var commandLineFlags: [String: JSONValue] {
        var flags: [String: JSONValue] = [:]
        if let v = options.mode { flags["mode"] = .string(v.rawValue) }
        if let v = options.profile { flags["profile"] = .string(v.rawValue) }
        if let v = options.threshold { flags["threshold"] = .double(v) }
        if let v = options.concurrency { flags["concurrency"] = .int(v) }
        if let v = options.repeats { flags["repeat"] = .int(v) }
        if let v = options.timeout { flags["timeout"] = .double(v) }
        if let v = options.retries { flags["retries"] = .int(v) }
        if let v = options.stream { flags["stream"] = .bool(v) }
        if let v = options.repeatSeed { flags["repeat_seed"] = .string(v.rawValue) }
        if !options.backendNames.isEmpty { flags["backend"] = .array(options.backendNames.map { .string($0) }) }
        if !options.tags.isEmpty { flags["tag"] = .array(options.tags.map { .string($0) }) }
        if !options.order.isEmpty { flags["order"] = .array(options.order.map { .string($0) }) }
        return flags
    }
}

extension PreparedRun {
    /// `backends` with those `order` names first, in that order, and the rest after them in config order.
    static func ordered(_ backends: [BackendConfig], by order: [String]) throws(InputError) -> [BackendConfig] {
        let known = backends.map(\.name)
        var seen: Set<String> = []
        for name in order {
            guard known.contains(name) else {
                let hint = suggestion(for: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                throw InputError("--order: unknown backend '\(name)'\(hint); the run has: \(known.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else { throw InputError("--order names '\(name)' twice") }
        }
        let first = order.compactMap { name in backends.first { $0.name == name } }
        return first + backends.filter { !seen.contains($0.name) }
    }
}
