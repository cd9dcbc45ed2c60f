import Foundation

extension RunSummary {
    /// What a race run can say: who won, how fast, and how often the winner was right; and, plainly, what it
    /// cannot (agreement: only the winner's answer is complete).
    static func raceLines(_ race: RaceStatistics, _ stats: RunStatistics) -> [String] {
        var out: [String] = []
        out.append(raceAdvisory)
        let wins = race.wins.filter { $0.count > 0 }.map { "\($0.backend) \($0.count)" }
        out.append(
            "Races: \(race.races) case repeats · won by \(wins.isEmpty ? "nobody" : wins.joined(separator: ", "))"
                + (race.noWinner > 0 ? " · \(race.noWinner) with no winner (every backend failed)" : ""))
        let lost = stats.backends.filter { $0.cancelledByRace > 0 }.map { "\($0.name) \($0.cancelledByRace)" }
        if !lost.isEmpty { out.append("Cancelled when another backend won: \(lost.joined(separator: ", "))") }
        out.append("Winner latency: p50 \(ms(race.winnerLatencyP50)) ms · p95 \(ms(race.winnerLatencyP95)) ms")
        if race.accuracy.trials > 0 {
            out.append(
                "Race accuracy (the winner's answer meets expect): \(race.accuracy.successes)/\(race.accuracy.trials) = "
                    + "\(percent(race.accuracy)) \(interval(race.accuracy))")
        } else {
            out.append("Race accuracy: no raced case has an expected answer (expect) to score.")
        }
        if !race.loadBalancerWins.isEmpty {
            let known = race.loadBalancerWins.compactMap { key, count in key.map { "\($0) \(count)" } }.sorted()
            out.append(
                "Won through a load balancer: \(race.loadBalancerWins.values.reduce(0, +)) · answering member "
                    + (known.isEmpty ? "" : "\(known.joined(separator: ", ")), ")
                    + "unknown \(race.unknownMembers) (ai-lb's race answer does not name its winner; a `model` in "
                    + "`members:` served by one member alone tells it)")
        }
        return out
    }

    /// Said wherever a race run is reported.
    package static let raceAdvisory =
        "A race keeps only the winner's answer, so agreement between backends is not measured here "
        + "(run --mode all, sequence or consensus for that); this run is judged on accuracy against expect and latency."

    /// "ai-lb's x-fastest-backend matches the latencies it reported: 12 of 12 answers".
    static func fastestHeaderLine(_ check: FastestHeaderCheck) -> String {
        let head =
            "ai-lb's x-fastest-backend against the latencies it reported: \(check.checked - check.mismatches) of \(check.checked) answers agree"
        guard check.mismatches > 0 else { return head }
        return head + " · \(check.mismatches) do not (\(check.examples.joined(separator: "; ")))"
    }

    /// "Chain time per case repeat: p50 … ms · p95 … ms" for a sequence run.
    static func answerTimeLine(_ time: AnswerTime, mode: RunMode) -> String? {
        guard time.count > 0 else { return nil }
        let what = mode == .sequence ? "Chain time per case repeat (every backend, one after another)" : "Answer time per case repeat"
        return "\(what): p50 \(ms(time.p50)) ms · p95 \(ms(time.p95)) ms"
    }
}
