import Foundation
import Yams

/// One YAML document: its tree, the typing of its scalars, and every mismatch as an `InputError` with a position.
///
/// Plain scalars are typed by the YAML 1.2 core schema (so `no` and `12:30` stay strings, unlike YAML 1.1);
/// quoted and block scalars are always strings. When `environment` is set, `${VAR}` in string values is
/// expanded from it (`$${` writes a literal `${`). `decode` reads a `Decodable` type from the tree through
/// `YAMLNodeDecoder`, which keeps every node's position for the messages.
struct YAMLReader {
    /// The file name used in locations.
    let file: String
    /// Variables for `${VAR}` expansion; nil leaves strings as written.
    let environment: [String: String]?
    /// Set when the nodes are one line of a JSON Lines file (`root(ofJSONLine:)`): where that line is.
    var linePlacement: JSONLinePlacement? = nil

    /// The root node of `yaml`, or an error for a syntax error or an empty document.
    func root(of yaml: String) throws(InputError) -> Node {
        let node: Node?
        do {
            // Scalars are typed by `classify`, never by Yams; its default resolver types every scalar with
            // regular expressions (to hash mapping keys for its duplicate check), which was half the time a
            // 10,000-case suite took to load. Keys are compared as the text they are, as `entries` reads them.
            node = try Yams.compose(yaml: yaml, .basic)
        } catch let error as YamlError {
            throw convert(error, yaml: yaml)
        } catch {
            throw InputError(file: file, "cannot parse YAML: \(error)")
        }
        guard let node, !(node.scalar.map { $0.style == .plain && $0.string.isEmpty } ?? false) else {
            throw InputError(at: SourceLocation(file: file, line: 1, column: 1), "the file is empty; expected a mapping")
        }
        try rejectAliases(in: node)
        return node
    }

    /// Refuses YAML aliases (`*name`). Yams resolves an alias to the very node its anchor names, so a few
    /// lines of nested aliases ("billion laughs") expand to billions of nodes for any walk over the tree.
    /// A resolved alias is recognised by its position: it reappears with the position of its anchor, which
    /// the walk, going in document order, has already passed.
    func rejectAliases(in root: Node) throws(InputError) {
        enum Kind: Hashable { case scalar, sequence, mapping }
        struct Seen: Hashable {
            var kind: Kind
            var line: Int
            var column: Int
        }
        var seen = Set<Seen>()
        // (node, the nearest key above it, for the position of the message)
        var stack: [(Node, Node?)] = [(root, nil)]
        while let (node, key) = stack.popLast() {
            let kind: Kind
            var children: [(Node, Node?)] = []
            switch node {
            case .scalar(let scalar):
                // Empty scalars (a key with no value) carry no content that could multiply.
                if scalar.string.isEmpty { continue }
                kind = .scalar
            case .sequence(let sequence):
                kind = .sequence
                children = sequence.map { ($0, key) }
            case .mapping(let mapping):
                kind = .mapping
                children = mapping.map { ($1, $0) }
            case .alias:
                throw error(key ?? node, "YAML aliases (*name) are not supported; write the value out")
            }
            if let mark = node.mark, !seen.insert(Seen(kind: kind, line: mark.line, column: mark.column)).inserted {
                throw error(key ?? node, "YAML aliases (*name) are not supported; write the value out")
            }
            stack += children.reversed()
        }
    }

    /// `node` decoded as `T`; every error is an `InputError` at the node it concerns.
    func decode<T: Decodable>(_ type: T.Type, from node: Node) throws(InputError) -> T {
        do {
            return try YAMLNodeDecoder(reader: self, node: node, keyNode: nil, codingPath: []).decode(T.self)
        } catch let error as InputError {
            throw error
        } catch {
            // The decoder throws only `InputError`; another error would come from a type's own `init(from:)`.
            throw InputError(at: location(node), "cannot read \(T.self): \(error)")
        }
    }

    // MARK: Locations and errors

    /// The position of `node` in the file.
    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        if let placement = linePlacement {
            return SourceLocation(
                file: file, line: placement.line, column: placement.column(ofByteOffset: (mark?.column ?? 1) - 1))
        }
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// An error at `node`.
    func error(_ node: Node, _ message: String) -> InputError {
        InputError(at: location(node), message)
    }

    /// A short description of what `node` is, for "found …" in messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch Self.classify(scalar) {
            case .null: return "null"
            case .bool: return "a boolean (\(scalar.string))"
            case .int, .double: return "a number (\(scalar.string))"
            case .string(let text): return "a string (\"\(text)\")"
            }
        }
    }

    // MARK: Scalars

    /// A scalar's value under the YAML 1.2 core schema.
    enum ScalarValue {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
    }

    /// Types a scalar: quoted and block scalars are strings, plain ones follow the YAML 1.2 core schema.
    static func classify(_ scalar: Node.Scalar) -> ScalarValue {
        guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
        return Self.classifyPlain(scalar.string)
    }

    /// Types the text of a plain scalar by the YAML 1.2 core schema.
    static func classifyPlain(_ text: String) -> ScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        // Every number starts with a digit, a sign or a dot; most scalars are words, and the regular
        // expressions below cost milliseconds per thousand scalars.
        guard let first = text.utf8.first,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
                || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".")
        else { return .string(text) }
        if text.wholeMatch(of: /[-+]?[0-9]+/) != nil {
            if let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .int(value) }
            return Double(text).map { .double($0) } ?? .string(text)
        }
        if text.wholeMatch(of: /0x[0-9a-fA-F]+/) != nil, let value = Int(text.dropFirst(2), radix: 16) {
            return .int(value)
        }
        if text.wholeMatch(of: /0o[0-7]+/) != nil, let value = Int(text.dropFirst(2), radix: 8) {
            return .int(value)
        }
        if text.wholeMatch(of: /[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/) != nil,
            let value = Double(text)
        {
            return .double(value)
        }
        return .string(text)
    }

    /// The scalar of `node` typed, with `${VAR}` expanded in plain scalars that use it.
    func scalarValue(_ node: Node, expected: String, key: String) throws(InputError) -> ScalarValue {
        guard case .scalar(let scalar) = node else {
            throw error(node, "expected \(expected) for '\(key)', found \(Self.describe(node))")
        }
        let value = Self.classify(scalar)
        if case .string(let text) = value, environment != nil, text.contains("$") {
            let expanded = try expand(text, at: node)
            return scalar.style == .plain ? Self.classifyPlain(expanded) : .string(expanded)
        }
        return value
    }

    /// A string value. Plain numbers and booleans are taken as written (`text: 4` is the string "4").
    func string(_ node: Node, key: String) throws(InputError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, "expected a string for '\(key)', found \(Self.describe(node))")
        }
        if case .null = Self.classify(scalar) {
            throw error(node, "expected a string for '\(key)', found null")
        }
        return environment == nil ? scalar.string : try expand(scalar.string, at: node)
    }

    /// An integer value.
    func int(_ node: Node, key: String) throws(InputError) -> Int {
        switch try scalarValue(node, expected: "an integer", key: key) {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.0e15: return Int(value)
        default: throw error(node, "expected an integer for '\(key)', found \(Self.describe(node))")
        }
    }

    /// A finite number (integers are accepted).
    func double(_ node: Node, key: String) throws(InputError) -> Double {
        switch try scalarValue(node, expected: "a number", key: key) {
        case .int(let value): return Double(value)
        case .double(let value) where value.isFinite: return value
        default: throw error(node, "expected a number for '\(key)', found \(Self.describe(node))")
        }
    }

    /// A boolean value (`true`/`false`).
    func bool(_ node: Node, key: String) throws(InputError) -> Bool {
        if case .bool(let value) = try scalarValue(node, expected: "true or false", key: key) { return value }
        throw error(node, "expected true or false for '\(key)', found \(Self.describe(node))")
    }

    /// True when `node` is a plain `null`, `~` or empty scalar.
    func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, case .null = Self.classify(scalar) { return true }
        return false
    }

    // MARK: Mappings and JSON

    /// One key of a mapping with its value; the key node is kept for messages about the key itself.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    /// The entries of a mapping in the order written; keys must be distinct strings. `context` names the
    /// mapping in messages ("backend", "'headers'"), `expected` what another shape lacks ("a mapping for backend").
    func entries(of node: Node, context: String, expected: String? = nil) throws(InputError) -> [Entry] {
        guard case .mapping(let mapping) = node else {
            throw error(node, "expected \(expected ?? "a mapping for \(context)"), found \(Self.describe(node))")
        }
        var entries: [Entry] = []
        var seen: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw error(keyNode, "expected a string key in \(context), found \(Self.describe(keyNode))")
            }
            if let first = seen[scalar.string] {
                throw error(
                    keyNode, "duplicate key '\(scalar.string)' in \(context) (first at line \(location(first).line))")
            }
            seen[scalar.string] = keyNode
            entries.append(Entry(key: scalar.string, keyNode: keyNode, value: value))
        }
        return entries
    }

    /// The node as a JSON value: integers stay `.int`, floats `.double`, quoted text stays a string.
    func json(_ node: Node, key: String) throws(InputError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Self.classify(scalar) {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .int(let value): return .int(value)
            case .double(let value):
                guard value.isFinite else {
                    throw error(node, "'\(key)' holds \(scalar.string), which JSON cannot represent")
                }
                return .double(value)
            case .string(let text): return .string(text)
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try json(item, key: key)) }
            return .array(items)
        case .mapping:
            var members: [String: JSONValue] = [:]
            for entry in try entries(of: node, context: "'\(key)'") {
                members[entry.key] = try json(entry.value, key: entry.key)
            }
            return .object(members)
        case .alias:
            throw error(node, "aliases are not supported in '\(key)'")
        }
    }

    // MARK: Environment

    /// `text` with `${VAR}` replaced from the environment; `$${` stands for a literal `${`.
    func expand(_ text: String, at node: Node) throws(InputError) -> String {
        guard let environment, text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                result += "${"
                rest = after.dropFirst(2)
            } else if after.hasPrefix("{") {
                guard let close = after.firstIndex(of: "}") else {
                    throw error(
                        node, "unterminated '${' in \"\(text)\"; expected '${NAME}' (write '$${' for a literal '${')")
                }
                let name = String(after[after.index(after: after.startIndex)..<close])
                guard name.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
                    throw error(node, "invalid environment variable name '\(name)' in \"\(text)\"")
                }
                guard let value = environment[name] else {
                    throw error(node, "environment variable '\(name)' is not set")
                }
                result += value
                rest = after[after.index(after: close)...]
            } else {
                result += "$"
                rest = after
            }
        }
        return result + rest
    }

    // MARK: Yams errors

    /// A Yams parse error as an `InputError` at its line and column.
    func convert(_ yamlError: YamlError, yaml: String) -> InputError {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problem == "but found another document" {
                return InputError(at: at(mark), "expected a single YAML document, found a second one ('---')")
            }
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return InputError(at: at(mark), message)
        case .reader(let problem, let offset, _, _):
            let prefix = offset.map { yaml.prefix($0) } ?? ""
            let line = prefix.count(where: { $0 == "\n" }) + 1
            let column = prefix.split(separator: "\n", omittingEmptySubsequences: false).last.map { $0.count + 1 } ?? 1
            return InputError(
                at: offset == nil ? nil : SourceLocation(file: file, line: line, column: column),
                "invalid YAML: \(problem)"
            ).withFile(file)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let second = Self.findRepeatedKey(key, after: first, in: yaml) ?? (first.line, first.column)
            return InputError(
                at: SourceLocation(file: file, line: second.line, column: second.column),
                "duplicate key '\(key)' (first at line \(first.line))")
        default:
            return InputError(file: file, "invalid YAML: \(yamlError)")
        }
    }

    /// Where `key` is written again as a mapping key after its first use at `first`: a later line at the
    /// same column (block style) or later on the same line (flow style).
    static func findRepeatedKey(_ key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let forms = [key, "\"\(key)\"", "'\(key)'"]
        func keyStarts(_ text: Substring) -> Bool {
            forms.contains { form in
                text.hasPrefix(form) && text.dropFirst(form.count).drop(while: { $0 == " " }).hasPrefix(":")
            }
        }
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let firstLine = Array(lines[first.line - 1].unicodeScalars)
        var column = first.column
        while column < firstLine.count {
            let rest = Substring(String(String.UnicodeScalarView(firstLine[column...])))
            let previous = firstLine[column - 1]
            if previous == "{" || previous == "," || previous == " ", keyStarts(rest) {
                return (first.line, column + 1)
            }
            column += 1
        }
        for index in first.line..<lines.count {
            let scalars = Array(lines[index].unicodeScalars)
            guard scalars.count >= first.column else { continue }
            let rest = Substring(String(String.UnicodeScalarView(scalars[(first.column - 1)...])))
            if keyStarts(rest) { return (index + 1, first.column) }
        }
        return nil
    }
}

extension InputError {
    /// The same error, naming `file` when it has no position.
    func withFile(_ file: String) -> InputError {
        var copy = self
        copy.file = file
        return copy
    }
}
