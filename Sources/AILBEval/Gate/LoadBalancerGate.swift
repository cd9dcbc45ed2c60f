/// The bar on ai-lb's own verdicts (`--max-lb-mismatch N`, `gates: max_lb_mismatch`): at most N case repeats
/// where the load balancer's consensus verdict differs from ours over the same answers. Pure.
///
/// A bar with nothing to compare does not pass: a run whose every request to the load balancer failed as a
/// whole has no ai-lb verdict, and saying "0 mismatches" would hide exactly that.
package struct LoadBalancerGateCheck: Sendable, Hashable, CustomStringConvertible {
    /// The most mismatches allowed.
    package var maximum: Int
    /// ai-lb verdicts compared with ours.
    package var compared: Int
    /// How many of them differ.
    package var mismatches: Int

    /// The check of `mismatches` out of `compared` against `maximum`.
    package init(maximum: Int, compared: Int, mismatches: Int) {
        self.maximum = maximum
        self.compared = compared
        self.mismatches = mismatches
    }

    /// The bar's name, as reports show it.
    package static let bar = "ai-lb verdict mismatches"

    /// True when there was something to compare and no more than `maximum` differ.
    package var passed: Bool { compared > 0 && mismatches <= maximum }

    /// One line: the count, what it is out of, and the bar (by how much it is missed).
    package var description: String {
        guard compared > 0 else {
            return "\(Self.bar): no ai-lb verdict to compare (every request to the load balancer failed as a whole), "
                + "so the bar \(maximum) cannot be met"
        }
        let counted = "\(Self.bar) \(mismatches) of \(compared) compared case repeats"
        return passed
            ? "\(counted) ≤ \(maximum)" : "\(counted) is above the bar \(maximum) by \(mismatches - maximum)"
    }
}

extension Gate {
    /// Why a run cannot be held to `--max-lb-mismatch` at all, or nil when it can: ai-lb gives its own
    /// verdict only in consensus mode, and only a `kind: ailb` backend asks for it.
    package static func loadBalancerBarProblem(mode: RunMode, hasLoadBalancer: Bool) -> String? {
        if !hasLoadBalancer {
            return "--max-lb-mismatch (gates.max_lb_mismatch) needs a kind: ailb backend, whose verdicts it counts; the run has none"
        }
        if mode != .consensus {
            return
                "--max-lb-mismatch (gates.max_lb_mismatch) needs --mode consensus: ai-lb gives no verdict of its own in mode \(mode.rawValue)"
        }
        return nil
    }
}
