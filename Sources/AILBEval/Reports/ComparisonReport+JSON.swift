/// The JSON comparison, for tools.
extension ComparisonReport {
    static func json(_ c: RunComparison, tolerance: Double) -> JSONValue {
        func flag(_ b: Bool?) -> JSONValue { b.map(JSONValue.bool) ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func counts(_ k: RunComparison.ConsensusCounts) -> JSONValue {
            ["correct": .int(k.correct), "wrong": .int(k.wrong), "tie": .int(k.tie), "no_majority": .int(k.noMajority)]
        }
        func standing(_ s: RunComparison.Standing?) -> JSONValue {
            guard let s else { return .null }
            return [
                "outcome": .string(s.outcome.rawValue), "summary": .string(s.summary), "consensus": text(s.consensus),
                "groups": .array(s.groups.map { .array($0.map(JSONValue.string)) }),
            ]
        }
        return [
            "format": "ailb-eval-comparison", "format_version": 3, "run_a": .int(Int(c.runA)), "run_b": .int(Int(c.runB)),
            "profile": .string(c.profile.rawValue), "comparability": .array(c.comparability.map(JSONValue.string)),
            "nothing_comparable": text(c.nothingComparable), "shared_backends": .array(c.sharedBackends.map(JSONValue.string)),
            "matched": .int(c.matched), "only_in_a": .int(c.onlyInA), "only_in_b": .int(c.onlyInB),
            "judged_in_both": .int(c.judgedInBoth), "cases_judged_in_both": .int(c.casesJudgedInBoth),
            "judged_only_in_a": .int(c.judgedOnlyInA), "judged_only_in_b": .int(c.judgedOnlyInB),
            "identical_regrouped": .int(c.identicalRegrouped),
            "agreement_before": JSONReport.proportion(c.agreementBefore),
            "agreement_after": JSONReport.proportion(c.agreementAfter), "agreement_no_data": text(c.agreementNoData),
            "gained": .int(c.gained), "lost": .int(c.lost),
            "consensus_before": counts(c.consensusBefore), "consensus_after": counts(c.consensusAfter),
            "consensus_correct_before": JSONReport.proportion(c.consensusCorrectBefore),
            "consensus_correct_after": JSONReport.proportion(c.consensusCorrectAfter), "consensus_no_data": text(c.consensusNoData),
            "tolerance": .double(tolerance),
            "regressions": .array(c.regressions(tolerance: tolerance).map { .string($0.description) }),
            "regression_gate_no_data": text(c.regressionGateNoData),
            "modes": modesJSON(c),
            "backends": .array(
                c.backends.map { b in
                    [
                        "backend": .string(b.backend), "with_majority_before": JSONReport.proportion(b.withMajorityBefore),
                        "with_majority_after": JSONReport.proportion(b.withMajorityAfter),
                        "with_majority_no_data": text(b.withMajorityNoData),
                        "accuracy_before": JSONReport.proportion(b.accuracyBefore),
                        "accuracy_after": JSONReport.proportion(b.accuracyAfter), "accuracy_no_data": text(b.accuracyNoData),
                        "failures_before": JSONReport.proportion(b.failuresBefore),
                        "failures_after": JSONReport.proportion(b.failuresAfter), "correct_to_wrong": .int(b.correctToWrong),
                        "wrong_to_correct": .int(b.wrongToCorrect), "joined_majority": .int(b.joinedMajority),
                        "left_majority": .int(b.leftMajority), "mcnemar_exact_p": .double(b.mcnemarP),
                    ]
                }),
            "changes": .array(
                c.changes.map { change in
                    [
                        "suite": .string(change.suite), "case_id": .string(change.caseID), "repeat": .int(change.repeatIndex + 1),
                        "agreement": .string(change.agreement.rawValue), "regression": .bool(change.isRegression),
                        "reasons": .array(change.reasons.map(JSONValue.string)),
                        "before": standing(change.before), "after": standing(change.after),
                        "backends": .array(
                            change.backends.map { b in
                                [
                                    "backend": .string(b.backend), "reason": .string(b.reason),
                                    "answer_changed": .bool(b.answerChanged),
                                    "with_majority_before": flag(b.withMajorityBefore),
                                    "with_majority_after": flag(b.withMajorityAfter), "correct_before": flag(b.correctBefore),
                                    "correct_after": flag(b.correctAfter), "failed_before": .bool(b.failedBefore),
                                    "failed_after": .bool(b.failedAfter), "error_before": text(b.errorBefore),
                                    "error_after": text(b.errorAfter), "stored_before": .bool(b.storedBefore),
                                    "stored_after": .bool(b.storedAfter),
                                ]
                            }),
                    ]
                }),
        ]
    }
}
