import Foundation
import Yams

/// Reads and validates `config.yaml` into an `EvalConfig`.
///
/// Every problem is reported as an `InputError` at the line and column where it was written.
public enum ConfigLoader {
    /// Reads the config file at `path`, expanding `${VAR}` from `environment`.
    public static func load(path: String, environment: [String: String]) throws(InputError) -> EvalConfig {
        let text = try readText(path: path, what: "config file")
        var config = try parse(yaml: text, file: path, environment: environment)
        config.sourcePath = path
        return config
    }

    /// Reads the config the tool should use: `path` when given (it must exist), else `config.yaml` in the
    /// working directory when present, else the embedded default.
    public static func resolve(path: String?, environment: [String: String]) throws(InputError) -> EvalConfig {
        if let path { return try load(path: path, environment: environment) }
        if FileManager.default.fileExists(atPath: "config.yaml") {
            return try load(path: "config.yaml", environment: environment)
        }
        return try parse(yaml: embeddedDefaultYAML, file: "<embedded config.yaml>", environment: environment)
    }

    /// Parses config text; `file` names it in messages.
    public static func parse(yaml: String, file: String, environment: [String: String]) throws(InputError)
        -> EvalConfig
    {
        let reader = YAMLReader(file: file, environment: environment)
        return try ConfigParser(reader: reader).parse(reader.root(of: yaml))
    }

    /// The text of a file, or an error naming it.
    static func readText(path: String, what: String) throws(InputError) -> String {
        try InputFile.readText(path: path, what: what)
    }
}

/// The walk over a config document.
private struct ConfigParser {
    let reader: YAMLReader

    static let topKeys = [
        "backends", "models", "preferred_models", "defaults", "consensus", "storage", "reports", "gates", "limits",
    ]
    static let backendKeys = [
        "name", "kind", "url", "urls", "model", "preferred_models", "family", "quant", "max_concurrency", "timeout",
        "api_key_env", "headers", "mock", "target_backends", "max_backends", "execution_timeout", "request_timeout",
        "members",
    ]
    static let ailbOnlyKeys = ["target_backends", "max_backends", "execution_timeout", "request_timeout", "members"]
    static let mockKeys = ["seed", "drift", "noise", "latency_ms", "jitter_ms", "error_rate", "error_status", "fault"]
    static let defaultsKeys = [
        "mode", "temperature", "max_tokens", "seed", "repeat_seed", "stream", "repeat", "concurrency", "timeout",
        "retries",
    ]
    static let consensusKeys = ["threshold", "profile"]
    static let storageKeys = ["path"]
    static let reportsKeys = ["dir", "reference"]
    static let gatesKeys = ["min_agreement", "min_accuracy", "max_spurious", "per_family", "per_quant", "max_lb_mismatch"]
    static let limitsKeys = ["max_response_bytes"]

    func parse(_ root: Node) throws(InputError) -> EvalConfig {
        let top = try reader.mapping(root, allowed: Self.topKeys, context: "the config")
        guard let backendsNode = top["backends"] else {
            throw reader.error(root, "missing required key 'backends' (a list of backends)")
        }
        let backendNodes = try reader.list(backendsNode, key: "backends")
        guard !backendNodes.isEmpty else {
            throw reader.error(backendsNode, "'backends' is empty; expected at least one backend")
        }
        var backends: [BackendConfig] = []
        var nameLines: [String: Int] = [:]
        var familyGiven: Set<String> = []
        for node in backendNodes {
            let (backend, nameNode) = try parseBackend(node)
            if let firstLine = nameLines[backend.name] {
                throw reader.error(nameNode, "duplicate backend name '\(backend.name)' (first at line \(firstLine))")
            }
            nameLines[backend.name] = reader.location(nameNode).line
            if case .mapping(let map) = node, map.keys.contains(where: { $0.string == "family" }) {
                familyGiven.insert(backend.name)
            }
            backends.append(backend)
        }
        var equivalents: [String: [String: String]] = [:]
        if let node = top["models"] { equivalents = try parseModels(node, backends: backends) }
        var preferred: [String] = []
        if let node = top["preferred_models"] { preferred = try modelList(node, key: "preferred_models") }
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
        if let node = top["defaults"] { config.defaults = try parseDefaults(node) }
        if let node = top["consensus"] { config.consensus = try parseConsensus(node) }
        if let node = top["storage"] {
            let storage = try reader.mapping(node, allowed: Self.storageKeys, context: "storage")
            if let path = storage["path"] { config.storagePath = try reader.nonEmptyString(path, key: "path") }
        }
        if let node = top["reports"] {
            let reports = try reader.mapping(node, allowed: Self.reportsKeys, context: "reports")
            if let dir = reports["dir"] { config.reportsDir = try reader.nonEmptyString(dir, key: "dir") }
            if let reference = reports["reference"] {
                let name = try reader.string(reference, key: "reference")
                guard backends.contains(where: { $0.name == name }) else {
                    throw reader.error(reference, unknownName("backend", name, among: backends.map(\.name)))
                }
                config.referenceBackend = name
            }
        }
        if let node = top["gates"] { config.gates = try parseGates(node, backends: backends) }
        if let node = top["limits"] {
            let limits = try reader.mapping(node, allowed: Self.limitsKeys, context: "limits")
            if let bytes = limits["max_response_bytes"] {
                config.limits.maxResponseBytes = try reader.int(bytes, key: "max_response_bytes", atLeast: 1)
            }
        }
        return config
    }

    // MARK: Backends

    func parseBackend(_ node: Node) throws(InputError) -> (BackendConfig, Node) {
        let map = try reader.mapping(node, allowed: Self.backendKeys, context: "backend")
        guard let nameNode = map["name"] else { throw reader.error(node, "missing required key 'name' in backend") }
        let name = try reader.nonEmptyString(nameNode, key: "name")
        guard name.wholeMatch(of: /[A-Za-z0-9._-]+/) != nil else {
            throw reader.error(
                nameNode, "invalid backend name '\(name)'; expected letters, digits, '.', '_' or '-'")
        }
        var kind = BackendKind.openai
        if let kindNode = map["kind"] {
            let text = try reader.string(kindNode, key: "kind")
            guard let value = BackendKind(rawValue: text), BackendKind.configurable.contains(value) else {
                throw reader.error(
                    kindNode, unknownValue("kind", text, among: BackendKind.configurable.map(\.rawValue)))
            }
            kind = value
        }
        guard let modelNode = map["model"] else {
            throw reader.error(node, "missing required key 'model' in backend '\(name)'")
        }
        let model = try reader.nonEmptyString(modelNode, key: "model")
        let urls = try parseURLs(map, kind: kind, backend: name)

        var backend = BackendConfig(name: name, kind: kind, urls: urls, model: model, location: reader.location(node))
        if let value = map["preferred_models"] {
            guard model == BackendConfig.autoModel else {
                throw reader.error(
                    map.keyNode("preferred_models") ?? value,
                    "'preferred_models' only applies with model: auto, but backend '\(name)' has model: \(model)")
            }
            backend.preferredModels = try modelList(value, key: "preferred_models")
        }
        if let family = map["family"] { backend.family = try reader.nonEmptyString(family, key: "family") }
        if let quant = map["quant"] { backend.quant = try reader.string(quant, key: "quant") }
        if let value = map["max_concurrency"] {
            backend.maxConcurrency = try reader.int(value, key: "max_concurrency", atLeast: 1)
        }
        if let value = map["timeout"] { backend.timeout = try reader.positiveDouble(value, key: "timeout") }
        if let value = map["api_key_env"] {
            let variable = try reader.string(value, key: "api_key_env")
            guard variable.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
                throw reader.error(
                    value, "'api_key_env' must name an environment variable (like LMSTUDIO_KEY), found \"\(variable)\"")
            }
            backend.apiKeyEnv = variable
        }
        if let value = map["headers"] { backend.headers = try reader.stringMap(value, key: "headers") }
        if let value = map["mock"] {
            guard kind == .mock else {
                throw reader.error(
                    map.keyNode("mock") ?? value,
                    "'mock' is only allowed for kind: mock, but backend '\(name)' is kind: \(kind.rawValue)")
            }
            backend.mock = try parseMock(value)
        } else if kind == .mock {
            backend.mock = MockBehavior()
        }
        if kind == .ailb {
            backend.ailbOptions = try parseAILB(map)
        } else if let key = Self.ailbOnlyKeys.first(where: { map.has($0) }) {
            throw reader.error(
                map.keyNode(key)!,
                "'\(key)' is only allowed for kind: ailb, but backend '\(name)' is kind: \(kind.rawValue)")
        }
        return (backend, nameNode)
    }

    func parseURLs(_ map: YAMLMapping, kind: BackendKind, backend: String) throws(InputError) -> [URL] {
        var nodes: [Node] = []
        if map.has("url"), let urlsKey = map.keyNode("urls") {
            throw reader.error(
                urlsKey, "backend '\(backend)' has both 'url' and 'urls'; use one of them")
        }
        if let url = map["url"] {
            nodes = [url]
        } else if let urls = map["urls"] {
            nodes = try reader.list(urls, key: "urls")
            if nodes.isEmpty { throw reader.error(urls, "'urls' is empty; expected at least one URL") }
        }
        if nodes.isEmpty && kind != .mock {
            throw reader.error(
                map.node, "missing required key 'url' (or 'urls') in backend '\(backend)' of kind: \(kind.rawValue)")
        }
        var result: [URL] = []
        for node in nodes {
            let text = try reader.string(node, key: "url")
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                let host = url.host, !host.isEmpty
            else {
                throw reader.error(
                    node,
                    "invalid URL \"\(text)\"; expected http:// or https:// and a host, like http://localhost:1234/v1")
            }
            result.append(url)
        }
        return result
    }

    func parseMock(_ node: Node) throws(InputError) -> MockBehavior {
        let map = try reader.mapping(node, allowed: Self.mockKeys, context: "mock")
        var mock = MockBehavior()
        if let value = map["seed"] { mock.seed = UInt64(try reader.int(value, key: "seed", atLeast: 0)) }
        if let value = map["drift"] { mock.drift = try reader.double(value, key: "drift", in: 0...1) }
        if let value = map["noise"] { mock.noise = try reader.double(value, key: "noise", in: 0...1) }
        if let value = map["error_rate"] { mock.errorRate = try reader.double(value, key: "error_rate", in: 0...1) }
        if let value = map["latency_ms"] {
            mock.latencyMs = try reader.double(value, key: "latency_ms", in: 0...600_000)
        }
        if let value = map["jitter_ms"] { mock.jitterMs = try reader.double(value, key: "jitter_ms", in: 0...600_000) }
        if let value = map["error_status"] {
            let status = try reader.int(value, key: "error_status")
            guard (400...599).contains(status) else {
                throw reader.error(value, "'error_status' must be an HTTP error status (400 to 599), found \(status)")
            }
            mock.errorStatus = status
        }
        if let value = map["fault"] {
            let text = try reader.string(value, key: "fault")
            guard let fault = MockFault(rawValue: text) else {
                throw reader.error(value, unknownValue("fault", text, among: MockFault.allCases.map(\.rawValue)))
            }
            mock.fault = fault
        }
        return mock
    }

    func parseAILB(_ map: YAMLMapping) throws(InputError) -> AILBOptions {
        var options = AILBOptions()
        if let value = map["target_backends"] {
            options.targetBackends = try reader.stringList(value, key: "target_backends")
        }
        if let value = map["max_backends"] {
            options.maxBackends = try reader.int(value, key: "max_backends", atLeast: 1)
        }
        if let value = map["execution_timeout"] {
            options.executionTimeout = try reader.positiveDouble(value, key: "execution_timeout")
        }
        if let value = map["request_timeout"] {
            options.requestTimeout = try reader.positiveDouble(value, key: "request_timeout")
        }
        if let value = map["members"] {
            for entry in try reader.anyMapping(value, context: "members").entries {
                let member = try reader.mapping(
                    entry.value, allowed: ["family", "quant", "address"], context: "member '\(entry.key)'")
                var result = AILBMember()
                if let family = member["family"] { result.family = try reader.nonEmptyString(family, key: "family") }
                if let quant = member["quant"] { result.quant = try reader.string(quant, key: "quant") }
                if let address = member["address"] {
                    let text = try reader.nonEmptyString(address, key: "address")
                    guard text.wholeMatch(of: /[^\s\/]+:\d{1,5}/) != nil else {
                        throw reader.error(
                            address, "member '\(entry.key)': address '\(text)' is not host:port as ai-lb reports it (e.g. 192.168.1.20:1234)")
                    }
                    if let other = options.members.first(where: { $0.value.address == text })?.key {
                        throw reader.error(address, "members '\(other)' and '\(entry.key)' have the same address \(text)")
                    }
                    result.address = text
                }
                options.members[entry.key] = result
            }
        }
        return options
    }

    // MARK: Models

    /// `models:`: canonical name → {backend name: the id that backend knows}.
    func parseModels(_ node: Node, backends: [BackendConfig]) throws(InputError) -> [String: [String: String]] {
        let names = backends.map(\.name)
        var result: [String: [String: String]] = [:]
        for entry in try reader.anyMapping(node, context: "models").entries {
            guard entry.key != BackendConfig.autoModel, !entry.key.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw reader.error(entry.keyNode, "'\(entry.key)' cannot be a canonical model name in 'models'")
            }
            var ids: [String: String] = [:]
            for idEntry in try reader.anyMapping(entry.value, context: "model '\(entry.key)'").entries {
                guard names.contains(idEntry.key) else {
                    throw reader.error(
                        idEntry.keyNode,
                        unknownName("backend", idEntry.key, among: names) + " (in models: \(entry.key))")
                }
                let id = try reader.nonEmptyString(idEntry.value, key: idEntry.key)
                guard id != BackendConfig.autoModel else {
                    throw reader.error(idEntry.value, "'auto' is not a model id; write model: auto on the backend instead")
                }
                ids[idEntry.key] = id
            }
            result[entry.key] = ids
        }
        return result
    }

    /// A non-empty list of model names without `auto`.
    func modelList(_ node: Node, key: String) throws(InputError) -> [String] {
        let names = try reader.stringList(node, key: key)
        guard !names.isEmpty else { throw reader.error(node, "'\(key)' is empty; expected at least one model") }
        for name in names where name.trimmingCharacters(in: .whitespaces).isEmpty || name == BackendConfig.autoModel {
            throw reader.error(node, "'\(key)' lists \"\(name)\"; expected model names or ids")
        }
        return names
    }

    // MARK: Sections

    func parseDefaults(_ node: Node) throws(InputError) -> RunDefaults {
        let map = try reader.mapping(node, allowed: Self.defaultsKeys, context: "defaults")
        var defaults = RunDefaults()
        if let value = map["mode"] {
            let text = try reader.string(value, key: "mode")
            guard let mode = RunMode(rawValue: text) else {
                throw reader.error(value, unknownValue("mode", text, among: RunMode.allCases.map(\.rawValue)))
            }
            defaults.mode = mode
        }
        if let value = map["temperature"] {
            defaults.temperature = reader.isNull(value) ? nil : try reader.double(value, key: "temperature", in: 0...2)
        }
        if let value = map["max_tokens"] {
            defaults.maxTokens = reader.isNull(value) ? nil : try reader.int(value, key: "max_tokens", atLeast: 1)
        }
        if let value = map["seed"] { defaults.seed = reader.isNull(value) ? nil : try reader.int(value, key: "seed") }
        if let value = map["repeat_seed"] {
            let text = try reader.string(value, key: "repeat_seed")
            guard let strategy = RepeatSeed(rawValue: text) else {
                throw reader.error(value, unknownValue("repeat_seed", text, among: RepeatSeed.allCases.map(\.rawValue)))
            }
            defaults.repeatSeed = strategy
        }
        if let value = map["stream"] { defaults.stream = try reader.bool(value, key: "stream") }
        if let value = map["repeat"] { defaults.repeats = try reader.int(value, key: "repeat", atLeast: 1) }
        if let value = map["concurrency"] {
            defaults.concurrency = try reader.int(value, key: "concurrency", atLeast: 1)
        }
        if let value = map["timeout"] { defaults.timeout = try reader.positiveDouble(value, key: "timeout") }
        if let value = map["retries"] { defaults.retries = try reader.int(value, key: "retries", atLeast: 0) }
        return defaults
    }

    func parseConsensus(_ node: Node) throws(InputError) -> ConsensusSettings {
        let map = try reader.mapping(node, allowed: Self.consensusKeys, context: "consensus")
        var settings = ConsensusSettings()
        if let value = map["threshold"] { settings.threshold = try reader.double(value, key: "threshold", in: 0...1) }
        if let value = map["profile"] {
            let text = try reader.string(value, key: "profile")
            guard let profile = EquivalenceProfile(rawValue: text) else {
                throw reader.error(
                    value, unknownValue("profile", text, among: EquivalenceProfile.allCases.map(\.rawValue)))
            }
            settings.profile = profile
        }
        return settings
    }

    func parseGates(_ node: Node, backends: [BackendConfig]) throws(InputError) -> GateThresholds {
        let map = try reader.mapping(node, allowed: Self.gatesKeys, context: "gates")
        var gates = GateThresholds()
        if let value = map["min_agreement"] {
            gates.minAgreement = try reader.double(value, key: "min_agreement", in: 0...1)
        }
        if let value = map["min_accuracy"] {
            gates.minAccuracy = try reader.double(value, key: "min_accuracy", in: 0...1)
        }
        if let value = map["max_spurious"] {
            gates.maxSpurious = try reader.double(value, key: "max_spurious", in: 0...1)
        }
        if let value = map["max_lb_mismatch"] {
            gates.maxLoadBalancerMismatches = try reader.int(value, key: "max_lb_mismatch", atLeast: 0)
        }
        let families = orderedUnique(
            backends.flatMap { backend in
                [backend.family] + (backend.ailbOptions?.members.values.compactMap(\.family) ?? [])
            })
        let quants = orderedUnique(
            backends.flatMap { backend in
                [backend.quant] + (backend.ailbOptions?.members.values.compactMap(\.quant) ?? [])
            }.filter { !$0.isEmpty })
        if let value = map["per_family"] {
            gates.perFamily = try thresholdMap(value, key: "per_family", what: "family", known: families)
        }
        if let value = map["per_quant"] {
            gates.perQuant = try thresholdMap(value, key: "per_quant", what: "quant", known: quants)
        }
        return gates
    }

    func thresholdMap(_ node: Node, key: String, what: String, known: [String]) throws(InputError) -> [String: Double] {
        var result: [String: Double] = [:]
        for entry in try reader.anyMapping(node, context: "'\(key)'").entries {
            guard known.contains(entry.key) else {
                throw reader.error(entry.keyNode, unknownName(what, entry.key, among: known))
            }
            result[entry.key] = try reader.double(entry.value, key: entry.key, in: 0...1)
        }
        return result
    }

    // MARK: Messages

    func unknownValue(_ key: String, _ value: String, among allowed: [String]) -> String {
        var message = "unknown \(key) '\(value)'; expected one of: \(allowed.joined(separator: ", "))"
        if let close = suggestion(for: value, among: allowed) { message += " (did you mean '\(close)'?)" }
        return message
    }

    func unknownName(_ what: String, _ name: String, among known: [String]) -> String {
        var message = "unknown \(what) '\(name)'"
        if let close = suggestion(for: name, among: known) {
            message += "; did you mean '\(close)'?"
        } else {
            message += "; the configured ones are: \(known.joined(separator: ", "))"
        }
        return message
    }

    func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
