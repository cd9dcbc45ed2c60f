/// Which part of a split run a stored run is, as reports name it: a shard's run stores every case of the plan
/// but sends only its share, so its figures cover that share.
extension RunReportData {
    /// "shard 2/4: 250 of 1,000 cases" for a shard's run; nil for a run of every case.
    package var shareText: String? {
        guard let shard = run.shard else { return nil }
        let share = cases.count(where: { shard.contains(suite: $0.suite, caseID: $0.caseID) })
        return "shard \(shard): \(Self.grouped(share)) of \(Self.grouped(cases.count)) cases"
    }

    /// "250 cases", or the shard's `shareText`.
    package var casesText: String { shareText ?? "\(cases.count) cases" }

    /// `1234567` as "1,234,567", the same on every machine (no locale).
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (number < 0 ? "-" : "") + out
    }
}
