import Foundation
import Testing

@testable import AILBEval

/// Bounded fuzzing of every reader of user or server input: random mutations of valid inputs, from a fixed
/// seed and for a fixed number of iterations, must give a value or a typed error, never a crash or a hang.
@Suite struct InputFuzzTests {
    static let iterations = 1500

    /// A mutation of `bytes`: flipped, dropped, duplicated or inserted bytes, a cut, a splice of syntax.
    static func mutate(_ bytes: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var out = bytes
        let tokens: [[UInt8]] =
            [
                "{", "}", "[", "]", ":", ",", "\"", "'", "\n", "\t", "  ", "- ", "&a ", "*a", "!!str ", "? ", "|\n", ">-\n",
                "---\n", "...\n", "#", "\\u00", "\\", "1e999", "-0", "null", "true", "\u{0}", "\u{FEFF}", "é", "🙂",
                "data: ", "[DONE]", "\r\n",
            ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80]]
        for _ in 0..<Int.random(in: 1...4, using: &random) where !out.isEmpty {
            let at = Int.random(in: 0..<out.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: out[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: out.remove(at: at)
            case 2: out.insert(contentsOf: tokens.randomElement(using: &random)!, at: at)
            case 3: out = Array(out.prefix(at))
            case 4:
                let end = min(out.count, at + Int.random(in: 1...16, using: &random))
                out.insert(contentsOf: out[at..<end], at: at)
            default: out[at] = UInt8.random(in: 0...255, using: &random)
            }
        }
        return out
    }

    static func fixture(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: CLIHarness.fixture(path)))
    }

    // The limits catch a parser that hangs on some input, not slowness: a machine busy with other builds
    // has taken more than a minute for these loops, so they allow five.
    @Test(.timeLimit(.minutes(5))) func configAndSuiteReadersNeverCrash() throws {
        let inputs: [(bytes: [UInt8], isConfig: Bool)] = [
            (try Self.fixture("config/full-config.yaml"), true), (try Self.fixture("config/full-suite.yaml"), false),
            (try Self.fixture("integration/mini.yaml"), false), (Array(ConfigLoader.embeddedDefaultYAML.utf8), true),
        ]
        var random = FuzzRandom(seed: 0x5EED_0001)
        var accepted = 0
        var rejected = 0
        for n in 0..<Self.iterations {
            let (original, isConfig) = inputs[n % inputs.count]
            let bytes = Self.mutate(original, &random)
            do {
                let text = try InputFile.decodeUTF8(Data(bytes), file: "fuzz.yaml", what: "file")
                if isConfig {
                    _ = try ConfigLoader.parse(yaml: text, file: "fuzz.yaml", environment: ["HOME": "/tmp"])
                } else {
                    _ = try SuiteLoader.parse(yaml: text, file: "fuzz.yaml")
                }
                accepted += 1
            } catch {
                // Every rejection names the file; positions, when given, are inside it.
                #expect(error.file == "fuzz.yaml")
                if let location = error.location { #expect(location.line >= 1 && location.column >= 1) }
                rejected += 1
            }
        }
        #expect(accepted + rejected == Self.iterations)
        #expect(accepted > 0 && rejected > 0, "mutations should both keep and break inputs")
    }

    @Test(.timeLimit(.minutes(5))) func jsonParserAndVerdictLinesNeverCrash() throws {
        let lines = try String(decoding: Self.fixture("vectors/consensus.jsonl"), as: UTF8.self)
            .split(separator: "\n").prefix(40).map { Array($0.utf8) }
        #expect(!lines.isEmpty)
        let processor = VerdictLineProcessor(explain: true)
        var random = FuzzRandom(seed: 0x5EED_0002)
        for n in 0..<Self.iterations {
            let bytes = Self.mutate(lines[n % lines.count], &random)
            if let value = try? JSONValue(parsing: Data(bytes)) {
                // What parses must print and parse back to the same value.
                #expect(try JSONValue(parsing: value.compactText) == value)
            }
            let output = processor.process(String(decoding: bytes, as: UTF8.self))
            if let output { #expect((try? JSONValue(parsing: output))?.objectValue != nil, "\(output)") }
        }
    }

    @Test(.timeLimit(.minutes(5))) func streamParsingNeverCrashes() {
        let completion: JSONValue = [
            "id": "c", "object": "chat.completion", "model": "m",
            "choices": [
                [
                    "index": 0, "finish_reason": "tool_calls",
                    "message": [
                        "role": "assistant", "content": "Sure.",
                        "tool_calls": [["id": "t", "type": "function", "function": ["name": "f", "arguments": "{\"a\": 1}"]]],
                    ],
                ]
            ],
        ]
        let stream = MockStream.events(for: completion)
        var random = FuzzRandom(seed: 0x5EED_0003)
        for _ in 0..<Self.iterations {
            let bytes = Self.mutate(stream, &random)
            var parser = SSEParser()
            var assembler = ChatStreamAssembler()
            let cut = Int.random(in: 0...bytes.count, using: &random)
            let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...]) + parser.finish()
            do {
                for event in events { try assembler.consume(event) }
                _ = try assembler.finish()
            } catch {
                #expect(!error.message.isEmpty)
            }
            _ = StoredVerdicts.completion(fromRawBody: String(decoding: bytes, as: UTF8.self))
        }
    }
}
