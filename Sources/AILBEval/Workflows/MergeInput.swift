import Foundation

/// One run given to `merge`: the file, the run chosen in it, and what it shares with the other parts.
struct MergeInput: Sendable {
    /// The file as given.
    var path: String
    var store: ResultStore
    var run: RunRecord
    /// Its backends, in its order (members of load balancers after the planned ones).
    var backends: [BackendRecord]
    /// The backends its plan sent requests to (not the members found behind a load balancer).
    var plannedBackends: [String] { backends.filter { $0.via == nil }.map(\.name) }
    var unsplit: UnsplitConfig

    /// Opens `path` for reading and picks its newest run, or its newest run with `runKey`. A file or run that
    /// cannot be merged (none there, or still running) is refused.
    init(path: String, runKey: String?) throws {
        self.path = path
        let store = try ResultStore(readingFrom: path)
        self.store = store
        do {
            run = try runKey.map { try store.latestRun(withKey: $0) } ?? store.run("latest")
        } catch let error as StoreError {
            throw InputError("cannot merge: \(error.message)")
        }
        if run.status == .running {
            throw InputError("cannot merge: run \(run.id) in \(path) is still running; merge once it has finished")
        }
        backends = try store.backends(runID: run.id)
        unsplit = UnsplitConfig(run: run)
    }

    /// "a.sqlite (run 3)".
    var name: String { "\(path) (run \(run.id))" }

    /// "shard 1/3 · run key 42 · backends a, b"
    var split: String {
        var parts: [String] = []
        if let shard = run.shard { parts.append("shard \(shard)") }
        if let key = run.runKey { parts.append("run key \(key)") }
        parts.append("backends \(plannedBackends.joined(separator: ", "))")
        return parts.joined(separator: " · ")
    }

    /// Why this part and `other` are not parts of one run, one phrase each; empty when they are. Parts split
    /// by `--shard` or `--backend` differ in nothing else.
    func differences(from other: MergeInput) -> [String] {
        var reasons: [String] = []
        let (a, b) = (other.run, run)
        if a.mode != b.mode { reasons.append("mode \(a.mode.rawValue) vs \(b.mode.rawValue)") }
        if a.profile != b.profile { reasons.append("profile \(a.profile.rawValue) vs \(b.profile.rawValue)") }
        if a.threshold != b.threshold { reasons.append("threshold \(a.threshold) vs \(b.threshold)") }
        if a.runKey != b.runKey {
            reasons.append("run key \(a.runKey.map { "'\($0)'" } ?? "none") vs \(b.runKey.map { "'\($0)'" } ?? "none")")
        }
        if a.shardCount != b.shardCount {
            func shards(_ run: RunRecord) -> String { run.shardCount.map { "\($0) shards" } ?? "no shards" }
            reasons.append("split into \(shards(a)) vs \(shards(b))")
        }
        if let suites = Self.suiteDifference(a.suitesJSON, b.suitesJSON) { reasons.append(suites) }
        if other.unsplit.configHash != unsplit.configHash {
            let keys = Self.configDifferences(a.configJSON, b.configJSON)
            reasons.append(
                "the config differs"
                    + (keys.isEmpty
                        ? " (config hash \(other.unsplit.configHash.prefix(12)) vs \(unsplit.configHash.prefix(12)))"
                        : ": \(keys.joined(separator: ", "))"))
        }
        // The model a backend with `model: auto` chose, and the members found behind a load balancer. (Not the
        // URLs: a mock backend is served on a new port by every run.)
        for backend in backends {
            guard let theirs = other.backends.first(where: { $0.name == backend.name }) else { continue }
            if Self.describe(theirs) != Self.describe(backend) {
                reasons.append("backend '\(backend.name)' is \(Self.describe(theirs)) vs \(Self.describe(backend))")
            }
        }
        if a.mode == .race, Set(other.plannedBackends) != Set(plannedBackends) {
            reasons.append(
                "a race is run among all backends at once: runs of mode race are split with --shard, not --backend "
                    + "(backends \(other.plannedBackends.joined(separator: ", ")) vs \(plannedBackends.joined(separator: ", ")))")
        }
        return reasons
    }

    /// "openai model qwen2.5-7b family qwen quant 4bit", and the load balancer of a member.
    static func describe(_ b: BackendRecord) -> String {
        "\(b.kind.rawValue) model \(b.model) family \(b.family) quant \(b.quant.isEmpty ? "-" : b.quant)"
            + (b.via.map { " via \($0)" } ?? "")
    }

    /// The suites' names and contents compared (their paths may differ between machines).
    static func suiteDifference(_ a: String, _ b: String) -> String? {
        func suites(_ text: String) -> [String] {
            ((try? JSONValue(parsing: text))?.arrayValue ?? []).map {
                "\($0["name"]?.stringValue ?? "?") (\($0["sha256"]?.stringValue?.prefix(12) ?? "?"), \($0["cases"]?.intValue ?? 0) cases)"
            }
        }
        let (left, right) = (suites(a), suites(b))
        guard left != right else { return nil }
        return "suites \(left.joined(separator: ", ")) vs \(right.joined(separator: ", "))"
    }

    /// Where two stored config snapshots differ, as key paths (`defaults.timeout`, `backend 'b'`). The backends
    /// each part ran, the report settings and `--backend` itself are not compared: the parts of a run split by
    /// `--backend` differ in those.
    static func configDifferences(_ a: String, _ b: String) -> [String] {
        let left = (try? JSONValue(parsing: a))?.objectValue ?? [:]
        let right = (try? JSONValue(parsing: b))?.objectValue ?? [:]
        var keys: [String] = []
        for key in Set(left.keys).union(right.keys).sorted() where !["report", "unsplit", "backends"].contains(key) {
            let (x, y) = (left[key], right[key])
            // Objects (an absent one counts as empty: `flags` is left out when no flag was given) by their keys.
            let (xs, ys) = (x.map { $0.objectValue } ?? [:], y.map { $0.objectValue } ?? [:])
            if let xs, let ys {
                for name in Set(xs.keys).union(ys.keys).sorted()
                where xs[name] != ys[name] && !(key == "flags" && name == "backend") {
                    keys.append("\(key).\(name)")
                }
            } else if x != y {
                keys.append(key)
            }
        }
        func byName(_ object: [String: JSONValue]) -> [String: JSONValue] {
            var result: [String: JSONValue] = [:]
            for backend in object["backends"]?.arrayValue ?? [] {
                if let name = backend["name"]?.stringValue { result[name] = backend }
            }
            return result
        }
        let (ours, theirs) = (byName(left), byName(right))
        for name in Set(ours.keys).intersection(theirs.keys).sorted() where ours[name] != theirs[name] {
            keys.append("backend '\(name)'")
        }
        return keys
    }
}
