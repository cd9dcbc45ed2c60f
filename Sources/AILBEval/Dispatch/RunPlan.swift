/// One case of a run, with its position in the plan and the request body every backend receives
/// (the model field is set per backend).
public struct PlannedCase: Sendable {
    /// Index in the run's case list; the key in the store.
    public var position: Int
    public var suiteName: String
    public var suiteCase: SuiteCase
    public var repeats: Int
    /// The OpenAI chat request without `model` and `stream`.
    public var requestBody: [String: JSONValue]
    /// Whether the repeats send one seed or one each (`RepeatSeed.body(_:repeatIndex:)`).
    public var repeatSeed: RepeatSeed = .fixed

    /// The body repeat `repeatIndex` (from 0) sends, still without `model` and `stream`.
    public func requestBody(repeatIndex: Int) -> [String: JSONValue] {
        repeatSeed.body(requestBody, repeatIndex: repeatIndex)
    }
}

/// Everything a run will ask: cases × repeats × backends.
public struct RunPlan: Sendable {
    public var cases: [PlannedCase]
    public var backends: [BackendConfig]

    /// Number of requests the plan makes.
    public var totalRequests: Int { cases.reduce(0) { $0 + $1.repeats } * backends.count }

    /// Builds the plan; request fields come from the run defaults, then the suite, then the case. The seed
    /// strategy is `repeatSeedOverride` (the flag), else the suite's, else the defaults'.
    public init(
        suites: [Suite], backends: [BackendConfig], defaults: RunDefaults, repeatsOverride: Int? = nil,
        repeatSeedOverride: RepeatSeed? = nil
    ) {
        self.backends = backends
        var planned: [PlannedCase] = []
        for suite in suites {
            for suiteCase in suite.cases {
                let repeats = repeatsOverride ?? suiteCase.repeats ?? defaults.repeats
                planned.append(
                    PlannedCase(
                        position: planned.count, suiteName: suite.name, suiteCase: suiteCase, repeats: repeats,
                        requestBody: Self.requestBody(for: suiteCase, defaults: defaults),
                        repeatSeed: repeatSeedOverride ?? suite.repeatSeed ?? defaults.repeatSeed))
            }
        }
        cases = planned
    }

    static func requestBody(for suiteCase: SuiteCase, defaults: RunDefaults) -> [String: JSONValue] {
        var body: [String: JSONValue] = ["messages": .array(suiteCase.messages)]
        if let temperature = defaults.temperature { body["temperature"] = .double(temperature) }
        if let maxTokens = defaults.maxTokens { body["max_tokens"] = .int(maxTokens) }
        if let seed = defaults.seed { body["seed"] = .int(seed) }
        if let tools = suiteCase.tools, !tools.isEmpty { body["tools"] = .array(tools) }
        if let toolChoice = suiteCase.toolChoice { body["tool_choice"] = toolChoice }
        for (key, value) in suiteCase.parameters { body[key] = value }
        return body
    }
}
