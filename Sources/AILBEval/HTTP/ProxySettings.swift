import Foundation

/// Which proxy carries a request, from the environment variables curl users know: `http_proxy`,
/// `https_proxy`, `all_proxy` and `no_proxy` (lower case first, then upper case; an empty value is unset).
/// Resolved once, explicitly, so that what the transport does is logged and testable, and the same for
/// every request.
package struct ProxySettings: Sendable, Equatable {
    /// The proxy for `http://` URLs.
    package var http: String?
    /// The proxy for `https://` URLs (reached with CONNECT).
    package var https: String?
    /// Hosts reached directly: comma-separated names, domain suffixes, IP addresses or CIDR ranges; `*` is all.
    package var noProxy: String?

    package init(http: String? = nil, https: String? = nil, noProxy: String? = nil) {
        self.http = http
        self.https = https
        self.noProxy = noProxy
    }

    /// No proxy for anything.
    package static let direct = ProxySettings()

    package init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            for key in [name.lowercased(), name.uppercased()] {
                if let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
            }
            return nil
        }
        let all = value("all_proxy")
        self.init(http: value("http_proxy") ?? all, https: value("https_proxy") ?? all, noProxy: value("no_proxy"))
    }

    /// The proxy configured for `url`'s scheme, before `noProxy` is applied (libcurl applies it).
    package func proxy(for url: URL) -> String? {
        url.scheme?.lowercased() == "https" ? https : http
    }
}
