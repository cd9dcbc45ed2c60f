import Foundation
import Testing

@testable import AILBEval

/// Packed cases read back as they were written, whatever their shape, and a plan's request bodies are made
/// from them as from the cases themselves.
@Suite struct SuiteCasesTests {
    static let tools: [JSONValue] = [
        ["type": "function", "function": ["name": "get_weather", "parameters": ["type": "object"]]],
        ["type": "function", "function": ["name": "calculator"]],
    ]

    /// Cases of every shape: a prompt alone, a system prompt and a prompt, other message lists, shared and own
    /// tools, tool choices and parameters, expectations, tags, repeats, with and without a location.
    static func cases(_ count: Int) -> [SuiteCase] {
        (0..<count).map { i in
            var messages: [JSONValue] = [["role": "user", "content": .string("Question \(i)?")]]
            switch i % 5 {
            case 1: messages.insert(["role": "system", "content": "Be brief."], at: 0)
            case 2: messages.insert(["role": "system", "content": .string("System \(i % 3)")], at: 0)
            case 3: messages.append(["role": "assistant", "content": nil, "tool_calls": [["id": "x"]]])
            case 4: messages = [["role": "user", "content": [["type": "text", "text": "parts"]]]]
            default: break
            }
            var suiteCase = SuiteCase(
                id: "c\(i)", messages: messages, tools: i % 4 == 0 ? nil : (i % 4 == 1 ? Self.tools : []),
                toolChoice: i % 3 == 0 ? "auto" : nil,
                parameters: i % 2 == 0 ? ["stop": ["</s>"]] : ["top_p": .double(Double(i) / 1000), "seed": .int(i)],
                expect: i % 3 == 1 ? Expectation(toolCalls: [ExpectedToolCall(name: "f", arguments: ["a": 1.0])]) : nil,
                tags: i % 2 == 0 ? ["even", "t\(i % 7)"] : [], repeats: i % 6 == 0 ? nil : i % 6,
                location: i % 7 == 0 ? nil : SourceLocation(file: "f\(i % 2).jsonl", line: i + 1, column: 1))
            if i % 9 == 0 { suiteCase.expect = Expectation(text: "4", contains: ["four"], regex: "^4$") }
            return suiteCase
        }
    }

    @Test func everyShapeOfCaseReadsBackAsItWasWritten() {
        // More distinct parameters than are shared: the later ones are kept by their cases.
        let written = Self.cases(1500)
        var packed = SuiteCases(written)
        #expect(Array(packed) == written)
        for index in [0, 1, 2, 3, 4, 777, 1499] {
            #expect(packed.id(at: index) == written[index].id)
            #expect(packed.expect(at: index) == written[index].expect)
            #expect(packed.tags(at: index) == written[index].tags)
            #expect(packed.repeats(at: index) == written[index].repeats)
        }
        packed.shrink()
        let more = Self.cases(20).map { suiteCase -> SuiteCase in
            var copy = suiteCase
            copy.id += "-more"
            return copy
        }
        for suiteCase in more { packed.append(suiteCase) }
        #expect(Array(packed) == written + more)
        #expect(Array(packed.filter { $0.tags.contains("even") }) == (written + more).filter { $0.tags.contains("even") })
    }

    @Test func aPlannedBodyIsTheDefaultsThenTheCaseFields() throws {
        let suite = Suite(name: "s", path: "s.yaml", contentHash: "", cases: Self.cases(40))
        var defaults = RunDefaults()
        defaults.temperature = 0.3
        defaults.maxTokens = 64
        defaults.seed = nil
        let plan = RunPlan(suites: [suite], backends: [], defaults: defaults, repeatsOverride: nil)
        #expect(plan.cases.count == 40)
        for (planned, suiteCase) in zip(plan.cases, suite.cases) {
            var body: [String: JSONValue] = ["messages": .array(suiteCase.messages), "temperature": 0.3, "max_tokens": 64]
            if let tools = suiteCase.tools, !tools.isEmpty { body["tools"] = .array(tools) }
            if let toolChoice = suiteCase.toolChoice { body["tool_choice"] = toolChoice }
            for (key, value) in suiteCase.parameters { body[key] = value }
            #expect(planned.requestBody == body)
            #expect(planned.caseID == suiteCase.id && planned.expect == suiteCase.expect)
            #expect(planned.repeats == suiteCase.repeats ?? defaults.repeats)
            let record = planned.record
            #expect(record.prompt == suiteCase.promptText && record.tags == suiteCase.tags)
            #expect(record.requestJSON == JSONValue.object(body).compactText)
            #expect(record.expectJSON == suiteCase.expect.map { ExpectationJSON.encode($0).compactText })
        }
    }

    @Test func aStoredCaseIsAskedAgainWithItsStoredBody() throws {
        let suite = Suite(name: "s", path: "s.yaml", contentHash: "", cases: Self.cases(12))
        let plan = RunPlan(suites: [suite], backends: [], defaults: RunDefaults())
        var again = RunPlan(backends: [])
        for planned in plan.cases { again.cases.append(stored: planned.record, repeatSeed: .vary) }
        #expect(again.cases.count == 12)
        for (first, second) in zip(plan.cases, again.cases) {
            #expect(second.requestBody == first.requestBody)
            #expect(second.record == first.record)
            #expect(second.repeatSeed == .vary)
        }
    }
}
