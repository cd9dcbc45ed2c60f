/// Reads the precision a quantization label implies, to pick each family's reference backend.
public enum QuantPrecision {
    /// Bits per weight implied by `quant` (`fp16` 16, `bf16` 16, `8bit` 8, `Q8_0` 8, `Q4_K_M` 4, `IQ3_XS` 3,
    /// `int4` 4, `awq` 4); nil when the label says nothing recognisable.
    public static func bits(_ quant: String) -> Double? {
        let q = quant.lowercased().filter { !$0.isWhitespace }
        guard !q.isEmpty else { return nil }
        for (marker, bits) in [
            ("fp32", 32.0), ("f32", 32), ("float32", 32), ("bf16", 16), ("fp16", 16), ("f16", 16),
            ("float16", 16), ("half", 16), ("fp8", 8), ("mxfp4", 4), ("nf4", 4),
        ]
        where q.contains(marker) {
            return bits
        }
        // GGUF names: Q8_0, Q4_K_M, IQ4_XS, q5_1.
        if let digits = number(after: "iq", in: q) ?? number(after: "q", in: q, atStart: true) { return digits }
        if let digits = number(before: "bit", in: q) { return digits }
        if let digits = number(after: "int", in: q) ?? number(after: "w", in: q, atStart: true) { return digits }
        if q.contains("awq") || q.contains("gptq") { return 4 }
        return nil
    }

    /// For each backend, the backend it is measured against: `explicit` for all others when given, else the
    /// highest-precision backend of its family (the first in config order on a tie). A reference is not
    /// measured against itself; a family of one has no reference.
    public static func references(
        backends: [(name: String, family: String, quant: String)], explicit: String? = nil
    ) -> [String: String] {
        var result: [String: String] = [:]
        if let explicit {
            for b in backends where b.name != explicit { result[b.name] = explicit }
            return result
        }
        var best: [String: (name: String, bits: Double)] = [:]
        for b in backends {
            let bits = self.bits(b.quant) ?? -1
            if let current = best[b.family], current.bits >= bits { continue }
            best[b.family] = (b.name, bits)
        }
        for b in backends {
            if let reference = best[b.family]?.name, reference != b.name { result[b.name] = reference }
        }
        return result
    }

    static func number(after prefix: String, in text: String, atStart: Bool = false) -> Double? {
        var search = text[...]
        while let range = search.range(of: prefix) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            if !atStart || before == nil || !(before!.isLetter) {
                let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
                if !digits.isEmpty, let value = Double(digits) { return value }
            }
            search = text[range.upperBound...]
        }
        return nil
    }

    static func number(before suffix: String, in text: String) -> Double? {
        guard let range = text.range(of: suffix) else { return nil }
        var head = text[..<range.lowerBound]
        while head.last == "-" || head.last == "_" || head.last == " " { head.removeLast() }
        let digits = String(head.reversed().prefix { $0.isASCII && $0.isNumber }.reversed())
        return digits.isEmpty ? nil : Double(digits)
    }
}
