/// How ai-lb's own consensus verdicts compared with ailb-eval's over a run: how many were compared, and
/// every (case, repeat) where they differ. Meant for summaries and reports.
package struct LoadBalancerComparison: Sendable {
    /// (case, repeat, load balancer) verdicts compared.
    package var compared: Int
    /// The ones that differ, in (case, repeat, backend) order.
    package var differences: [LoadBalancerDisagreement]

    /// Reads the comparison of a run from `store`; `compared` is 0 when the run had no load balancer in
    /// consensus mode.
    package static func load(store: ResultStore, runID: Int64) throws -> LoadBalancerComparison {
        LoadBalancerComparison(
            compared: try store.loadBalancerVerdictCounts(runID: runID).compared,
            differences: try store.loadBalancerDisagreements(runID: runID))
    }

    /// Lines for people: one saying how many matched, then one per difference with its reasons; empty when
    /// nothing was compared.
    package var lines: [String] {
        guard compared > 0 else { return [] }
        var lines = ["ai-lb's own verdict matched ailb-eval's on \(compared - differences.count)/\(compared) case repeats."]
        for difference in differences {
            let v = difference.verdicts
            lines.append(
                "  \(difference.suite)/\(difference.caseID) repeat \(v.repeatIndex + 1) via \(v.backend): "
                    + v.differences.joined(separator: "; "))
        }
        return lines
    }
}
