import Foundation

/// What a stored run's reports and gate use beyond its rows — the report folder, the reference backend for
/// flips, the gate bars (config `gates:` with the run's `--min-*` flags) — saved with the run, so that `report`,
/// `export`, `gate` and `compare` need no config file. Stored in the run's config snapshot under `report`,
/// outside what `--resume` compares.
package struct StoredReportSettings: Sendable, Hashable {
    package var reportsDir = "reports"
    package var reference: String?
    package var gates = GateThresholds()

    package init() {}

    /// The settings a run with `config` stores.
    package init(config: EvalConfig) {
        reportsDir = config.reportsDir
        reference = config.referenceBackend
        gates = config.gates
    }

    /// The settings stored with `run`; the defaults (no gate, the default reference) for a run stored before
    /// runs carried them.
    package init(run: RunRecord) {
        self.init()
        guard let stored = (try? JSONValue(parsing: run.configJSON))?["report"] else { return }
        if let dir = stored["reports_dir"]?.stringValue { reportsDir = dir }
        reference = stored["reference"]?.stringValue
        let gates = stored["gates"]
        self.gates.minAgreement = gates?["min_agreement"]?.numberValue
        self.gates.minAccuracy = gates?["min_accuracy"]?.numberValue
        self.gates.maxSpurious = gates?["max_spurious"]?.numberValue
        self.gates.maxLoadBalancerMismatches = gates?["max_lb_mismatch"]?.intValue
        self.gates.maxP95LatencyMs = gates?["max_p95_latency_ms"]?.numberValue
        for (key, path) in [("per_family", \GateThresholds.perFamily), ("per_quant", \GateThresholds.perQuant)] {
            for (name, value) in gates?[key]?.objectValue ?? [:] {
                if let number = value.numberValue { self.gates[keyPath: path][name] = number }
            }
        }
    }

    /// The JSON stored with the run.
    package var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
        return [
            "reports_dir": .string(reportsDir), "reference": reference.map { .string($0) } ?? .null,
            "gates": [
                "min_agreement": number(gates.minAgreement), "min_accuracy": number(gates.minAccuracy),
                "max_spurious": number(gates.maxSpurious),
                "max_lb_mismatch": gates.maxLoadBalancerMismatches.map { .int($0) } ?? .null,
                "max_p95_latency_ms": number(gates.maxP95LatencyMs),
                "per_family": .object(gates.perFamily.mapValues { .double($0) }),
                "per_quant": .object(gates.perQuant.mapValues { .double($0) }),
            ],
        ]
    }
}

extension ReportOptions {
    /// The options a stored run implies: its reference backend and its gate.
    package init(settings: StoredReportSettings) {
        self.init(reference: settings.reference, gates: settings.gates)
    }
}

extension PreparedRun {
    /// The config snapshot stored with a new run: `configSnapshot` (what `--resume` compares, by hash) plus the
    /// report settings under `report` and what the parts of a split run share under `unsplit`.
    var storedConfigJSON: String {
        guard case .object(var object) = configSnapshot else { return configSnapshot.compactText }
        object["report"] = StoredReportSettings(config: config).json
        object["unsplit"] = unsplitConfig.json
        return JSONValue.object(object).compactText
    }
}
