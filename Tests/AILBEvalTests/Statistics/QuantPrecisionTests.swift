import Testing

@testable import AILBEval

@Suite struct QuantPrecisionTests {
    @Test func readsBitsFromCommonQuantizationLabels() {
        let expected: [(String, Double?)] = [
            ("fp16", 16), ("BF16", 16), ("f32", 32), ("8bit", 8), ("4bit", 4), ("4-bit", 4), ("Q8_0", 8),
            ("Q4_K_M", 4), ("q5_1", 5), ("IQ3_XS", 3), ("int8", 8), ("w4a16", 4), ("AWQ", 4), ("mxfp4", 4),
            ("", nil), ("default", nil),
        ]
        for (label, bits) in expected { #expect(QuantPrecision.bits(label) == bits, "\(label)") }
    }

    @Test func referenceIsTheHighestPrecisionBackendOfEachFamily() {
        let backends = [
            (name: "mac-4bit", family: "qwen", quant: "4bit"), (name: "mac-8bit", family: "qwen", quant: "8bit"),
            (name: "ollama", family: "qwen", quant: "Q4_K_M"), (name: "llama-a", family: "llama", quant: "Q8_0"),
            (name: "llama-b", family: "llama", quant: "Q8_0"), (name: "solo", family: "phi", quant: "fp16"),
        ]
        let references = QuantPrecision.references(backends: backends)
        #expect(references == ["mac-4bit": "mac-8bit", "ollama": "mac-8bit", "llama-b": "llama-a"])
        let explicit = QuantPrecision.references(backends: backends, explicit: "solo")
        #expect(explicit.count == 5 && explicit.values.allSatisfy { $0 == "solo" } && explicit["solo"] == nil)
    }
}
