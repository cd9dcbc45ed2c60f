/// The report as one JSON document: the run, every statistic of the HTML report, the gate, and every case
/// repeat with each backend's answer. Keys are sorted; rates are fractions (0…1); intervals are Wilson 95%.
package enum JSONReport {
    /// The document's `format` field, for consumers that check what they read.
    package static let formatName = "ailb-eval-report"
    /// Bumped when a field changes meaning or disappears (2: `repeat` counts from 1, as everywhere else).
    package static let formatVersion = 2

    /// The document, as compact UTF-8 JSON with a trailing newline.
    package static func render(_ content: ReportContent) throws -> String {
        render(content, rows: try content.rows)
    }

    /// The document for `content` with `rows` (its `allRows()`) as the cases.
    package static func render(_ content: ReportContent, rows: [CaseRepeatRow]) -> String {
        JSONWriter.compactUnicode.string(document(content, rows: rows)) + "\n"
    }

    /// The document as a value.
    package static func document(_ content: ReportContent) throws -> JSONValue {
        document(content, rows: try content.rows)
    }

    /// The document as a value, with `rows` (the content's `allRows()`) as the cases.
    package static func document(_ content: ReportContent, rows: [CaseRepeatRow]) -> JSONValue {
        let stats = content.data.statistics
        let run = content.data.run
        var doc: [String: JSONValue] = [
            "format": .string(formatName),
            "format_version": .int(formatVersion),
            "run": [
                "id": .int(Int(run.id)), "started_at": .string(run.startedAt),
                "finished_at": run.finishedAt.map(JSONValue.string) ?? .null, "status": .string(run.status.rawValue),
                "mode": .string(run.mode.rawValue), "profile": .string(content.profile.rawValue),
                "threshold": .double(run.threshold), "tool_version": .string(run.toolVersion),
                "suites": .array(
                    content.suites.map { ["name": .string($0.name), "path": .string($0.path), "cases": .int($0.cases)] }),
                "run_key": run.runKey.map(JSONValue.string) ?? .null,
                "shard": run.shard.map { shard -> JSONValue in
                    let share = content.data.cases.count(where: { shard.contains(suite: $0.suite, caseID: $0.caseID) })
                    return ["index": .int(shard.index), "count": .int(shard.count), "cases": .int(share)]
                } ?? .null,
            ],
            "backends": .array(stats.backends.map(backend)),
            "agreement": proportion(stats.agreement),
            "not_comparable": .int(stats.notComparable),
            "judged_cases": .int(stats.judgedCases),
            "outcomes": .object(
                Dictionary(
                    uniqueKeysWithValues: [CaseOutcome.unanimous, .majority, .tie, .noMajority].map {
                        ($0.rawValue, JSONValue.int(stats.outcomes[$0] ?? 0))
                    })),
            "consensus_accuracy": proportion(stats.consensusAccuracy),
            "consensus_undecided": .int(stats.consensusUndecided),
            "minority_backend": content.minorityBackend.map { .string($0.name) } ?? .null,
            "per_family": .array(stats.perFamily.map(group)),
            "per_quant": .array(stats.perQuant.map(group)),
            "per_suite": .array(content.analysis.perSuite.map(slice)),
            "per_tag": .array(content.analysis.perTag.map(slice)),
            "pairs": .array(content.analysis.pairs.map(pair)),
            "krippendorff_alpha": alpha(content.analysis.alpha),
            "spurious": [
                "disagreements": proportion(stats.spurious),
                "causes": .object(stats.spuriousCauses.mapValues { .int($0) }),
            ],
            "flips": .array(content.analysis.flips.map(flip)),
            "gate": gate(content.gate),
            "totals": ["responses": .int(stats.totalResponses), "successes": .int(stats.totalSuccesses)],
            "load_balancer": loadBalancer(content),
            "modes": ModeAdviceReport.json(content.modes),
        ]
        doc["answer_time_ms"] = [
            "count": .int(stats.answerTime.count), "p50": number(stats.answerTime.p50), "p95": number(stats.answerTime.p95),
        ]
        doc["race"] = stats.race.map(race) ?? .null
        doc["fastest_header"] =
            stats.fastestHeader.map { check in
                [
                    "checked": .int(check.checked), "mismatches": .int(check.mismatches),
                    "examples": .array(check.examples.map { .string($0) }),
                ]
            } ?? .null
        doc["cases"] = .array(rows.map(caseRepeat))
        return .object(doc)
    }

    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    /// A race run's figures; `note` says that agreement is not measured.
    static func race(_ race: RaceStatistics) -> JSONValue {
        [
            "note": .string(RunSummary.raceAdvisory), "races": .int(race.races), "no_winner": .int(race.noWinner),
            "wins": .object(Dictionary(uniqueKeysWithValues: race.wins.map { ($0.backend, JSONValue.int($0.count)) })),
            "winner_latency_ms": ["p50": number(race.winnerLatencyP50), "p95": number(race.winnerLatencyP95)],
            "accuracy": proportion(race.accuracy),
            "load_balancer_wins": [
                "by_member": .object(
                    Dictionary(
                        uniqueKeysWithValues: race.loadBalancerWins.compactMap { key, count in key.map { ($0, JSONValue.int(count)) } })),
                "member_unknown": .int(race.unknownMembers),
            ],
        ]
    }

    static func proportion(_ p: Proportion) -> JSONValue {
        let ci = p.wilson()
        // `trials` counts case repeats; `cases` the distinct cases they come from, and `effective_n` what they
        // are worth as independent trials, which the interval uses.
        return [
            "successes": .int(p.successes), "trials": .int(p.trials), "rate": number(p.value),
            "cases": p.clusters.map(JSONValue.int) ?? .null, "effective_n": number(p.effectiveTrials),
            "ci95": p.trials > 0 ? [.double(ci.lower), .double(ci.upper)] : .null,
        ]
    }

    static func backend(_ b: BackendStatistics) -> JSONValue {
        [
            "name": .string(b.name), "kind": .string(b.kind.rawValue), "model": .string(b.model),
            "family": .string(b.family), "quant": .string(b.quant), "requests": .int(b.requests),
            "successes": .int(b.successes),
            "errors": .object(Dictionary(uniqueKeysWithValues: b.errors.map { ($0.key.rawValue, JSONValue.int($0.value)) })),
            "latency_ms": ["p50": number(b.latencyP50), "p95": number(b.latencyP95)],
            "ttft_ms": ["p50": number(b.ttftP50), "p95": number(b.ttftP95)],
            "with_majority": proportion(b.withMajority), "with_plurality": proportion(b.withPlurality),
            "minority": proportion(b.minority), "ties": .int(b.ties),
            "accuracy": proportion(b.accuracy), "repeat_stability": proportion(b.repeatStability),
            "tokens": [
                "prompt": .int(b.promptTokens), "completion": .int(b.completionTokens),
                "per_second": number(b.tokensPerSecond), "ms_per_output_token": number(b.timePerOutputTokenMs),
            ],
        ]
    }

    static func group(_ g: GroupAgreement) -> JSONValue {
        [
            "key": .string(g.key), "backends": .array(g.backends.map(JSONValue.string)),
            "with_majority": proportion(g.withMajority),
            "disagreement_rate": number(g.withMajority.value.map { 1 - $0 }),
        ]
    }

    static func slice(_ s: SliceAgreement) -> JSONValue {
        ["key": .string(s.key), "agreement": proportion(s.agreement)]
    }

    static func pair(_ p: PairAgreement) -> JSONValue {
        [
            "a": .string(p.a), "b": .string(p.b), "agreement": proportion(p.agreement), "cohen_kappa": number(p.kappa),
            "spurious_splits": .int(p.spuriousSplits),
        ]
    }

    static func alpha(_ a: KrippendorffAlpha.Estimate) -> JSONValue {
        [
            "value": number(a.value),
            "ci95": a.lower != nil && a.upper != nil ? [number(a.lower), number(a.upper)] : .null,
            "pairable_units": .int(a.pairableUnits), "pairable_values": .int(a.pairableValues),
            "bootstrap_iterations": .int(a.iterations), "seed": .string(String(a.seed)),
        ]
    }

    static func flip(_ f: ReferenceFlips) -> JSONValue {
        [
            "backend": .string(f.backend), "reference": .string(f.reference), "both_correct": .int(f.bothCorrect),
            "correct_to_wrong": .int(f.correctToWrong), "wrong_to_correct": .int(f.wrongToCorrect),
            "both_wrong": .int(f.bothWrong), "mcnemar_exact_p": .double(f.mcnemarP),
        ]
    }

    static func gate(_ g: GateOutcome) -> JSONValue {
        var checks: [JSONValue] = g.checks.map { check in
            let r = check.result
            // A bar without data has no value: it failed because there was nothing to measure.
            return [
                "bar": .string(r.bar), "value": r.noData == nil ? .double(r.value) : .null,
                "observed": r.noData == nil ? .double(r.observed) : .null,
                "ci95": r.noData == nil && !r.isMilliseconds ? [.double(r.interval.lower), .double(r.interval.upper)] : .null,
                "unit": .string(r.isMilliseconds ? "ms" : "fraction"),
                "threshold": .double(r.threshold), "kind": .string(r.isMaximum ? "maximum" : "minimum"),
                "passed": .bool(check.passed), "no_data": r.noData.map { .string($0) } ?? .null,
            ]
        }
        if let lb = g.loadBalancer {
            // A count, not a rate: no interval.
            checks.append([
                "bar": .string(LoadBalancerGateCheck.bar), "value": .int(lb.mismatches), "observed": .int(lb.mismatches),
                "compared": .int(lb.compared), "ci95": .null, "threshold": .int(lb.maximum), "kind": "maximum",
                "passed": .bool(lb.passed),
            ])
        }
        return ["status": .string(g.label), "basis": .string(g.basis.rawValue), "checks": .array(checks)]
    }

    /// ai-lb's own verdicts against ours: how many were compared, how many differ, and each difference with
    /// both verdicts in full (our groups: which members agree).
    static func loadBalancer(_ content: ReportContent) -> JSONValue {
        [
            "compared": .int(content.loadBalancerCompared),
            "mismatches": .int(content.loadBalancerDisagreements.count),
            "differences": .array(content.loadBalancerDisagreements.map(loadBalancerVerdict)),
        ]
    }

    /// One of ai-lb's verdicts beside ours; `repeat` counts from 1.
    package static func loadBalancerVerdict(_ item: LoadBalancerDisagreement) -> JSONValue {
        let v = item.verdicts
        return [
            "suite": .string(item.suite), "case_id": .string(item.caseID), "repeat": .int(v.repeatIndex + 1),
            "backend": .string(v.backend), "matches": .bool(v.matchesOurs),
            "differences": .array(v.differences.map(JSONValue.string)),
            "ai_lb": [
                "winner": .string(v.winner), "agreement_count": .int(v.agreementCount),
                "disagreement": .bool(v.disagreement), "comparison_type": .string(v.comparisonType),
                "x_disagreement": .bool(v.xDisagreement), "oracle": v.oracle.map(JSONValue.string) ?? .null,
                "oracle_agreed": v.oracleAgreed.map(JSONValue.bool) ?? .null,
            ],
            "ours": [
                "winner": .string(v.ours.winner), "agreement_count": .int(v.ours.agreementCount),
                "disagreement": .bool(v.ours.disagreement), "comparison_type": .string(v.ours.comparisonType.rawValue),
                "successes": .int(v.ours.successes), "winning_group": .array(v.ourWinningGroup.map(JSONValue.string)),
                "groups": .array(v.ours.groups.map { .array($0.map(JSONValue.string)) }),
            ],
        ]
    }

    static func verdict(_ v: VerdictRecord?) -> JSONValue {
        guard let v else { return .null }
        var out: [String: JSONValue] = [
            "comparison_type": .string(v.verdict.comparisonType.rawValue), "winner": .string(v.verdict.winner),
            "agreement_count": .int(v.verdict.agreementCount), "successes": .int(v.verdict.successes),
            "disagreement": .bool(v.verdict.disagreement),
            "groups": .array(v.verdict.groups.map { .array($0.map(JSONValue.string)) }),
            "consensus_correct": v.consensusCorrect.map(JSONValue.bool) ?? .null,
            "consensus": v.consensusLabel.map(JSONValue.string) ?? .null,
            "outcome": .string(v.verdict.outcome.rawValue),
            "answer_groups": .array(v.verdict.answerGroups.map { .array($0.map(JSONValue.string)) }),
            "reference_error": v.verdict.referenceFailure.map(JSONValue.string) ?? .null,
        ]
        // ai-lb names its first backend the winner when every backend failed; that is kept for parity only.
        if v.verdict.successes == 0 { out["winner"] = .null }
        if v.profile == .semantic { out["spurious_causes"] = .array(v.spuriousCauses.map(JSONValue.string)) }
        return .object(out)
    }

    static func caseRepeat(_ row: CaseRepeatRow) -> JSONValue {
        let record = row.caseRecord
        return [
            "suite": .string(record.suite), "case_id": .string(record.caseID), "position": .int(record.position),
            "repeat": .int(row.repeatIndex + 1), "tags": .array(record.tags.map(JSONValue.string)),
            "prompt": .string(record.prompt),
            "expect": record.expectJSON.map { (try? JSONValue(parsing: $0)) ?? .string($0) } ?? .null,
            "verdicts": ["ailb": verdict(row.ailb), "semantic": verdict(row.semantic)],
            "responses": .array(
                row.responses.map { r in
                    [
                        "backend": .string(r.backend), "success": .bool(r.success),
                        "error_class": r.errorClass.map { .string($0.rawValue) } ?? .null,
                        "error_message": r.errorMessage.map(JSONValue.string) ?? .null,
                        "http_status": r.httpStatus.map(JSONValue.int) ?? .null, "latency_ms": .double(r.latencyMs),
                        "ttft_ms": number(r.ttftMs), "text": r.text.map(JSONValue.string) ?? .null,
                        "tool_calls": r.toolCalls.map { (try? JSONValue(parsing: $0)) ?? .string($0) } ?? .null,
                        "finish_reason": r.finishReason.map(JSONValue.string) ?? .null,
                        "correct": r.correct.map(JSONValue.bool) ?? .null,
                    ]
                }),
        ]
    }
}
