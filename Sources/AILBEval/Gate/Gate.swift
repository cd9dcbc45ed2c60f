/// A bar a run failed, with the numbers a person needs to see why.
package struct GateFailure: Sendable, Hashable, CustomStringConvertible {
    /// Which threshold: `agreement`, `consensus accuracy`, `spurious disagreement`, `agreement of family x`,
    /// `agreement of quant x`.
    package var bar: String
    /// The figure tested: the observed rate, or the Wilson bound with `--on lower-bound`.
    package var value: Double
    package var interval: (lower: Double, upper: Double)
    package var threshold: Double
    /// Whether the bar is a maximum (the value must not exceed it).
    package var isMaximum: Bool
    /// Which figure `value` is.
    package var basis: GateBasis = .point
    /// The observed rate (equal to `value` on the point basis).
    package var observed: Double
    /// Why the bar could not be measured (no judged case repeat, no answer from a family, no `expect`); such
    /// a bar fails. nil for a measured bar.
    package var noData: String?
    /// Whether the figure is a time in milliseconds (the latency bar) rather than a proportion.
    package var isMilliseconds = false

    package init(
        bar: String, value: Double, interval: (lower: Double, upper: Double), threshold: Double, isMaximum: Bool,
        basis: GateBasis = .point, observed: Double? = nil, noData: String? = nil
    ) {
        self.bar = bar
        self.value = value
        self.interval = interval
        self.threshold = threshold
        self.isMaximum = isMaximum
        self.basis = basis
        self.observed = observed ?? value
        self.noData = noData
    }

    package static func == (a: GateFailure, b: GateFailure) -> Bool {
        a.bar == b.bar && a.value == b.value && a.threshold == b.threshold && a.isMaximum == b.isMaximum
            && a.basis == b.basis && a.noData == b.noData
    }
    package func hash(into hasher: inout Hasher) { hasher.combine(bar) }

    /// The one-line message: the bar, its value, interval and threshold, and by how much it misses; for a bar
    /// without data, why there is none.
    package var description: String {
        if let noData {
            if isMilliseconds {
                return String(format: "%@: %@, so the bar ≤ %.1f ms cannot be met", bar, noData, threshold)
            }
            return String(format: "%@: %@, so the bar %@ %.3f cannot be met", bar, noData, isMaximum ? "≤" : "≥", threshold)
        }
        if isMilliseconds {
            return String(format: "%@ %.1f ms is above the bar %.1f ms by %.1f ms", bar, value, threshold, value - threshold)
        }
        let gap = abs(value - threshold)
        let relation = isMaximum ? "above" : "below"
        if basis == .lowerBound {
            let bound = isMaximum ? "upper" : "lower"
            return String(
                format: "%@ %.3f (Wilson 95%% %@ bound; observed %.3f, CI %.3f–%.3f) is %@ the bar %.3f by %.3f", bar,
                value, bound, observed, interval.lower, interval.upper, relation, threshold, gap)
        }
        return String(
            format: "%@ %.3f (95%% CI %.3f–%.3f) is %@ the bar %.3f by %.3f", bar, value, interval.lower,
            interval.upper, relation, threshold, gap)
    }
}

/// Which figure of a proportion a gate tests.
package enum GateBasis: String, Sendable, CaseIterable {
    /// The observed rate.
    case point
    /// The conservative end of the Wilson 95% interval (lower for minimums, upper for maximums).
    case lowerBound = "lower-bound"
}

/// One bar checked: the same numbers as a failure, and whether it passed.
package struct GateCheck: Sendable {
    package var result: GateFailure
    package var passed: Bool
}

/// Checks a run's statistics against thresholds. Pure.
///
/// A bar that has no data fails: agreement over zero judged case repeats (every backend but one down, or a
/// run that stored no verdict), a family or quant with no judged answer or no backend in the run, consensus
/// accuracy with no judged case that has `expect`. A gate must never pass because there was nothing to test.
package enum Gate {
    /// Every bar the statistics fail (including bars without data); empty means the gate passes.
    package static func evaluate(
        _ statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis = .point
    ) -> [GateFailure] {
        checks(statistics, thresholds: thresholds, basis: basis).filter { !$0.passed }.map(\.result)
    }

    /// Every configured bar, passed or not, in a fixed order (overall, accuracy, families, quants, spurious),
    /// so a report can show what was checked as well as what failed.
    package static func checks(
        _ statistics: RunStatistics, thresholds: GateThresholds, basis: GateBasis = .point
    ) -> [GateCheck] {
        var checks: [GateCheck] = []
        func unmeasurable(_ bar: String, _ threshold: Double, isMaximum: Bool = false, _ why: String) {
            checks.append(
                GateCheck(
                    result: GateFailure(
                        bar: bar, value: 0, interval: (0, 1), threshold: threshold, isMaximum: isMaximum, basis: basis,
                        observed: 0, noData: why),
                    passed: false))
        }
        let judged = statistics.agreement.trials
        let repeats = judged + statistics.notComparable
        let noneJudged =
            repeats == 0
            ? "no case repeat of the run was judged (0 judged; no verdict is stored)"
            : "no case repeat had two successful answers to judge (0 judged of \(repeats))"
        func minimum(_ bar: String, _ proportion: Proportion, _ threshold: Double?, noData: @autoclosure () -> String) {
            guard let threshold else { return }
            guard let value = proportion.value else { return unmeasurable(bar, threshold, noData()) }
            let interval = proportion.wilson()
            let tested = basis == .point ? value : interval.lower
            checks.append(
                GateCheck(
                    result: GateFailure(
                        bar: bar, value: tested, interval: interval, threshold: threshold, isMaximum: false,
                        basis: basis, observed: value),
                    passed: tested >= threshold))
        }
        if let race = statistics.race {
            // A race has the winner's answer only: accuracy and latency are its bars (agreement bars are refused
            // before this, see `raceBarProblem`).
            minimum(
                "race accuracy", race.accuracy, thresholds.minAccuracy,
                noData: race.races == 0
                    ? "no race of the run is stored (0 raced)"
                    : "no raced case has an expected answer (expect) to score (0 of \(race.races) races)")
        } else {
            minimum("agreement", statistics.agreement, thresholds.minAgreement, noData: noneJudged)
            minimum(
                "consensus accuracy", statistics.consensusAccuracy, thresholds.minAccuracy,
                noData: judged == 0
                    ? noneJudged : "no judged case repeat has an expected answer (expect) to score (0 of \(judged) judged)")
        }
        if let maximum = thresholds.maxP95LatencyMs {
            let bar = "p95 answer time"
            if let p95 = statistics.answerTime.p95 {
                var result = GateFailure(
                    bar: bar, value: p95, interval: (p95, p95), threshold: maximum, isMaximum: true, basis: basis, observed: p95)
                result.isMilliseconds = true
                checks.append(GateCheck(result: result, passed: p95 <= maximum))
            } else {
                var result = GateFailure(
                    bar: bar, value: 0, interval: (0, 0), threshold: maximum, isMaximum: true, basis: basis, observed: 0,
                    noData: "no case repeat of the run was answered")
                result.isMilliseconds = true
                checks.append(GateCheck(result: result, passed: false))
            }
        }
        for (kind, groups, bars) in [
            ("family", statistics.perFamily, thresholds.perFamily), ("quant", statistics.perQuant, thresholds.perQuant),
        ] {
            for group in groups {
                minimum(
                    "agreement of \(kind) \(group.key)", group.withMajority, bars[group.key],
                    noData: judged == 0
                        ? noneJudged
                        : "no judged case repeat has an answer from this \(kind) (0 judged; backends: \(group.backends.joined(separator: ", ")))"
                )
            }
            for key in bars.keys.sorted() where !groups.contains(where: { $0.key == key }) {
                unmeasurable("agreement of \(kind) \(key)", bars[key]!, "no backend of the run is in this \(kind) (0 judged)")
            }
        }
        if let maximum = thresholds.maxSpurious, statistics.spurious.value == nil {
            unmeasurable("spurious disagreement", maximum, isMaximum: true, noneJudged)
        }
        if let maximum = thresholds.maxSpurious, let value = statistics.spurious.value {
            let interval = statistics.spurious.wilson()
            let tested = basis == .point ? value : interval.upper
            checks.append(
                GateCheck(
                    result: GateFailure(
                        bar: "spurious disagreement", value: tested, interval: interval, threshold: maximum,
                        isMaximum: true, basis: basis, observed: value),
                    passed: tested <= maximum))
        }
        return checks
    }
}

extension Gate {
    /// Why `thresholds` cannot be held against a run in `mode`, or nil when they can: a race keeps only the
    /// winner's answer, so a bar on agreement between backends has nothing to measure, and must not pass
    /// silently.
    package static func raceBarProblem(mode: RunMode, thresholds: GateThresholds) -> String? {
        guard mode == .race else { return nil }
        var bars: [String] = []
        if thresholds.minAgreement != nil { bars.append("min_agreement") }
        if thresholds.maxSpurious != nil { bars.append("max_spurious") }
        if !thresholds.perFamily.isEmpty { bars.append("per_family") }
        if !thresholds.perQuant.isEmpty { bars.append("per_quant") }
        if thresholds.maxLoadBalancerMismatches != nil { bars.append("max_lb_mismatch") }
        guard !bars.isEmpty else { return nil }
        return "\(bars.joined(separator: ", ")) measure\(bars.count == 1 ? "s" : "") agreement between backends, and a race "
            + "keeps only the winner's answer: gate a race run on min_accuracy (--min-accuracy) and max_p95_latency_ms "
            + "(--max-p95-latency-ms), or run --mode all, sequence or consensus"
    }
}
