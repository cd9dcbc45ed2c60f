/// One case of a run, with its position in the plan. Its request body (the model field is set per backend),
/// expectation and other fields are read from the packed cases (`SuiteCases`) when asked for, so a plan of
/// any size holds each case once, as compact bytes.
package struct PlannedCase: Sendable {
    /// Index in the run's case list; the key in the store.
    package var position: Int
    package var suiteName: String
    package var repeats: Int
    /// Whether the repeats send one seed or one each (`RepeatSeed.body(_:repeatIndex:)`).
    package var repeatSeed: RepeatSeed
    /// The packed cases this one is read from, and its index there.
    let cases: SuiteCases
    let index: Int
    /// The request fields the run sets before the case's own (`temperature`, `max_tokens`, `seed`).
    let bodyDefaults: [String: JSONValue]

    /// The case's id, unique within its suite.
    package var caseID: String { cases.id(at: index) }
    /// The case's expected answer.
    package var expect: Expectation? { cases.expect(at: index) }
    /// The case's tags.
    package var tags: [String] { cases.tags(at: index) }
    /// The whole case, decoded.
    package var suiteCase: SuiteCase { cases[index] }

    /// The OpenAI chat request without `model` and `stream`: the run's defaults, then the case's messages,
    /// tools, tool choice and parameters (which win over the defaults).
    package var requestBody: [String: JSONValue] { body(cases.requestFields(at: index)) }

    func body(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        var body = bodyDefaults
        body["messages"] = fields["messages"] ?? .array([])
        if let tools = fields["tools"]?.arrayValue, !tools.isEmpty { body["tools"] = .array(tools) }
        if let toolChoice = fields["tool_choice"] { body["tool_choice"] = toolChoice }
        for (key, value) in fields["parameters"]?.objectValue ?? [:] { body[key] = value }
        return body
    }

    /// The body repeat `repeatIndex` (from 0) sends, still without `model` and `stream`.
    package func requestBody(repeatIndex: Int) -> [String: JSONValue] {
        repeatSeed.body(requestBody, repeatIndex: repeatIndex)
    }

    /// The case as the store keeps it with the run.
    package var record: CaseRecord {
        let fields = cases.requestFields(at: index)
        var prompt = ""
        for message in (fields["messages"]?.arrayValue ?? []).reversed() where message["role"]?.stringValue == "user" {
            if let text = message["content"]?.stringValue {
                prompt = text
                break
            }
        }
        return CaseRecord(
            position: position, suite: suiteName, caseID: caseID, prompt: prompt,
            requestJSON: JSONValue.object(body(fields)).compactText, expectJSON: cases.expectJSON(at: index), tags: tags,
            repeats: repeats)
    }
}

/// The cases of a plan in plan order: the cases of each suite after those of the one before, each made a
/// `PlannedCase` when it is read.
package struct PlannedCases: RandomAccessCollection, Sendable {
    /// Consecutive cases planned alike: from one suite, or stored with a run and planned again.
    struct Segment: Sendable {
        /// Position of its first case.
        var first: Int
        var suiteName: String
        var cases: SuiteCases
        /// The repeats of every case (`--repeat`); nil: the case's own, else `defaultRepeats`.
        var repeats: Int?
        var defaultRepeats: Int
        var repeatSeed: RepeatSeed
        var bodyDefaults: [String: JSONValue]
    }

    private(set) var segments: [Segment] = []

    package var startIndex: Int { 0 }
    package private(set) var endIndex = 0

    /// The case at `position`.
    package subscript(position: Int) -> PlannedCase {
        precondition(position >= 0 && position < endIndex, "no planned case at \(position)")
        var low = 0
        var high = segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].first <= position { low = middle } else { high = middle - 1 }
        }
        let segment = segments[low]
        let index = position - segment.first
        return PlannedCase(
            position: position, suiteName: segment.suiteName,
            repeats: segment.repeats ?? segment.cases.repeats(at: index) ?? segment.defaultRepeats,
            repeatSeed: segment.repeatSeed, cases: segment.cases, index: index, bodyDefaults: segment.bodyDefaults)
    }

    /// Adds the cases of a suite after those planned so far.
    mutating func append(segment: Segment) {
        guard !segment.cases.isEmpty else { return }
        var segment = segment
        segment.first = endIndex
        segments.append(segment)
        endIndex += segment.cases.count
    }

    /// Adds a case stored with a run, to be asked again exactly as it was (its stored body, repeats and
    /// expectation), after those planned so far.
    mutating func append(stored record: CaseRecord, repeatSeed: RepeatSeed) {
        var body = (try? JSONValue(parsing: record.requestJSON))?.objectValue ?? [:]
        let messages = body.removeValue(forKey: "messages")?.arrayValue ?? []
        var tools: [JSONValue]?
        if let value = body["tools"], let list = value.arrayValue {
            tools = list
            body["tools"] = nil
        }
        let toolChoice = body.removeValue(forKey: "tool_choice")
        let expect = record.expectJSON.flatMap { try? JSONValue(parsing: $0) }.map(ExpectationJSON.decode)
        let suiteCase = SuiteCase(
            id: record.caseID, messages: messages, tools: tools, toolChoice: toolChoice, parameters: body, expect: expect,
            tags: record.tags, repeats: record.repeats)
        if let last = segments.indices.last, segments[last].suiteName == record.suite,
            segments[last].repeatSeed == repeatSeed, segments[last].bodyDefaults.isEmpty
        {
            segments[last].cases.append(suiteCase)
        } else {
            segments.append(
                Segment(
                    first: endIndex, suiteName: record.suite, cases: SuiteCases([suiteCase]), repeats: nil,
                    defaultRepeats: record.repeats, repeatSeed: repeatSeed, bodyDefaults: [:]))
        }
        endIndex += 1
    }
}

/// Everything a run will ask: cases × repeats × backends.
package struct RunPlan: Sendable {
    package var cases: PlannedCases
    package var backends: [BackendConfig]

    /// Number of requests the plan makes.
    package var totalRequests: Int { cases.reduce(0) { $0 + $1.repeats } * backends.count }

    /// Builds the plan; request fields come from the run defaults, then the suite, then the case. The seed
    /// strategy is `repeatSeedOverride` (the flag), else the suite's, else the defaults'. The plan shares
    /// the suites' packed cases: it copies none.
    package init(
        suites: [Suite], backends: [BackendConfig], defaults: RunDefaults, repeatsOverride: Int? = nil,
        repeatSeedOverride: RepeatSeed? = nil
    ) {
        self.backends = backends
        var bodyDefaults: [String: JSONValue] = [:]
        if let temperature = defaults.temperature { bodyDefaults["temperature"] = .double(temperature) }
        if let maxTokens = defaults.maxTokens { bodyDefaults["max_tokens"] = .int(maxTokens) }
        if let seed = defaults.seed { bodyDefaults["seed"] = .int(seed) }
        var cases = PlannedCases()
        for suite in suites {
            cases.append(
                segment: PlannedCases.Segment(
                    first: 0, suiteName: suite.name, cases: suite.cases, repeats: repeatsOverride,
                    defaultRepeats: defaults.repeats, repeatSeed: repeatSeedOverride ?? suite.repeatSeed ?? defaults.repeatSeed,
                    bodyDefaults: bodyDefaults))
        }
        self.cases = cases
    }

    /// A plan of `backends` and no cases yet (a resumed run adds its stored ones).
    init(backends: [BackendConfig]) {
        self.backends = backends
        cases = PlannedCases()
    }
}
