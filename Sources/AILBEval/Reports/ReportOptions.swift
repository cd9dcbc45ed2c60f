/// Choices that shape a report beyond the run itself: the reference for flips, the gate shown in the
/// header, the bootstrap, and how much case detail an HTML file may hold.
package struct ReportOptions: Sendable {
    /// The backend flips are measured against; nil: the highest-precision quant of each family.
    package var reference: String?
    /// Whether a `reference` missing from the run is an error (a flag the user typed) or is ignored in favour of
    /// the default (a config whose backends differ from the run's, or a run limited with `--backend`).
    package var referenceMustExist = false
    /// The bars the report's gate verdict is computed with.
    package var gates = GateThresholds()
    package var gateBasis = GateBasis.point
    /// Resamples for Krippendorff's alpha interval, and their seed (fixed, so reports are reproducible).
    package var bootstrapIterations = 1000
    package var bootstrapSeed: UInt64 = 20_240_601
    /// Case repeats shown with every answer in the HTML report; the rest get a one-line row, which keeps
    /// a 50,000-response report well under 20 MB. Disagreements come first, so they are the detailed ones.
    package var maxDetailedCases = 1500
    /// Answer and prompt text beyond this many characters is cut in the HTML (the database keeps it all).
    package var maxTextCharacters = 2000

    /// Options with the defaults above.
    package init(reference: String? = nil, gates: GateThresholds = GateThresholds(), gateBasis: GateBasis = .point) {
        self.reference = reference
        self.gates = gates
        self.gateBasis = gateBasis
    }

    /// The options a config implies: `reports.reference` and `gates:`.
    package init(config: EvalConfig) {
        self.init(reference: config.referenceBackend, gates: config.gates)
    }
}
