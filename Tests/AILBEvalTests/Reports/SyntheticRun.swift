import Foundation

@testable import AILBEval

/// Builds a stored run directly through `ResultStore` (or in memory), without HTTP: any number of backends and
/// cases, one backend drifting (the "4bit" one), one answering with arguments as an object (a spurious
/// disagreement under `ailb`), some failures, and optionally answers and suite text carrying HTML/JS injection
/// payloads, which a mock server cannot produce. Verdicts are computed by the real judge (`CaseAssessor`).
enum SyntheticRun {
    struct Spec {
        var backends = 3
        var cases = 50
        var payloads = false
        var seed: UInt64 = 1
    }

    /// Markers a payload sets if it ever runs; the browser test looks for them in the DOM.
    static let marker = "data-pwned"
    static let scriptPayload = "<script>document.body.setAttribute('data-pwned','script')</script>"
    static let imagePayload = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
    static let svgPayload = "\"><svg onload=\"document.body.setAttribute('data-pwned','svg')\">"

    static let quants = ["8bit", "4bit", "Q4_K_M", "fp16", "Q8_0", "Q5_K_M", "Q6_K", "4bit", "Q3_K_S", "bf16"]
    static let cities = ["Paris", "London", "Madrid", "Tokyo", "Lima", "Oslo", "Cairo", "Quito", "Seoul", "Perth"]

    static func backendName(_ index: Int) -> String {
        index == 1 ? "macbook-4bit" : "b\(index)-\(quants[index % quants.count].lowercased())"
    }

    /// A fresh database at `path` holding one finished run per the spec; returns the store and run id.
    static func make(path: String, spec: Spec = Spec()) throws -> (ResultStore, Int64) {
        let store = try ResultStore(path: path)
        let (backends, cases) = (backends(spec), cases(spec))
        let runID = try store.createRun(
            mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil, configJSON: "{}", configHash: "synthetic",
            suitesJSON: suitesJSON(spec), plannedRequests: spec.cases * spec.backends, backends: backends, cases: cases)
        try answer(spec, backends: backends, cases: cases) { responses, verdicts in
            try store.write(runID: runID, responses: responses, verdicts: verdicts)
        }
        try store.finishRun(runID, status: .completed)
        return (store, runID)
    }

    /// The same run held in memory, no database involved; `record` replaces the run's record (to match one
    /// stored by `make`).
    static func inMemory(spec: Spec = Spec(), record: RunRecord? = nil) throws -> (InMemoryRunReader, Int64) {
        let record =
            record
            ?? RunRecord(
                id: 1, startedAt: "2025-01-01T00:00:00Z", finishedAt: "2025-01-01T00:01:00Z", status: .completed,
                toolVersion: ToolInfo.version, mode: .consensus, profile: .ailb, threshold: 0.9, configPath: nil,
                configJSON: "{}", configHash: "synthetic", suitesJSON: suitesJSON(spec),
                plannedRequests: spec.cases * spec.backends)
        var run = InMemoryRunReader.Run(record: record, backends: backends(spec), cases: cases(spec))
        try answer(spec, backends: run.backends, cases: run.cases) { responses, verdicts in
            run.responses += responses
            run.verdicts += verdicts
        }
        return (InMemoryRunReader([run]), record.id)
    }

    static func suitesJSON(_ spec: Spec) -> String {
        #"[{"name":"tools","path":"suites/tools.yaml","cases":\#(spec.cases)}]"#
    }

    static func backends(_ spec: Spec) -> [BackendRecord] {
        (0..<spec.backends).map { i in
            BackendRecord(
                position: i, name: backendName(i), kind: i == 0 ? .openai : .mock, urls: ["http://127.0.0.1:1/v1"],
                model: spec.payloads && i == 2 ? "model" + imagePayload : "qwen2.5-7b-\(quants[i % quants.count])",
                family: i % 4 == 3 ? "llama-3.1-8b" : "qwen2.5-7b-instruct", quant: quants[i % quants.count])
        }
    }

    static func cases(_ spec: Spec) -> [CaseRecord] {
        (0..<spec.cases).map { c -> CaseRecord in
            let isText = c % 4 == 0
            let city = cities[c % cities.count] + (c >= cities.count ? " \(c)" : "")
            var prompt = isText ? "What is the capital of country \(c)?" : "What's the weather in \(city)?"
            if spec.payloads && c == 0 { prompt += " " + scriptPayload }
            let expect: JSONValue =
                isText
                ? ["text": .string("The capital is City\(c).")]
                : ["tool_calls": [["name": "get_weather", "arguments": ["city": .string(city), "unit": "celsius"]]]]
            var tags = [isText ? "text" : "tools", c % 3 == 0 ? "hard" : "easy"]
            if spec.payloads && c == 1 { tags.append(svgPayload) }
            return CaseRecord(
                position: c, suite: spec.payloads && c == 2 ? "suite" + scriptPayload : (isText ? "text" : "tools"),
                caseID: spec.payloads && c == 3 ? "id-" + imagePayload : "case-\(c)", prompt: prompt,
                requestJSON: "{}", expectJSON: expect.compactText, tags: tags, repeats: 1)
        }
    }

    /// The backends' answers to every case and the verdicts on them, handed to `emit` in batches.
    static func answer(
        _ spec: Spec, backends: [BackendRecord], cases: [CaseRecord],
        emit: ([ResponseRecord], [VerdictRecord]) throws -> Void
    ) throws {
        var generator = SeededGenerator(seed: spec.seed)
        func chance(_ p: Double) -> Bool { Double(generator.next() >> 11) / Double(1 << 53) < p }
        let assessor = CaseAssessor(threshold: 0.9)
        var responses: [ResponseRecord] = []
        var verdicts: [VerdictRecord] = []
        for c in cases {
            let isText = c.position % 4 == 0
            let city = cities[c.position % cities.count] + (c.position >= cities.count ? " \(c.position)" : "")
            var answered: [(backend: String, response: BackendResponse)] = []
            var correct: [String: Bool] = [:]
            for b in backends {
                let drift = b.position == 1 ? 0.22 : 0.04
                let latency = 20 + Double(b.position) * 7 + Double(generator.below(30))
                if chance(0.01) {
                    let message = spec.payloads ? "HTTP 500 " + imagePayload : "HTTP 500"
                    answered.append(
                        (b.name, BackendResponse(errorClass: .http5xx, errorMessage: message, httpStatus: 500, latencyMs: latency)))
                    continue
                }
                let drifted = chance(drift)
                var message: [String: JSONValue] = ["role": "assistant"]
                if isText {
                    var text = drifted ? "The capital is probably City\(c.position)." : "The capital is City\(c.position)."
                    if spec.payloads && c.position == 4 && b.position == 1 { text = imagePayload + " " + scriptPayload }
                    message["content"] = .string(text)
                    correct[b.name] = text == "The capital is City\(c.position)."
                } else {
                    var arguments: JSONValue = ["city": .string(city), "unit": drifted ? "fahrenheit" : "celsius"]
                    if spec.payloads && c.position == 5 && b.position == 1 {
                        arguments = ["city": .string("</pre>" + scriptPayload), "unit": "celsius"]
                    }
                    // The third backend sends arguments as an object now and then: equal to the JSON string
                    // for a careful reader, different for ai-lb's rule.
                    let asObject = b.position == 2 && chance(0.1)
                    message["content"] = .null
                    message["tool_calls"] = [
                        [
                            "id": "call_1", "type": "function",
                            "function": ["name": "get_weather", "arguments": asObject ? arguments : .string(arguments.compactText)],
                        ]
                    ]
                    correct[b.name] = !drifted && !(spec.payloads && c.position == 5 && b.position == 1)
                }
                let body: JSONValue = [
                    "id": "x", "object": "chat.completion",
                    "choices": [["index": 0, "message": .object(message), "finish_reason": isText ? "stop" : "tool_calls"]],
                ]
                answered.append((b.name, BackendResponse(httpStatus: 200, latencyMs: latency, ttftMs: latency / 3, body: body)))
            }
            for (index, pair) in answered.enumerated() {
                var record = assessor.record(
                    for: pair.response, item: WorkItem(casePosition: c.position, repeatIndex: 0, backendIndex: index),
                    backend: pair.backend, expect: nil, receivedAt: "2025-01-01T00:00:00Z")
                record.correct = pair.response.isSuccess ? correct[pair.backend] : nil
                responses.append(record)
            }
            for var verdict in assessor.verdicts(casePosition: c.position, repeatIndex: 0, responses: answered, expect: nil) {
                verdict.consensusCorrect = verdict.verdict.successes > 0 ? correct[verdict.verdict.winner] : nil
                verdicts.append(verdict)
            }
            if responses.count >= 2000 {
                try emit(responses, verdicts)
                responses.removeAll(keepingCapacity: true)
                verdicts.removeAll(keepingCapacity: true)
            }
        }
        try emit(responses, verdicts)
    }

    static func temporaryPath(_ name: String = "synthetic") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
    }
}
