import Foundation

/// Everything a report file shows about one run: the stored run and its statistics, an outline of every
/// case repeat, the agreement analysis and the gate. Read once, rendered into any format.
///
/// Memory does not grow with the answers: the case repeats are read from the run one at a time, and
/// only their outlines (packed, a few bytes each) and the analysis's counts stay. The repeats the HTML
/// report shows in full (the first `options.maxDetailedCases` of `outlinesByConcern`) are read again, by
/// key, with every answer. Formats that show every answer (JSON, JUnit) read them through `allRows()`.
package struct ReportContent: Sendable {
    package var data: RunReportData
    package var analysis: AgreementAnalysis
    package var gate: GateOutcome
    package var options: ReportOptions
    /// ai-lb's own verdicts compared with ours: how many case repeats were compared, and where they differ.
    /// Empty when the run had no `kind: ailb` backend in consensus mode.
    package var loadBalancerCompared = 0
    /// How many of the compared differ (`loadBalancerDisagreements` lists those whose case is stored).
    package var loadBalancerMismatches = 0
    package var loadBalancerDisagreements: [LoadBalancerDisagreement] = []
    /// What each ai-lb mode, and each backend alone, would have returned over the run (the mode advisor).
    package var modes: ModeAdvice
    /// The case repeats shown with every answer: the first `options.maxDetailedCases` of `outlinesByConcern`,
    /// in that order.
    package var detailedRows: [CaseRepeatRow]
    /// Every case repeat in plan order, packed.
    var outlines: CaseRepeatOutlines
    /// Indices into `outlines`, in the order of `outlinesByConcern`.
    var concernOrder: [Int32]
    /// Where `allRows()` reads the full rows.
    let source: RowSource

    enum RowSource: Sendable {
        case reader(any RunReader)
        case rows([CaseRepeatRow])
    }

    /// The profile the verdicts, statistics and gate use.
    package var profile: EquivalenceProfile { data.statistics.profile }

    /// Number of case repeats.
    package var caseRepeatCount: Int { outlines.count }

    /// Reads the stored run `runID` once: its statistics under `profile` (nil: the run's own), the analysis,
    /// the mode table and the outline of every case repeat, one repeat in memory at a time. Each stored repeat
    /// is also handed to `visit` with its case, responses read with `columns`, so that files listing every
    /// answer (the CSV files) are written in the same pass. The cases are kept as outlines unless `cases` says
    /// otherwise (a comparison compares their requests); the few shown in full are read whole by position.
    package static func load(
        store: some RunReader, runID: Int64, profile: EquivalenceProfile? = nil, options: ReportOptions = ReportOptions(),
        columns: ResponseColumns = .outline, cases detail: StoredCases.Detail = .outline,
        visit: ((StoredCaseRepeat, CaseRecord?) -> Void)? = nil
    ) throws -> ReportContent {
        var statistics = try RunReportData.Builder(store: store, runID: runID, profile: profile, cases: detail)
        let options = try checked(options, run: statistics.run, backends: statistics.backends)
        var builder = Builder(
            run: statistics.run, backends: statistics.backends, cases: statistics.cases, profile: statistics.profile,
            options: options)
        let cases = statistics.cases
        let order = Dictionary(uniqueKeysWithValues: statistics.backends.map { ($0.name, $0.position) })
        try store.forEachCaseRepeat(runID: runID, columns: columns) { stored in
            statistics.add(stored)
            let caseRecord = cases.index(ofPosition: stored.casePosition).map { cases[$0] }
            if let caseRecord { builder.add(CaseRepeatRow(stored, caseRecord: caseRecord, order: order)) }
            visit?(stored, caseRecord)
        }
        return try finished(builder, report: try statistics.build(store: store), store: store)
    }

    /// Reads the run's cases and responses from `store` (the database, or a run held in memory) and computes
    /// the analysis, for a `report` already read.
    package static func load(
        report: RunReportData, store: some RunReader, options: ReportOptions = ReportOptions()
    ) throws
        -> ReportContent
    {
        let options = try checked(options, run: report.run, backends: report.backends)
        var builder = Builder(
            run: report.run, backends: report.backends, cases: report.cases, profile: report.statistics.profile,
            options: options)
        try CaseRepeatRow.forEach(
            store: store, runID: report.run.id, backends: report.backends, cases: report.cases, columns: .outline
        ) { builder.add($0) }
        return try finished(builder, report: report, store: store)
    }

    /// The content of what `builder` was given, with the repeats shown in full read again by key (with every
    /// answer) and ai-lb's own verdicts counted.
    static func finished(_ builder: Builder, report: RunReportData, store: some RunReader) throws -> ReportContent {
        let options = builder.options
        var content = builder.content(report: report, source: .reader(store))
        let detailed = content.concernOrder.prefix(options.maxDetailedCases).map { content.outline(at: Int($0)) }
        let stored = try store.caseRepeats(
            runID: report.run.id, keys: detailed.map { ($0.caseRecord.position, $0.repeatIndex) })
        // Shown with their prompts and expectations, which cases kept as outlines do not hold.
        var whole: [Int: CaseRecord] = [:]
        if report.cases.detail == .outline {
            let positions = Array(Set(detailed.map(\.caseRecord.position))).sorted()
            for record in try store.cases(runID: report.run.id, positions: positions) { whole[record.position] = record }
        }
        let order = Dictionary(uniqueKeysWithValues: report.backends.map { ($0.name, $0.position) })
        content.detailedRows = zip(detailed, stored).map {
            CaseRepeatRow($1, caseRecord: whole[$0.caseRecord.position] ?? $0.caseRecord, order: order)
        }
        let counts = try store.loadBalancerVerdictCounts(runID: report.run.id)
        content.loadBalancerCompared = counts.compared
        content.loadBalancerMismatches = counts.mismatches
        content.loadBalancerDisagreements = try store.loadBalancerDisagreements(runID: report.run.id)
        if let maximum = options.gates.maxLoadBalancerMismatches {
            content.gate.loadBalancer = LoadBalancerGateCheck(
                maximum: maximum, compared: counts.compared, mismatches: counts.mismatches)
        }
        return content
    }

    /// The content for rows already read.
    package static func make(report: RunReportData, rows: [CaseRepeatRow], options: ReportOptions) throws -> ReportContent {
        let options = try checked(options, run: report.run, backends: report.backends)
        var builder = Builder(
            run: report.run, backends: report.backends, cases: report.cases, profile: report.statistics.profile,
            options: options)
        for row in rows { builder.add(row) }
        var content = builder.content(report: report, source: .rows(rows))
        content.detailedRows = content.concernOrder.prefix(options.maxDetailedCases).map { rows[Int($0)] }
        return content
    }

    /// `options` with a reference that is not among `backends` dropped, unless it must exist (then an error).
    static func checked(_ options: ReportOptions, run: RunRecord, backends: [BackendRecord]) throws -> ReportOptions {
        guard let reference = options.reference, !backends.contains(where: { $0.name == reference }) else {
            return options
        }
        guard options.referenceMustExist else {
            var options = options
            options.reference = nil
            return options
        }
        throw InputError(
            "reference backend '\(reference)' is not in run \(run.id) "
                + "(its backends: \(backends.map(\.name).joined(separator: ", ")))")
    }

    /// Takes the rows of a run one at a time, in plan order, and keeps their outlines and the analysis.
    struct Builder {
        let options: ReportOptions
        let profile: EquivalenceProfile
        var analysis: AgreementAnalysis.Accumulator
        var modes: ModeAdvice.Builder
        var outlines: CaseRepeatOutlines
        var concerns: [Concern] = []

        init(run: RunRecord, backends: [BackendRecord], cases: StoredCases, profile: EquivalenceProfile, options: ReportOptions) {
            self.options = options
            self.profile = profile
            let references = QuantPrecision.references(
                backends: backends.map { (name: $0.name, family: $0.family, quant: $0.quant) },
                explicit: options.reference)
            analysis = AgreementAnalysis.Accumulator(backends: backends.map(\.name), references: references)
            modes = ModeAdvice.Builder(runID: run.id, mode: run.mode, backends: backends, reference: options.reference)
            outlines = CaseRepeatOutlines(cases: cases)
            // Room for every planned repeat at once: the lists are allocated once each, not grown by doubling.
            let repeats = cases.totalRepeats
            analysis.reserveCapacity(repeats: repeats)
            modes.reserveCapacity(repeats: repeats)
            outlines.reserveCapacity(repeats, backends: backends.count)
            concerns.reserveCapacity(repeats)
        }

        mutating func add(_ row: CaseRepeatRow) {
            analysis.add(row.observation(profile))
            modes.add(row)
            let outline = row.outline(profile)
            concerns.append(ReportContent.concern(outline))
            outlines.append(outline)
        }

        func content(report: RunReportData, source: RowSource) -> ReportContent {
            let order = concerns.indices.sorted { lhs, rhs in
                let (l, r) = (concerns[lhs], concerns[rhs])
                if l != r { return l < r }
                return lhs < rhs
            }.map { Int32($0) }
            return ReportContent(
                data: report,
                analysis: analysis.analysis(bootstrapIterations: options.bootstrapIterations, seed: options.bootstrapSeed),
                gate: GateOutcome(statistics: report.statistics, thresholds: options.gates, basis: options.gateBasis),
                options: options, modes: modes.build(), detailedRows: [], outlines: outlines, concernOrder: order,
                source: source)
        }
    }

    /// The outline of the case repeat at `index` in plan order.
    func outline(at index: Int) -> CaseRepeatOutline {
        outlines.outline(at: index)
    }

    /// Every case repeat in plan order, outlined.
    package var outlinesInPlanOrder: LazyMapSequence<Range<Int>, CaseRepeatOutline> {
        (0..<outlines.count).lazy.map { outline(at: $0) }
    }

    /// Case repeats ordered for reading: disagreements first (the most split first), then wrong consensus,
    /// then differences between the profiles, then the rest, each in plan order.
    package var outlinesByConcern: LazyMapSequence<[Int32], CaseRepeatOutline> {
        concernOrder.lazy.map { outline(at: Int($0)) }
    }

    /// Every case repeat with every answer, in plan order: read from the run (or the rows given to `make`).
    /// Memory grows with the run; for the formats that list every answer.
    package func allRows() throws -> [CaseRepeatRow] {
        switch source {
        case .rows(let rows): return rows
        case .reader(let reader):
            let cases =
                data.cases.detail == .outline
                ? try reader.storedCases(runID: data.run.id, detail: .withoutRequests) : data.cases
            return try CaseRepeatRow.loadAll(store: reader, runID: data.run.id, backends: data.backends, cases: cases)
        }
    }

    /// `allRows()` as a property.
    package var rows: [CaseRepeatRow] {
        get throws { try allRows() }
    }

    /// The backend most often outside the winning group (lowest share with the majority), when any was judged.
    package var minorityBackend: BackendStatistics? {
        // Only repeats with a strict majority count (a tie makes nobody the odd one out), and equal rates go
        // to the first name, not the first in the config: the call-out must not depend on backend order.
        data.statistics.backends.filter { $0.minority.trials > 0 }.max { a, b in
            let (x, y) = (a.minority.value ?? 0, b.minority.value ?? 0)
            return x != y ? x < y : codePointLess(b.name, a.name)
        }
    }

    /// The suites of the run as stored: name, path and case count.
    package var suites: [(name: String, path: String, cases: Int)] {
        let parsed = (try? JSONValue(parsing: data.run.suitesJSON))?.arrayValue ?? []
        return parsed.map {
            (name: $0["name"]?.stringValue ?? "?", path: $0["path"]?.stringValue ?? "", cases: $0["cases"]?.intValue ?? 0)
        }
    }

    /// True when any case had `expect`, so accuracy and flips mean something.
    package var hasExpectations: Bool {
        data.statistics.backends.contains { $0.accuracy.trials > 0 } || data.statistics.consensusAccuracy.trials > 0
    }

    /// A sort key: lower is shown earlier; the share of agreeing answers breaks ties among disagreements. Eight
    /// bytes, as one is kept per case repeat until the order is made (a share is a small fraction, which a
    /// `Float` tells apart from any other).
    struct Concern: Comparable {
        var rank: UInt8
        var share: Float
        static func < (a: Concern, b: Concern) -> Bool { (a.rank, a.share) < (b.rank, b.share) }
    }

    static func concern(_ outline: CaseRepeatOutline) -> Concern {
        guard let v = outline.verdict else { return Concern(rank: 5, share: 0) }
        if v.successes < 2 { return Concern(rank: 4, share: 0) }
        if v.disagreement { return Concern(rank: 0, share: Float(v.agreementCount) / Float(v.successes)) }
        if outline.consensusCorrect == false { return Concern(rank: 1, share: 0) }
        if outline.profilesDiffer { return Concern(rank: 2, share: 0) }
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
