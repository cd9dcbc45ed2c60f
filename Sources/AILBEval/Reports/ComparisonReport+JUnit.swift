/// The JUnit comparison, so CI shows regressions as failing tests.
extension ComparisonReport {
    /// A testcase per changed case repeat (failing when it is a regression) and one, "judged in both runs",
    /// that fails when no case repeat was judged in both; the comparability sentences as properties and in
    /// the suite's system-out.
    static func junit(_ c: RunComparison) -> String {
        let regressions = c.changes.filter(\.isRegression)
        let comparable = c.agreementNoData == nil
        let tests = c.changes.count + 1
        let failures = regressions.count + (comparable ? 0 : 1)
        let notes = comparability(c)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="\(JUnitReport.escape("ailb-eval compare \(c.runA) \(c.runB)"))" tests="\(tests)" failures="\(failures)" errors="0">
              <testsuite name="changes" tests="\(tests)" failures="\(failures)" errors="0" skipped="0">
                <properties>

            """
        for (index, note) in notes.enumerated() {
            out += "      <property name=\"comparability.\(index + 1)\" value=\"\(JUnitReport.escape(note))\"/>\n"
        }
        out += "    </properties>\n"
        out += "    <testcase classname=\"ailb-eval.compare\" name=\"judged in both runs\""
        if let none = c.agreementNoData {
            out += ">\n      <failure type=\"not-comparable\" message=\"\(JUnitReport.escape(none))\"/>\n    </testcase>\n"
        } else {
            out += "/>\n"
        }
        for change in c.changes {
            out +=
                "    <testcase classname=\"\(JUnitReport.escape("ailb-eval.\(change.suite)"))\" name=\"\(JUnitReport.escape(caseName(change)))\""
            if change.isRegression {
                out += ">\n      <failure type=\"regression\" message=\"\(JUnitReport.escape(changeText(change)))\">"
                out += JUnitReport.escape(
                    "before: " + change.groupsBefore.map { $0.joined(separator: "+") }.joined(separator: " | ") + "\nafter: "
                        + change.groupsAfter.map { $0.joined(separator: "+") }.joined(separator: " | "))
                out += "</failure>\n    </testcase>\n"
            } else {
                out += ">\n      <system-out>\(JUnitReport.escape(changeText(change)))</system-out>\n    </testcase>\n"
            }
        }
        var summary = notes.map { "* \($0)" } + [agreementLine(c)]
        if let line = consensusLine(c) { summary.append(line) }
        out += "    <system-out>\(JUnitReport.escape(summary.joined(separator: "\n")))</system-out>\n"
        return out + "  </testsuite>\n</testsuites>\n"
    }
}
