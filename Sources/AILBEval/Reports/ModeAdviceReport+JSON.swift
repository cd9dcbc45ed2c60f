/// The mode advisor's table as JSON: the `modes` object of the JSON report and of the comparison.
extension ModeAdviceReport {
    /// `available`, and the sentence why not; otherwise the basis, reference, advice, Pareto front (row keys,
    /// fastest first) and one object per row (rates are fractions, intervals Wilson 95% over cases).
    package static func json(_ advice: ModeAdvice) -> JSONValue {
        [
            "available": .bool(advice.unavailable == nil),
            "unavailable": advice.unavailable.map(JSONValue.string) ?? .null,
            "basis": advice.basis.map { .string($0.rawValue) } ?? .null,
            "reference": advice.reference.map(JSONValue.string) ?? .null,
            "repeats": .int(advice.repeatCount),
            "advice": .string(advice.advice),
            "pareto_front": .array(advice.paretoFront.map { .string($0.key) }),
            "rows": .array(advice.rows.map { row(in: advice, $0) }),
        ]
    }

    static func row(in advice: ModeAdvice, _ row: ModeRow) -> JSONValue {
        [
            "mode": .string(row.mode.key), "name": .string(row.mode.displayName),
            "kind": .string(row.mode.backend == nil ? "mode" : "backend"), "repeats": .int(row.repeats),
            "failures": .int(row.failures), "failure_rate": JSONReport.number(row.failureRate),
            "accuracy": JSONReport.proportion(row.accuracy),
            "agreement_with_consensus": JSONReport.proportion(row.agreement),
            "latency_ms": ["p50": JSONReport.number(row.latencyP50), "p95": JSONReport.number(row.latencyP95)],
            "pareto_front": .bool(advice.isOnFront(row.mode)),
            "same_as": row.sameAs.map(JSONValue.string) ?? .null,
            "flips": row.flips.map(JSONReport.flip) ?? .null,
        ]
    }
}
