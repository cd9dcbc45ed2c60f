import Foundation
import Yams

/// A decoded value with the position it was written at, so that checks made after decoding (ranges, names,
/// combinations of keys) report the line and column of the value or of its key.
struct Located<Value: Decodable>: YAMLNodeDecodable {
    var value: Value
    /// Where the value was written.
    var location: SourceLocation
    /// Where its key was written; nil for a list item or the document itself.
    var keyLocation: SourceLocation?
    /// The key messages name it by (for a list item, the list's).
    var key: String
    /// The node, to say what was found in messages.
    private let node: Node

    init(yaml decoder: YAMLNodeDecoder) throws {
        value = try decoder.decode(Value.self)
        location = decoder.location
        keyLocation = decoder.keyNode.map(decoder.reader.location)
        key = decoder.key
        node = decoder.node
    }

    /// What was written, for "found …" in messages: "a list", "a string (\"x\")".
    var found: String { YAMLReader.describe(node) }

    /// An error at the value.
    func error(_ message: String) -> InputError { InputError(at: location, message) }

    /// An error at the key, or at the value when it has none.
    func keyError(_ message: String) -> InputError { InputError(at: keyLocation ?? location, message) }
}

/// Any JSON value written in YAML (tool specs, request parameters, message fields), typed by the core schema.
struct YAMLJSON: YAMLNodeDecodable {
    var value: JSONValue

    init(yaml decoder: YAMLNodeDecoder) throws {
        value = try decoder.reader.json(decoder.node, key: decoder.key)
    }
}

/// A JSON object written as a YAML mapping (`parameters`, expected `arguments`).
struct YAMLJSONObject: YAMLNodeDecodable {
    var members: [String: JSONValue]

    init(yaml decoder: YAMLNodeDecoder) throws {
        guard case .mapping = decoder.node else {
            throw decoder.error("expected a mapping for '\(decoder.key)', found \(YAMLReader.describe(decoder.node))")
        }
        members = try decoder.reader.json(decoder.node, key: decoder.key).objectValue ?? [:]
    }
}

/// A list of strings, where a single string stands for a list of one (`tags: weather`).
struct StringList: YAMLNodeDecodable {
    var values: [String]

    init(yaml decoder: YAMLNodeDecoder) throws {
        if case .scalar = decoder.node {
            values = [try decoder.decode(String.self)]
        } else {
            values = try decoder.decode([String].self)
        }
    }
}

/// A mapping with keys chosen by the user (backend names, families, member aliases), in the order written,
/// each value with its position and its key's.
struct YAMLMap<Value: Decodable>: YAMLNodeDecodable {
    var entries: [(key: String, value: Located<Value>)]

    init(yaml decoder: YAMLNodeDecoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        entries = []
        for key in container.allKeys {
            entries.append((key.stringValue, try container.decode(Located<Value>.self, forKey: key)))
        }
    }
}

extension Located where Value == String {
    /// The string, which must not be blank.
    func nonEmpty() throws(InputError) -> String {
        // Blank: only spaces and tabs (`CharacterSet.whitespaces`), checked without Foundation's bridging.
        let blank = value.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        guard blank else { return value }
        throw error("expected a non-empty string for '\(key)', found an empty string")
    }

    /// The case of `allowed` the string names, or an error listing them.
    func oneOf<Choice: RawRepresentable<String>>(_ allowed: [Choice]) throws(InputError) -> Choice {
        if let choice = allowed.first(where: { $0.rawValue == value }) { return choice }
        throw error(unknownValueMessage(key, value, among: allowed.map(\.rawValue)))
    }
}

extension Located where Value == StringList {
    /// The strings.
    var values: [String] { value.values }
}
