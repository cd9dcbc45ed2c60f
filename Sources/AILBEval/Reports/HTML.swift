import Foundation

/// A fragment of HTML whose dynamic parts are escaped by construction.
///
/// In a string literal of this type, the literal text is markup written in this source, and every
/// interpolated `String` is escaped (`&`, `<`, `>`, `"`, `'`), so model output and suite text can only
/// ever become text, in element content and in quoted attributes alike. Already-built fragments are
/// interpolated as `HTML` and numbers as numbers. This gives the safety of an auto-escaping template
/// engine without a dependency; the one way to insert unescaped text, `HTML(trusted:)`, is used only for
/// the report's own constant stylesheet and script.
package struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    package private(set) var markup: String

    /// A fragment from a literal with interpolations.
    package init(stringInterpolation: StringInterpolation) {
        markup = stringInterpolation.markup
    }

    /// A fragment from a plain literal: markup written in this source.
    package init(stringLiteral value: String) {
        markup = value
    }

    /// Markup taken as is. Only for constants of this module, never for data.
    init(trusted markup: String) {
        self.markup = markup
    }

    /// An empty fragment.
    package static let empty: HTML = ""

    package var description: String { markup }

    /// Appends a fragment.
    package static func += (lhs: inout HTML, rhs: HTML) {
        lhs.markup += rhs.markup
    }

    /// Fragments joined.
    package static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.markup).joined(separator: separator.markup))
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\0": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Builds a fragment: literals verbatim, strings escaped, fragments and numbers as they are.
    package struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        package init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// Markup written in the source.
        package mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Text: escaped.
        package mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        /// Text that may be absent: escaped, or nothing.
        package mutating func appendInterpolation(_ text: String?) { markup += HTML.escape(text ?? "") }

        /// A fragment built the same way.
        package mutating func appendInterpolation(_ fragment: HTML) { markup += fragment.markup }

        /// An integer.
        package mutating func appendInterpolation(_ value: Int) { markup += String(value) }

        /// A number with a fixed number of decimals (SVG coordinates, percentages).
        package mutating func appendInterpolation(_ value: Double, digits: Int = 1) {
            markup += value.isFinite ? String(format: "%.\(digits)f", value) : "0"
        }
    }
}
