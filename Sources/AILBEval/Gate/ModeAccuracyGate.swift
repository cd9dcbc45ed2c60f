extension Gate {
    /// The bars `--min-mode-accuracy MODE=X`: the accuracy the mode advisor replays for a mode (`race`,
    /// `failover`, `consensus`, `consensus-semantic`) or a backend alone, at least X. Pure.
    ///
    /// The names in `bars` must be `advice.mode(key:)` names (the caller rejects the others). A bar that has
    /// nothing to measure fails, as every bar does: a run that cannot be replayed (race mode), no case
    /// with `expect`, a mode without a repeat (consensus without a stored verdict). `basis` tests the
    /// observed rate or the Wilson lower bound (over cases), as for the other bars. Checks follow the
    /// table's order.
    package static func modeAccuracyChecks(_ advice: ModeAdvice, bars: [String: Double], basis: GateBasis = .point) -> [GateCheck] {
        advice.modes.compactMap { mode -> GateCheck? in
            guard let threshold = bars[mode.key], advice.mode(key: mode.key) == mode else { return nil }
            let bar = "accuracy of " + (mode.backend.map { "\($0) alone" } ?? mode.displayName)
            func unmeasurable(_ why: String) -> GateCheck {
                GateCheck(
                    result: GateFailure(
                        bar: bar, value: 0, interval: (0, 1), threshold: threshold, isMaximum: false, basis: basis,
                        observed: 0, noData: why),
                    passed: false)
            }
            if let reason = advice.unavailableReason { return unmeasurable(reason) }
            guard let row = advice.row(mode), row.repeats > 0 else {
                switch mode {
                case .consensus, .semanticConsensus:
                    return unmeasurable("no case repeat has a consensus verdict to replay it from (0 repeats)")
                case .backend: return unmeasurable("the run stores no answer of it (0 repeats)")
                case .race, .failover: return unmeasurable("the run stores no answer to replay (0 repeats)")
                }
            }
            guard let value = row.accuracy.value else {
                return unmeasurable(
                    "no case repeat has an expected answer (expect) to score (0 of \(row.repeats) repeats)")
            }
            let interval = row.accuracy.wilson()
            let tested = basis == .point ? value : interval.lower
            return GateCheck(
                result: GateFailure(
                    bar: bar, value: tested, interval: interval, threshold: threshold, isMaximum: false, basis: basis,
                    observed: value),
                passed: tested >= threshold)
        }
    }
}
