/// What the parts of a run split over machines have in common, whichever backends each part ran: the hash of
/// the config snapshot a run of every backend would store (`--backend` left out), and the order of that run's
/// backends. Stored with each run under `unsplit` in its config snapshot, outside what `--resume` compares, so
/// that `merge` can tell the parts of one run from runs of different configs and put their backends in order.
package struct UnsplitConfig: Sendable, Hashable {
    /// The hash of the snapshot a run of every configured backend (with the same flags) would store.
    package var configHash: String
    /// The backends of such a run, in its order; nil for a run stored before runs kept them.
    package var backends: [String]?

    package init(configHash: String, backends: [String]?) {
        self.configHash = configHash
        self.backends = backends
    }

    /// What `run` stored; for a run stored before runs kept it, its own config hash (its parts must then have
    /// run the same backends).
    package init(run: RunRecord) {
        let stored = (try? JSONValue(parsing: run.configJSON))?["unsplit"]
        if let hash = stored?["config_hash"]?.stringValue {
            self.init(configHash: hash, backends: stored?["backends"]?.arrayValue?.compactMap(\.stringValue))
        } else {
            self.init(configHash: run.configHash, backends: nil)
        }
    }

    /// The JSON stored with a run.
    package var json: JSONValue {
        ["config_hash": .string(configHash), "backends": backends.map { .array($0.map { .string($0) }) } ?? .null]
    }
}

extension PreparedRun {
    /// The run as if `--backend` had named no backend: every configured one, in the run's order.
    package var unsplitConfig: UnsplitConfig {
        var whole = self
        if !configuredBackends.isEmpty { whole.config.backends = configuredBackends }
        whole.options.backendNames = []
        return UnsplitConfig(
            configHash: SHA256.hex(Array(whole.configSnapshot.compactText.utf8)), backends: whole.config.backends.map(\.name))
    }
}
