import Foundation

extension HTMLReport {
    // MARK: 7. Cases

    /// The case list, one article at a time: the first `maxDetailedCases` of `outlinesByConcern` with every
    /// answer, the rest on one line each.
    static func cases(_ content: ReportContent, to output: (String) throws -> Void) rethrows {
        let count = content.caseRepeatCount
        let limit = content.options.maxDetailedCases
        var suiteSet = Set<String>()
        var tagSet = Set<String>()
        var disagreements = 0
        for outline in content.outlinesInPlanOrder {
            suiteSet.insert(outline.caseRecord.suite)
            tagSet.formUnion(outline.caseRecord.tags)
            if outline.verdict?.disagreement == true && outline.isJudged { disagreements += 1 }
        }
        let suites = Array(suiteSet).sorted()
        let tags = Array(tagSet).sorted()
        var out: HTML = """
            <section class="card" id="cases"><h2>Cases, disagreements first</h2>
            <p class="sub">\(count) case repeats, \(disagreements) with a disagreement. Disagreements are open; \
            click any case to fold or unfold it. Tool calls are shown canonically (keys sorted, numbers by value), with \
            what differs from the winning answer <mark>marked</mark>; near-miss text is diffed against the winning text \
            (<del>only in the winner</del>, <ins>only here</ins>).</p>
            """
        if count > limit {
            out += """
                <div class="callout neutral">The first \(limit) case repeats (all disagreements first) are shown with \
                every answer; the other \(count - limit) are listed on one line each to keep this file small. \
                Every answer is in <code>ailb-eval report \(Int(content.data.run.id)) --format json</code> and in the database.</div>
                """
        }
        out += "<div class=\"filters\"><label>Suite <select id=\"f-suite\"><option value=\"\">all</option>"
        for s in suites { out += "<option value=\"\(s)\">\(s)</option>" }
        out += "</select></label><label>Tag <select id=\"f-tag\"><option value=\"\">all</option>"
        for t in tags { out += "<option value=\"\(t)\">\(t)</option>" }
        out += "</select></label><label>Backend outside the majority or failed <select id=\"f-backend\"><option value=\"\">any</option>"
        for b in content.data.backends { out += "<option value=\"\(b.name)\">\(b.name)</option>" }
        out += """
            </select></label><label>Verdict <select id="f-verdict"><option value="">all</option>\
            <option value="disagree">disagreement</option><option value="agree">agreement</option>\
            <option value="wrong">consensus wrong</option><option value="profiles">ailb ≠ semantic</option>\
            <option value="spurious">spurious disagreement</option><option value="failed">a backend failed</option>\
            <option value="unjudged">not judged</option></select></label></div>
            <div class="pager"><button id="f-prev" type="button">← previous</button><button id="f-next" type="button">next →</button> <span id="f-info" class="sub"></span></div>

            """
        try output(out.markup)
        for (index, outline) in content.outlinesByConcern.enumerated() {
            let detail = index < content.detailedRows.count ? content.detailedRows[index] : nil
            try output(caseArticle(outline, detail: detail, content: content).markup)
        }
        try output("</section>\n")
    }

    /// The filter labels of a row, written as JSON into a data attribute.
    static func verdictLabels(_ row: CaseRepeatOutline) -> [String] {
        var labels: [String] = []
        if let verdict = row.verdict, verdict.successes >= 2 {
            labels.append(verdict.disagreement ? "disagree" : "agree")
            if row.consensusCorrect == false { labels.append("wrong") }
        } else {
            labels.append("unjudged")
        }
        if row.profilesDiffer { labels.append("profiles") }
        if row.isSpurious { labels.append("spurious") }
        if row.answered.contains(where: { !$0.success }) { labels.append("failed") }
        return labels
    }

    static func jsonList(_ items: [String]) -> String {
        JSONValue.array(items.map { .string($0) }).compactText
    }

    /// A case repeat's article: one line from its outline, or with every answer when `detail` (the same
    /// repeat, read in full) is given.
    static func caseArticle(_ outline: CaseRepeatOutline, detail: CaseRepeatRow?, content: ReportContent) -> HTML {
        let verdict = outline.verdict
        let groups = verdict?.groups ?? []
        let winners = Set(groups.first ?? [])
        let labels = verdictLabels(outline)
        let odd = outline.answered.filter { !$0.success || (!winners.contains($0.backend) && verdict != nil) }.map(\.backend)
        let judged = outline.isJudged
        let disagrees = judged && verdict?.disagreement == true
        let cssClass =
            !judged ? "nj" : (disagrees ? "dis" : (outline.profilesDiffer || outline.consensusCorrect == false ? "diff" : "agree"))
        let record = outline.caseRecord
        let attributes: HTML = """
            data-suite="\(record.suite)" data-tags="\(jsonList(record.tags))" data-odd="\(jsonList(odd))" data-verdict="\(jsonList(labels))"
            """
        let summary = caseSummary(outline, judged: judged, disagrees: disagrees)
        guard let row = detail else {
            return "<article class=\"case brief \(cssClass)\" \(attributes)>\(summary)</article>\n"
        }
        let profile = content.profile
        let verdictRecord = row.verdict(profile)
        var out: HTML = """
            <article class="case \(cssClass)" id="case-\(record.position)-\(row.repeatIndex + 1)" \(attributes)><details\(disagrees ? " open" : "")>\
            <summary>\(summary)</summary><div class="body">
            <h4>Prompt</h4><pre>\(clip(row.caseRecord.prompt, content.options.maxTextCharacters))</pre>

            """
        // The detailed row's case is read whole; the outline's may hold only what sorts and counts it.
        if let expect = row.caseRecord.expectJSON {
            let shown = (try? JSONValue(parsing: expect))?.compactText ?? expect
            out += "<h4>Expected</h4><pre>\(clip(shown, content.options.maxTextCharacters))</pre>\n"
        }
        let winner = verdictRecord.flatMap { v in row.responses.first { $0.backend == v.verdict.winner && $0.success } }
        let groupOf = Dictionary(
            groups.enumerated().flatMap { rank, group in group.map { ($0, rank) } }, uniquingKeysWith: { first, _ in first })
        out += "<h4>Answers</h4><div class=\"answers\">\n"
        let collapse = judged && !disagrees && winner != nil && !row.profilesDiffer
        for response in row.responses {
            if collapse && response.success && response.backend != winner?.backend { continue }
            out += answerCard(
                response, group: groupOf[response.backend], isWinner: response.backend == winner?.backend,
                baseline: winner, content: content,
                sharedBy: collapse && response.backend == winner?.backend ? groups.first ?? [] : [])
        }
        out += "</div>\n"
        if row.profilesDiffer, let ailb = row.ailb, let semantic = row.semantic {
            let causes = semantic.spuriousCauses.map(causeName).joined(separator: ", ")
            out += """
                <div class="profiles"><b>ailb and semantic differ.</b> ailb: \(groupText(ailb.verdict)) · semantic: \
                \(groupText(semantic.verdict))\(row.isSpurious ? " — a spurious disagreement" : "")\
                \(causes.isEmpty ? "" : " (\(causes))").</div>

                """
        }
        out += "</div></details></article>\n"
        return out
    }

    static func caseSummary(_ row: CaseRepeatOutline, judged: Bool, disagrees: Bool) -> HTML {
        let record = row.caseRecord
        var out: HTML
        if let v = row.verdict, judged {
            out =
                disagrees
                ? "<span class=\"badge b-bad\">\(v.agreementCount)/\(v.successes) agree</span>"
                : "<span class=\"badge b-ok\">\(v.successes)/\(v.successes) agree</span>"
        } else {
            out = "<span class=\"badge b-neutral\">not judged</span>"
        }
        out += " <span class=\"cid\">\(record.suite) / \(record.caseID)</span>"
        if record.repeats > 1 { out += " <span class=\"sub\">repeat \(row.repeatIndex + 1)</span>" }
        for tag in record.tags { out += " <span class=\"tag\">\(tag)</span>" }
        if let verdict = row.verdict, judged {
            out += " <span class=\"sub small\">\(verdict.comparisonType.rawValue) · winner \(verdict.winner)</span>"
            if verdict.outcome == .tie { out += " <span class=\"badge b-neutral\">tie: no majority</span>" }
            if row.consensusCorrect == false { out += " <span class=\"badge b-bad\">consensus wrong</span>" }
            if row.consensusCorrect == true { out += " <span class=\"badge b-ok\">consensus correct</span>" }
            if disagrees { out += " <span class=\"sub small\">\(groupText(verdict))</span>" }
        }
        if row.isSpurious {
            out += " <span class=\"badge b-warn\">spurious</span>"
        } else if row.profilesDiffer {
            out += " <span class=\"badge b-warn\">ailb ≠ semantic</span>"
        }
        let failed = row.answered.filter { !$0.success }.count
        if failed > 0 { out += " <span class=\"badge b-bad\">\(failed) failed</span>" }
        return out
    }

    static func groupText(_ verdict: Verdict) -> String {
        verdict.groups.map { $0.joined(separator: "+") }.joined(separator: " | ")
    }

    static func answerCard(
        _ response: ResponseRecord, group: Int?, isWinner: Bool, baseline: ResponseRecord?, content: ReportContent,
        sharedBy: [String]
    ) -> HTML {
        let limit = content.options.maxTextCharacters
        guard response.success else {
            return """
                <div class="answer failed"><header>\(response.backend) <span class="badge b-bad">failed</span></header>\
                <div class="content"><span class="err">\(response.errorClass?.rawValue ?? "error")\
                \(response.httpStatus.map { " (HTTP \($0))" } ?? "")</span>\
                \(response.errorMessage.map { ": " + String($0.prefix(400)) } ?? "")\
                <div class="note">\(ReportFormat.ms(response.latencyMs)) ms, \(response.attempts) attempt\(response.attempts == 1 ? "" : "s")</div></div></div>

                """
        }
        let groupClass = group.map { $0 < 4 ? "g\($0)" : "gx" } ?? "gx"
        let groupLetter = group.map { String(UnicodeScalar(UInt8(65 + min($0, 25)))) } ?? "?"
        var out: HTML = """
            <div class="answer \(groupClass)"><header>\(response.backend) <span class="grp \(groupClass)" title="answer group">\(groupLetter)</span>
            """
        if isWinner { out += " <span class=\"badge b-ok\">winner</span>" }
        if response.correct == true { out += " <span class=\"badge b-ok\">✓ correct</span>" }
        if response.correct == false { out += " <span class=\"badge b-bad\">✗ wrong</span>" }
        out += "</header><div class=\"content\">"
        let compareTo = isWinner ? nil : baseline
        if let calls = response.toolCalls {
            out += "<div class=\"calls\">\(toolCalls(calls, against: compareTo?.toolCalls))</div>"
        } else if compareTo?.toolCalls != nil {
            out += "<div class=\"calls\"><mark>(no tool call)</mark></div>"
        }
        let text = response.text ?? ""
        if !text.isEmpty || response.toolCalls == nil {
            if response.toolCalls != nil { out += "<div class=\"note\">text</div>" }
            out += "<pre>\(answerText(text, against: compareTo?.toolCalls == nil ? compareTo?.text : nil, limit: limit))</pre>"
        }
        var notes = "\(ReportFormat.ms(response.latencyMs)) ms"
        if let reason = response.finishReason { notes += " · \(reason)" }
        out += "<div class=\"note\">\(notes)"
        if sharedBy.count > 1 {
            out += " · the same answer as \(sharedBy.filter { $0 != response.backend }.joined(separator: ", "))"
        }
        out += "</div></div></div>\n"
        return out
    }

    /// Tool calls, one per block, arguments one per line; what differs from the baseline's calls is marked.
    static func toolCalls(_ raw: String, against baselineRaw: String?) -> HTML {
        guard let calls = (try? JSONValue(parsing: raw))?.arrayValue else { return "\(raw)" }
        let baseline = baselineRaw.flatMap { try? JSONValue(parsing: $0) }?.arrayValue
        var blocks: [HTML] = []
        for (index, call) in calls.enumerated() {
            let name = call["name"]?.stringValue ?? ""
            let base = baseline.flatMap { index < $0.count ? $0[index] : nil }
            let nameDiffers = baseline != nil && base?["name"]?.stringValue != name
            var block: HTML = nameDiffers ? "<mark class=\"fn\">\(name)</mark>" : "<span class=\"fn\">\(name)</span>"
            let arguments = call["arguments"] ?? .object([:])
            let baseArguments = nameDiffers ? nil : base?["arguments"]
            if case .object(let members) = arguments {
                block += " {"
                let keys = members.keys.sorted(by: codePointLess)
                var lines: [HTML] = []
                for key in keys {
                    let value = members[key]!
                    let line = "\(JSONValue.string(key).compactText): \(value.compactText)"
                    let differs = baseline != nil && !nameDiffers && baseArguments?[key]?.compactText != value.compactText
                    lines.append(differs ? "\n  <mark>\(line)</mark>" : "\n  \(line)")
                }
                if let baseMembers = baseArguments?.objectValue {
                    for key in baseMembers.keys.sorted(by: codePointLess) where members[key] == nil {
                        lines.append("\n  <mark>(no \(JSONValue.string(key).compactText))</mark>")
                    }
                }
                block += HTML.join(lines, separator: ",")
                block += lines.isEmpty ? "}" : "\n}"
            } else {
                let differs = baseline != nil && !nameDiffers && baseArguments?.compactText != arguments.compactText
                block += differs ? " <mark>\(arguments.compactText)</mark>" : " \(arguments.compactText)"
            }
            blocks.append(block)
        }
        if let baseline, baseline.count > calls.count {
            blocks.append(
                "<mark>(\(baseline.count - calls.count) call\(baseline.count - calls.count == 1 ? "" : "s") fewer than the winner)</mark>")
        }
        return HTML.join(blocks, separator: "\n")
    }

    /// The text, as a character diff against the winning text when the two are a near miss.
    static func answerText(_ text: String, against baseline: String?, limit: Int) -> HTML {
        let count = text.unicodeScalars.count
        if let baseline, baseline != text, !baseline.isEmpty, !text.isEmpty, count <= limit,
            baseline.unicodeScalars.count <= limit, SequenceSimilarity.ratio(baseline, text) >= 0.5
        {
            var out: HTML = ""
            for piece in TextDiff.pieces(from: baseline, to: text) {
                switch piece {
                case .same(let s): out += "\(s)"
                case .removed(let s): out += "<del>\(s)</del>"
                case .added(let s): out += "<ins>\(s)</ins>"
                }
            }
            return out
        }
        return clip(text, limit)
    }

    /// The text cut to `limit` scalars, saying how much was left out.
    static func clip(_ text: String, _ limit: Int) -> HTML {
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return "\(text)" }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: scalars.prefix(limit))
        return
            "\(String(head))<span class=\"note\"> … \(scalars.count - limit) more characters (full text in the JSON report and the database)</span>"
    }
}
