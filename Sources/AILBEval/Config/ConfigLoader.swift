import Foundation

/// Reads and validates `config.yaml` into an `EvalConfig`.
///
/// The file is decoded into `UserConfig`, then resolved here: defaults applied, names and combinations
/// checked. Every problem is reported as an `InputError` at the line and column where it was written.
public enum ConfigLoader {
    /// Reads the config file at `path`, expanding `${VAR}` from `environment`. `allowInsecureTLS` lets
    /// `insecure_skip_verify: true` stand for a backend that is not on this machine.
    public static func load(
        path: String, environment: [String: String], allowInsecureTLS: Bool = false
    )
        throws(InputError) -> EvalConfig
    {
        let text = try readText(path: path, what: "config file")
        var config = try parse(yaml: text, file: path, environment: environment, allowInsecureTLS: allowInsecureTLS)
        config.sourcePath = path
        return config
    }

    /// Reads the config the tool should use: `path` when given (it must exist), else `config.yaml` in the
    /// working directory when present, else the embedded default.
    public static func resolve(
        path: String?, environment: [String: String], allowInsecureTLS: Bool = false
    )
        throws(InputError) -> EvalConfig
    {
        if let path { return try load(path: path, environment: environment, allowInsecureTLS: allowInsecureTLS) }
        if FileManager.default.fileExists(atPath: "config.yaml") {
            return try load(path: "config.yaml", environment: environment, allowInsecureTLS: allowInsecureTLS)
        }
        return try parse(
            yaml: embeddedDefaultYAML, file: "<embedded config.yaml>", environment: environment,
            allowInsecureTLS: allowInsecureTLS)
    }

    /// Parses config text; `file` names it in messages, and relative `ca_file` paths are read beside it.
    public static func parse(
        yaml: String, file: String, environment: [String: String], allowInsecureTLS: Bool = false
    ) throws(InputError) -> EvalConfig {
        let reader = YAMLReader(file: file, environment: environment)
        let document = try reader.decode(Located<UserConfig>.self, from: reader.root(of: yaml))
        return try ConfigResolver(file: file, allowInsecureTLS: allowInsecureTLS).resolve(document)
    }

    /// The text of a file, or an error naming it.
    static func readText(path: String, what: String) throws(InputError) -> String {
        try InputFile.readText(path: path, what: what)
    }
}

/// Turns a decoded `UserConfig` into an `EvalConfig`: defaults, names, ranges and combinations of keys.
private struct ConfigResolver {
    /// The config file, for `ca_file` paths relative to it.
    let file: String
    /// Whether `insecure_skip_verify: true` may stand for a backend that is not on this machine.
    let allowInsecureTLS: Bool

    func resolve(_ document: Located<UserConfig>) throws(InputError) -> EvalConfig {
        let user = document.value
        guard let backendList = user.backends else {
            throw document.error("missing required key 'backends' (a list of backends)")
        }
        guard !backendList.value.isEmpty else {
            throw backendList.error("'backends' is empty; expected at least one backend")
        }
        var backends: [BackendConfig] = []
        var nameLines: [String: Int] = [:]
        var familyGiven: Set<String> = []
        for entry in backendList.value {
            let (backend, nameLocation) = try self.backend(entry)
            if let firstLine = nameLines[backend.name] {
                throw InputError(
                    at: nameLocation, "duplicate backend name '\(backend.name)' (first at line \(firstLine))")
            }
            nameLines[backend.name] = nameLocation.line
            if entry.value.family != nil { familyGiven.insert(backend.name) }
            backends.append(backend)
        }
        var equivalents: [String: [String: String]] = [:]
        if let models = user.models { equivalents = try modelEquivalents(models, backends: backends) }
        var preferred: [String] = []
        if let list = user.preferredModels { preferred = try modelList(list) }
        for index in backends.indices {
            let canonical = backends[index].model
            if let id = equivalents[canonical]?[backends[index].name] {
                backends[index].model = id
                backends[index].canonicalModel = canonical
            }
            // The canonical name groups the backends that serve the same model under different ids.
            if equivalents[canonical] != nil, !familyGiven.contains(backends[index].name) {
                backends[index].family = canonical
            }
            if backends[index].modelIsAuto, backends[index].preferredModels.isEmpty {
                backends[index].preferredModels = preferred
            }
        }
        var config = EvalConfig(backends: backends)
        config.modelEquivalents = equivalents
        config.preferredModels = preferred
        if let defaults = user.defaults { config.defaults = try runDefaults(defaults) }
        if let consensus = user.consensus { config.consensus = try consensusSettings(consensus) }
        if let storage = user.storage { try applyStorage(storage, to: &config) }
        if let dir = user.reports?.dir { config.reportsDir = try dir.nonEmpty() }
        if let reference = user.reports?.reference {
            guard backends.contains(where: { $0.name == reference.value }) else {
                throw reference.error(unknownNameMessage("backend", reference.value, among: backends.map(\.name)))
            }
            config.referenceBackend = reference.value
        }
        if let gates = user.gates { config.gates = try gateThresholds(gates, backends: backends) }
        if let bytes = user.limits?.maxResponseBytes {
            config.limits.maxResponseBytes = try IntegerSetting(key: bytes.key, minimum: 1).checked(bytes)
        }
        return config
    }

    /// `storage:`: a SQLite file (`path`) or a PostgreSQL database (`url`, its password in the variable
    /// `password_env` names); a URL that holds a password is refused here, before anything runs.
    func applyStorage(_ storage: UserStorage, to config: inout EvalConfig) throws(InputError) {
        if let path = storage.path, storage.url != nil {
            throw path.keyError("storage: set 'path' (a SQLite file) or 'url' (a PostgreSQL database), not both")
        }
        if let path = storage.path { config.storagePath = try path.nonEmpty() }
        if let url = storage.url {
            let value = try url.nonEmpty()
            guard PostgresAddress.isURL(value) else {
                throw url.error("storage.url must be a postgres:// or postgresql:// URL (a SQLite file goes in storage.path)")
            }
            do {
                try PostgresAddress.checkForm(of: value)
            } catch {
                throw url.error(error.message)
            }
            config.storagePath = value
        }
        if let variable = storage.passwordEnv { config.storagePasswordEnv = try variable.nonEmpty() }
    }

    // MARK: Backends

    /// The backend and where its name is written.
    func backend(_ entry: Located<UserBackend>) throws(InputError) -> (BackendConfig, SourceLocation) {
        let user = entry.value
        guard let nameValue = user.name else { throw entry.error("missing required key 'name' in backend") }
        let name = try nameValue.nonEmpty()
        guard name.wholeMatch(of: /[A-Za-z0-9._-]+/) != nil else {
            throw nameValue.error("invalid backend name '\(name)'; expected letters, digits, '.', '_' or '-'")
        }
        var kind = BackendKind.openai
        if let kindValue = user.kind { kind = try kindValue.oneOf(BackendKind.configurable) }
        guard let modelValue = user.model else {
            throw entry.error("missing required key 'model' in backend '\(name)'")
        }
        let model = try modelValue.nonEmpty()
        let urls = try self.urls(entry, kind: kind, backend: name)

        var backend = BackendConfig(name: name, kind: kind, urls: urls, model: model, location: entry.location)
        if let list = user.preferredModels {
            guard model == BackendConfig.autoModel else {
                throw list.keyError(
                    "'preferred_models' only applies with model: auto, but backend '\(name)' has model: \(model)")
            }
            backend.preferredModels = try modelList(list)
        }
        if let family = user.family { backend.family = try family.nonEmpty() }
        if let quant = user.quant { backend.quant = quant }
        if let value = user.maxConcurrency {
            backend.maxConcurrency = try IntegerSetting(key: value.key, minimum: 1).checked(value)
        }
        if let value = user.timeout { backend.timeout = try NumberSetting.timeout.checked(value) }
        if let value = user.apiKeyEnv {
            guard value.value.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
                throw value.error(
                    "'api_key_env' must name an environment variable (like LMSTUDIO_KEY), found \"\(value.value)\"")
            }
            backend.apiKeyEnv = value.value
        }
        if let headers = user.headers { backend.headers = headers }
        if let caFile = user.caFile { backend.caFile = try caFilePath(caFile) }
        if let skip = user.insecureSkipVerify, skip.value {
            try checkInsecureSkipVerify(skip, backend: backend)
            backend.insecureSkipVerify = true
        }
        if let mock = user.mock {
            guard kind == .mock else {
                throw mock.keyError(
                    "'mock' is only allowed for kind: mock, but backend '\(name)' is kind: \(kind.rawValue)")
            }
            backend.mock = try mockBehavior(mock.value)
        } else if kind == .mock {
            backend.mock = MockBehavior()
        }
        if kind == .ailb {
            backend.ailbOptions = try loadBalancerOptions(user)
        } else if let written = user.loadBalancerKeys.first(where: { $0.keyLocation != nil }) {
            throw InputError(
                at: written.keyLocation,
                "'\(written.key.stringValue)' is only allowed for kind: ailb, but backend '\(name)' is kind: \(kind.rawValue)")
        }
        return (backend, nameValue.location)
    }

    func urls(_ entry: Located<UserBackend>, kind: BackendKind, backend: String) throws(InputError) -> [URL] {
        var written: [Located<String>] = []
        if entry.value.url != nil, let urls = entry.value.urls {
            throw urls.keyError("backend '\(backend)' has both 'url' and 'urls'; use one of them")
        }
        if let url = entry.value.url {
            written = [url]
        } else if let urls = entry.value.urls {
            written = urls.value
            if written.isEmpty { throw urls.error("'urls' is empty; expected at least one URL") }
        }
        if written.isEmpty && kind != .mock {
            throw entry.error(
                "missing required key 'url' (or 'urls') in backend '\(backend)' of kind: \(kind.rawValue)")
        }
        var result: [URL] = []
        for text in written {
            guard let url = URL(string: text.value), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                let host = url.host, !host.isEmpty
            else {
                throw text.error(
                    "invalid URL \"\(text.value)\"; expected http:// or https:// and a host, like http://localhost:1234/v1")
            }
            result.append(url)
        }
        return result
    }

    /// The absolute path of `ca_file` (relative paths are read beside the config file), which must be a
    /// readable file holding PEM certificates: a wrong path is reported here, not as a TLS failure mid-run.
    func caFilePath(_ value: Located<String>) throws(InputError) -> String {
        let written = try value.nonEmpty()
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        let path =
            written.hasPrefix("/") ? written : directory.appendingPathComponent(written).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw value.error("'ca_file' \"\(written)\" does not exist (looked for \(path))")
        }
        guard !isDirectory.boolValue else {
            throw value.error("'ca_file' \"\(written)\" is a directory; expected a PEM file of CA certificates")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw value.error("'ca_file' \"\(written)\" cannot be read (\(path))")
        }
        guard data.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            throw value.error("'ca_file' \"\(written)\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return path
    }

    /// Refuses to skip certificate checks towards another machine, where anyone on the path could answer
    /// in the backend's name, unless the user allowed it for the whole run.
    func checkInsecureSkipVerify(_ value: Located<Bool>, backend: BackendConfig) throws(InputError) {
        if backend.caFile != nil {
            throw value.keyError(
                "backend '\(backend.name)' has both 'ca_file' and 'insecure_skip_verify: true'; use one of them")
        }
        guard !allowInsecureTLS, let remote = backend.urls.first(where: { !LoopbackHost.contains($0) }) else { return }
        throw value.error(
            "'insecure_skip_verify' is only allowed for a backend on this machine (127.0.0.0/8, ::1, localhost), "
                + "but backend '\(backend.name)' is at \(remote.host ?? remote.absoluteString); "
                + "--allow-insecure-tls allows it for any host")
    }

    func mockBehavior(_ user: UserMock) throws(InputError) -> MockBehavior {
        var mock = MockBehavior()
        if let value = user.seed { mock.seed = UInt64(try IntegerSetting(key: value.key, minimum: 0).checked(value)) }
        if let value = user.drift { mock.drift = try NumberSetting.fraction(value.key).checked(value) }
        if let value = user.noise { mock.noise = try NumberSetting.fraction(value.key).checked(value) }
        if let value = user.errorRate { mock.errorRate = try NumberSetting.fraction(value.key).checked(value) }
        if let value = user.latencyMs { mock.latencyMs = try milliseconds(value) }
        if let value = user.jitterMs { mock.jitterMs = try milliseconds(value) }
        if let status = user.errorStatus {
            guard (400...599).contains(status.value) else {
                throw status.error(
                    "'error_status' must be an HTTP error status (400 to 599), found \(status.value)")
            }
            mock.errorStatus = status.value
        }
        if let fault = user.fault { mock.fault = try fault.oneOf(MockFault.allCases) }
        return mock
    }

    /// A mock's added latency: up to ten minutes.
    func milliseconds(_ value: Located<Double>) throws(InputError) -> Double {
        try NumberSetting(key: value.key, rule: .between(0, 600_000)).checked(value)
    }

    func loadBalancerOptions(_ user: UserBackend) throws(InputError) -> AILBOptions {
        var options = AILBOptions()
        if let list = user.targetBackends { options.targetBackends = list.values }
        if let value = user.maxBackends {
            options.maxBackends = try IntegerSetting(key: value.key, minimum: 1).checked(value)
        }
        if let value = user.executionTimeout {
            options.executionTimeout = try NumberSetting(key: value.key, rule: .positive).checked(value)
        }
        if let value = user.requestTimeout {
            options.requestTimeout = try NumberSetting(key: value.key, rule: .positive).checked(value)
        }
        for (alias, entry) in user.members?.value.entries ?? [] {
            var member = AILBMember()
            if let family = entry.value.family { member.family = try family.nonEmpty() }
            member.quant = entry.value.quant
            if let model = entry.value.model { member.model = try model.nonEmpty() }
            if let address = entry.value.address {
                let text = try address.nonEmpty()
                guard text.wholeMatch(of: /[^\s\/]+:\d{1,5}/) != nil else {
                    throw address.error(
                        "member '\(alias)': address '\(text)' is not host:port as ai-lb reports it (e.g. 192.168.1.20:1234)")
                }
                if let other = options.members.first(where: { $0.value.address == text })?.key {
                    throw address.error("members '\(other)' and '\(alias)' have the same address \(text)")
                }
                member.address = text
            }
            options.members[alias] = member
        }
        return options
    }

    // MARK: Models

    /// `models:`: canonical name → {backend name: the id that backend knows}.
    func modelEquivalents(
        _ models: YAMLMap<UserModelIDs>, backends: [BackendConfig]
    ) throws(InputError)
        -> [String: [String: String]]
    {
        let names = backends.map(\.name)
        var result: [String: [String: String]] = [:]
        for (canonical, entry) in models.entries {
            guard canonical != BackendConfig.autoModel, !canonical.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw entry.keyError("'\(canonical)' cannot be a canonical model name in 'models'")
            }
            var ids: [String: String] = [:]
            for (backend, id) in entry.value.ids.entries {
                guard names.contains(backend) else {
                    throw id.keyError(
                        unknownNameMessage("backend", backend, among: names) + " (in models: \(canonical))")
                }
                guard try id.nonEmpty() != BackendConfig.autoModel else {
                    throw id.error("'auto' is not a model id; write model: auto on the backend instead")
                }
                ids[backend] = id.value
            }
            result[canonical] = ids
        }
        return result
    }

    /// A non-empty list of model names without `auto`.
    func modelList(_ list: Located<StringList>) throws(InputError) -> [String] {
        guard !list.values.isEmpty else { throw list.error("'\(list.key)' is empty; expected at least one model") }
        for name in list.values
        where name.trimmingCharacters(in: .whitespaces).isEmpty || name == BackendConfig.autoModel {
            throw list.error("'\(list.key)' lists \"\(name)\"; expected model names or ids")
        }
        return list.values
    }

    // MARK: Sections

    func runDefaults(_ user: UserRunDefaults) throws(InputError) -> RunDefaults {
        var defaults = RunDefaults()
        if let mode = user.mode { defaults.mode = try mode.oneOf(RunMode.allCases) }
        if let temperature = user.temperature {
            defaults.temperature = try temperature.value.map { value throws(InputError) in
                try NumberSetting(key: temperature.key, rule: .between(0, 2)).checked(value, at: temperature.location)
            }
        }
        if let maxTokens = user.maxTokens {
            defaults.maxTokens = try maxTokens.value.map { value throws(InputError) in
                try IntegerSetting(key: maxTokens.key, minimum: 1).checked(value, at: maxTokens.location)
            }
        }
        if let seed = user.seed { defaults.seed = seed.value }
        if let strategy = user.repeatSeed { defaults.repeatSeed = try strategy.oneOf(RepeatSeed.allCases) }
        if let stream = user.stream { defaults.stream = stream }
        if let value = user.repeats { defaults.repeats = try IntegerSetting.repeats.checked(value) }
        if let value = user.concurrency { defaults.concurrency = try IntegerSetting.concurrency.checked(value) }
        if let value = user.timeout { defaults.timeout = try NumberSetting.timeout.checked(value) }
        if let value = user.retries { defaults.retries = try IntegerSetting.retries.checked(value) }
        return defaults
    }

    func consensusSettings(_ user: UserConsensus) throws(InputError) -> ConsensusSettings {
        var settings = ConsensusSettings()
        if let value = user.threshold { settings.threshold = try NumberSetting.threshold.checked(value) }
        if let profile = user.profile { settings.profile = try profile.oneOf(EquivalenceProfile.allCases) }
        return settings
    }

    func gateThresholds(_ user: UserGates, backends: [BackendConfig]) throws(InputError) -> GateThresholds {
        var gates = GateThresholds()
        if let value = user.minAgreement { gates.minAgreement = try NumberSetting.minAgreement.checked(value) }
        if let value = user.minAccuracy { gates.minAccuracy = try NumberSetting.minAccuracy.checked(value) }
        if let value = user.maxSpurious { gates.maxSpurious = try NumberSetting.maxSpurious.checked(value) }
        if let value = user.maxP95LatencyMs { gates.maxP95LatencyMs = try NumberSetting.maxP95LatencyMs.checked(value) }
        if let value = user.maxLoadBalancerMismatches {
            gates.maxLoadBalancerMismatches = try IntegerSetting.maxLoadBalancerMismatches.checked(value)
        }
        let families = orderedUnique(
            backends.flatMap { backend in
                [backend.family] + (backend.ailbOptions?.members.values.compactMap(\.family) ?? [])
            })
        let quants = orderedUnique(
            backends.flatMap { backend in
                [backend.quant] + (backend.ailbOptions?.members.values.compactMap(\.quant) ?? [])
            }.filter { !$0.isEmpty })
        if let map = user.perFamily { gates.perFamily = try thresholds(map, what: "family", known: families) }
        if let map = user.perQuant { gates.perQuant = try thresholds(map, what: "quant", known: quants) }
        return gates
    }

    func thresholds(_ map: YAMLMap<Double>, what: String, known: [String]) throws(InputError) -> [String: Double] {
        var result: [String: Double] = [:]
        for (name, value) in map.entries {
            guard known.contains(name) else { throw value.keyError(unknownNameMessage(what, name, among: known)) }
            result[name] = try NumberSetting.fraction(name).checked(value)
        }
        return result
    }

    func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
