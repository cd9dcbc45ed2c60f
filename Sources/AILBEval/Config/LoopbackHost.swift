import Foundation

/// Whether a URL's host is this machine: `localhost`, an IPv4 address in 127.0.0.0/8, or `::1`.
///
/// Only these are trusted to skip TLS verification: traffic to them never leaves the machine, so no one on
/// the network can answer in the backend's name. Names are not resolved; a name other than `localhost` is
/// taken as another machine.
enum LoopbackHost {
    /// True when `url`'s host is a loopback host.
    static func contains(_ url: URL) -> Bool {
        guard let host = url.host else { return false }
        return isLoopback(host)
    }

    /// True for `localhost`, 127.x.y.z and `::1` in any of its spellings (brackets and a zone allowed).
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" { return true }
        if let octets = ipv4Octets(name) { return octets[0] == 127 }
        return ipv6Groups(name) == [0, 0, 0, 0, 0, 0, 0, 1]
    }

    /// The four octets of a dotted-quad IPv4 address, or nil.
    static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part),
                value <= 255
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// The eight 16-bit groups of an IPv6 address (with `::` expanded and any `%zone` dropped), or nil.
    static func ipv6Groups(_ text: String) -> [Int]? {
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let halves = address.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ half: String) -> [Int]? {
            if half.isEmpty { return [] }
            var result: [Int] = []
            for part in half.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                    let value = Int(part, radix: 16)
                else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
