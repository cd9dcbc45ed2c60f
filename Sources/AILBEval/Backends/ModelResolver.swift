import Foundation

/// What `model: auto` became for one backend of a run.
package struct ResolvedModel: Sendable, Hashable {
    /// The backend's name.
    package var backend: String
    /// The model id it will be asked for.
    package var model: String
    /// The ids its `/models` listed, in the server's order.
    package var listed: [String]
}

/// Resolves `model: auto` through `GET {url}/models`: the first listed model, or the first of the
/// backend's `preferred_models` that is listed (a preferred canonical name matches the id `models:` maps
/// it to for that backend, or the name itself).
package enum ModelResolver {
    /// The model to use among `listed`, and the canonical name it was chosen under (if any); nil when
    /// nothing suitable is listed.
    package static func choose(
        listed: [String], for backend: BackendConfig, equivalents: [String: [String: String]]
    ) -> (id: String, canonical: String?)? {
        guard !backend.preferredModels.isEmpty else {
            guard let first = listed.first else { return nil }
            return (first, canonicalName(of: first, backend: backend.name, equivalents: equivalents))
        }
        for preferred in backend.preferredModels {
            let mapped = equivalents[preferred]
            // A load balancer lists its members' ids, so any id of the canonical model is a match there.
            var candidates = [mapped?[backend.name], preferred].compactMap { $0 }
            candidates += (mapped ?? [:]).values.sorted()
            if let hit = candidates.first(where: listed.contains) {
                return (hit, mapped == nil ? canonicalName(of: hit, backend: backend.name, equivalents: equivalents) : preferred)
            }
        }
        return nil
    }

    /// The canonical name `models:` gives `id` on `backend`, if any.
    static func canonicalName(of id: String, backend: String, equivalents: [String: [String: String]]) -> String? {
        equivalents.keys.sorted().first { equivalents[$0]?[backend] == id }
    }

    /// The model ids `GET {base}/models` lists. Throws `RunFailure` when the list cannot be read within
    /// `timeout` seconds (a server that drips its answer included).
    package static func listModels(
        base: URL, headers: [String: String], timeout: Double, tls: TLSOptions = TLSOptions(), transport: HTTPTransport
    ) async throws -> [String] {
        let url = base.appendingPathComponent("models")
        let shown = ChatClient.redacted(url)
        let answer: BufferedResponse
        switch await transport.get(url, headers: headers.sorted { $0.key < $1.key }, timeout: timeout, tls: tls) {
        case .success(let received): answer = received
        case .failure(let failure): throw RunFailure(message: "GET \(shown) failed: \(failure.description)")
        }
        let status = answer.status ?? 0
        guard (200..<300).contains(status) else { throw RunFailure(message: "GET \(shown) answered HTTP \(status)") }
        guard let ids = (try? JSONValue(parsing: Data(answer.body)))?["data"]?.arrayValue?.compactMap({ $0["id"]?.stringValue })
        else {
            throw RunFailure(message: "GET \(shown) did not return an OpenAI model list ({\"data\": [{\"id\": …}]})")
        }
        return ids
    }

    /// Replaces `auto` in every backend that has it, in place, by asking each server concurrently; the
    /// family follows the resolved model unless the config set one. Throws `RunFailure` naming the backend
    /// when a list cannot be read or holds nothing suitable.
    package static func resolve(
        _ backends: inout [BackendConfig], equivalents: [String: [String: String]], environment: [String: String],
        timeout: Double
    ) async throws -> [ResolvedModel] {
        let pending = backends.enumerated().filter { $0.element.modelIsAuto }
        guard !pending.isEmpty else { return [] }
        let transport = HTTPTransport(maxConnectionsPerHost: 2)
        defer { transport.shutdown() }
        let lists = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for (index, backend) in pending {
                guard let base = backend.urls.first else {
                    throw RunFailure(message: "backend '\(backend.name)': model: auto needs a URL to ask for /models")
                }
                var headers = backend.headers
                if let variable = backend.apiKeyEnv, let key = environment[variable] {
                    headers["Authorization"] = "Bearer \(key)"
                }
                let wait = min(backend.timeout ?? timeout, 30)
                group.addTask {
                    do {
                        return (
                            index, try await listModels(base: base, headers: headers, timeout: wait, tls: backend.tls, transport: transport)
                        )
                    } catch let failure as RunFailure {
                        throw RunFailure(message: "backend '\(backend.name)': model: auto: \(failure.message)")
                    }
                }
            }
            var result: [Int: [String]] = [:]
            for try await (index, ids) in group { result[index] = ids }
            return result
        }
        var resolved: [ResolvedModel] = []
        for (index, backend) in pending {
            let listed = lists[index] ?? []
            guard let (id, canonical) = choose(listed: listed, for: backend, equivalents: equivalents) else {
                let wanted =
                    backend.preferredModels.isEmpty
                    ? "any model" : "any of preferred_models (\(backend.preferredModels.joined(separator: ", ")))"
                let shown = listed.isEmpty ? "nothing" : listed.prefix(10).joined(separator: ", ")
                throw RunFailure(
                    message: "backend '\(backend.name)': model: auto: /models lists \(shown), not \(wanted)")
            }
            backends[index].model = id
            backends[index].canonicalModel = canonical
            if backend.family == BackendConfig.autoModel { backends[index].family = canonical ?? id }
            resolved.append(ResolvedModel(backend: backend.name, model: id, listed: listed))
        }
        return resolved
    }
}
