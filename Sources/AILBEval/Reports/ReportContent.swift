import Foundation

/// Everything a report file shows about one run: the stored run and its statistics, every case repeat,
/// the agreement analysis and the gate. Read once, rendered into any format.
public struct ReportContent: Sendable {
    public var data: RunReportData
    public var rows: [CaseRepeatRow]
    public var analysis: AgreementAnalysis
    public var gate: GateOutcome
    public var options: ReportOptions
    /// ai-lb's own verdicts compared with ours: how many case repeats were compared, and where they differ.
    /// Empty when the run had no `kind: ailb` backend in consensus mode.
    public var loadBalancerCompared = 0
    public var loadBalancerDisagreements: [LoadBalancerDisagreement] = []

    /// The profile the verdicts, statistics and gate use.
    public var profile: EquivalenceProfile { data.statistics.profile }

    /// Reads the run's cases and responses from `store` and computes the analysis.
    public static func load(report: RunReportData, store: ResultStore, options: ReportOptions = ReportOptions()) throws
        -> ReportContent
    {
        let rows = try CaseRepeatRow.loadAll(
            store: store, runID: report.run.id, backends: report.backends, cases: report.cases)
        var content = try make(report: report, rows: rows, options: options)
        content.loadBalancerCompared = try store.loadBalancerVerdicts(runID: report.run.id).count
        content.loadBalancerDisagreements = try store.loadBalancerDisagreements(runID: report.run.id)
        return content
    }

    /// The content for rows already read.
    public static func make(report: RunReportData, rows: [CaseRepeatRow], options: ReportOptions) throws -> ReportContent {
        var options = options
        if let reference = options.reference, !report.backends.contains(where: { $0.name == reference }) {
            guard options.referenceMustExist else {
                options.reference = nil
                return try make(report: report, rows: rows, options: options)
            }
            throw InputError(
                "reference backend '\(reference)' is not in run \(report.run.id) "
                    + "(its backends: \(report.backends.map(\.name).joined(separator: ", ")))")
        }
        let profile = report.statistics.profile
        let references = QuantPrecision.references(
            backends: report.backends.map { (name: $0.name, family: $0.family, quant: $0.quant) },
            explicit: options.reference)
        let analysis = AgreementAnalysis.compute(
            rows.map { $0.observation(profile) }, backends: report.backends.map(\.name), references: references,
            bootstrapIterations: options.bootstrapIterations, seed: options.bootstrapSeed)
        return ReportContent(
            data: report, rows: rows, analysis: analysis,
            gate: GateOutcome(statistics: report.statistics, thresholds: options.gates, basis: options.gateBasis),
            options: options)
    }

    /// The backend most often outside the winning group (lowest share with the majority), when any was judged.
    public var minorityBackend: BackendStatistics? {
        data.statistics.backends.filter { $0.withMajority.trials > 0 }
            .min { ($0.withMajority.value ?? 1) < ($1.withMajority.value ?? 1) }
    }

    /// The suites of the run as stored: name, path and case count.
    public var suites: [(name: String, path: String, cases: Int)] {
        let parsed = (try? JSONValue(parsing: data.run.suitesJSON))?.arrayValue ?? []
        return parsed.map {
            (name: $0["name"]?.stringValue ?? "?", path: $0["path"]?.stringValue ?? "", cases: $0["cases"]?.intValue ?? 0)
        }
    }

    /// True when any case had `expect`, so accuracy and flips mean something.
    public var hasExpectations: Bool {
        data.statistics.backends.contains { $0.accuracy.trials > 0 } || data.statistics.consensusAccuracy.trials > 0
    }

    /// Rows ordered for reading: disagreements first (the most split first), then wrong consensus, then
    /// differences between the profiles, then the rest, each in plan order.
    public var rowsByConcern: [CaseRepeatRow] {
        rows.enumerated().sorted { lhs, rhs in
            let (l, r) = (concern(lhs.element), concern(rhs.element))
            if l != r { return l < r }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// A sort key: lower is shown earlier; the share of agreeing answers breaks ties among disagreements.
    struct Concern: Comparable {
        var rank: Int
        var share: Double
        static func < (a: Concern, b: Concern) -> Bool { (a.rank, a.share) < (b.rank, b.share) }
    }

    func concern(_ row: CaseRepeatRow) -> Concern {
        guard let verdict = row.verdict(profile) else { return Concern(rank: 5, share: 0) }
        let v = verdict.verdict
        if v.successes < 2 { return Concern(rank: 4, share: 0) }
        if v.disagreement { return Concern(rank: 0, share: Double(v.agreementCount) / Double(v.successes)) }
        if verdict.consensusCorrect == false { return Concern(rank: 1, share: 0) }
        if row.profilesDiffer { return Concern(rank: 2, share: 0) }
        return Concern(rank: 3, share: 0)
    }
}

/// Number formatting shared by the report formats.
enum ReportFormat {
    static func percent(_ value: Double?, digits: Int = 1) -> String {
        value.map { String(format: "%.\(digits)f%%", $0 * 100) } ?? "–"
    }

    static func percent(_ p: Proportion) -> String { percent(p.value) }

    static func interval(_ p: Proportion) -> String {
        guard p.trials > 0 else { return "" }
        let ci = p.wilson()
        return String(format: "[%.1f–%.1f%%]", ci.lower * 100, ci.upper * 100)
    }

    static func ms(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "–" }

    static func decimal(_ value: Double?, digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }

    static func pValue(_ p: Double) -> String {
        p < 0.001 ? "<0.001" : String(format: "%.3f", p)
    }
}
