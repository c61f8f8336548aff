import LabLoopCore
import Yams

/// The keys of one mapping as written (first occurrences, in order), with where they are.
struct Fields {
    struct Entry {
        var key: String
        var keyPosition: Position
        var value: Node
    }

    /// The mapping's dotted path.
    var field: String
    var position: Position
    var entries: [Entry]
    /// Later appearances of keys already in `entries` (reported as repeated).
    var repeated: [Entry] = []
    /// Valid keys suggested for unknown ones; not reported again as missing.
    var suggested: Set<String> = []

    subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }

    func path(_ key: String) -> String { CampaignReader.path(field, key) }
}

extension CampaignReader {
    /// The entries of a mapping with arbitrary keys (parameter names, settings): keys must be
    /// scalars, and a key written twice is reported at its second appearance.
    mutating func entries(_ node: Node, _ field: String, expected what: String, hint: String? = nil) -> Fields? {
        guard case .mapping(let mapping) = node else {
            expected(what, field, found: node, hint: hint)
            return nil
        }
        var fields = Fields(field: field, position: position(of: node), entries: [])
        var seen: [String: Position] = [:]
        for (keyNode, value) in mapping {
            let keyPosition = position(of: keyNode)
            guard case .scalar(let scalar) = keyNode else {
                report(field, at: keyPosition, "expected a key, found \(Self.describe(keyNode))",
                       hint: "keys are plain names such as 'low'")
                continue
            }
            let key = renamedKeys[scalar.string] ?? scalar.string
            if let first = seen[key] {
                report(fields.path(key), at: keyPosition, "'\(key)' is defined twice (first at line \(first.line), column \(first.column))",
                       hint: "remove one of them")
                fields.repeated.append(.init(key: key, keyPosition: keyPosition, value: value))
                continue
            }
            seen[key] = keyPosition
            locations[fields.path(key)] = position(of: value)
            fields.entries.append(.init(key: key, keyPosition: keyPosition, value: value))
        }
        return fields
    }

    /// A mapping with a fixed set of keys; unknown keys are reported with the nearest valid one,
    /// or with `explainUnknown`'s message when it has one for that key.
    mutating func fields(_ node: Node, _ field: String, allowed: [String], expected what: String = "a mapping",
                         explainUnknown: (String) -> (message: String, hint: String?)? = { _ in nil }) -> Fields? {
        guard var fields = entries(node, field, expected: what) else { return nil }
        var known: [Fields.Entry] = []
        for entry in fields.entries {
            if allowed.contains(entry.key) {
                known.append(entry)
            } else if let explanation = explainUnknown(entry.key) {
                report(fields.path(entry.key), at: entry.keyPosition, explanation.message, hint: explanation.hint)
            } else {
                let suggestion = Keys.suggestion(for: entry.key, among: allowed)
                if let suggestion { fields.suggested.insert(suggestion) }
                let hint = suggestion.map { "did you mean '\($0)'?" } ?? "valid keys here: \(allowed.joined(separator: ", "))"
                report(fields.path(entry.key), at: entry.keyPosition, "unknown key \(Quoting.quotedForMessage(entry.key))",
                       hint: hint)
            }
        }
        fields.entries = known
        return fields
    }

    /// The value of a key that must be present; reported at the mapping when missing (unless a
    /// misspelling of it was reported already).
    mutating func required(_ key: String, in fields: Fields, hint: String? = nil) -> Node? {
        if let node = fields[key] { return node }
        guard !fields.suggested.contains(key) else { return nil }
        report(fields.path(key), at: fields.position, "missing required key '\(key)'", hint: hint)
        return nil
    }

    /// The value of an optional key: `fallback` when the key is absent, nil when it is invalid.
    mutating func optional<T>(_ node: Node?, _ fallback: T, _ read: (inout Self, Node) -> T?) -> T? {
        guard let node else { return fallback }
        return read(&self, node)
    }

    /// Any scalar but an empty one, as written.
    mutating func text(_ node: Node, _ field: String, what: String = "a string") -> String? {
        guard case .scalar(let scalar) = node, ScalarValue(scalar) != .null else {
            expected(what, field, found: node)
            return nil
        }
        return scalar.string
    }

    mutating func nonEmptyText(_ node: Node, _ field: String, hint: String? = nil) -> String? {
        guard let value = text(node, field) else { return nil }
        guard !value.allSatisfy(\.isWhitespace) else {
            report(field, at: node, "must not be empty", hint: hint)
            return nil
        }
        return value
    }

    /// A name made of ASCII letters, digits and `_`, not starting with a digit.
    mutating func identifier(_ node: Node, _ field: String, what: String) -> String? {
        guard let value = text(node, field) else { return nil }
        guard Self.isIdentifier(value) else {
            report(field, at: node, "\(Quoting.quotedForMessage(value)) is not a valid \(what)",
                   hint: "use letters, digits and _, not starting with a digit")
            return nil
        }
        return value
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ScalarValue.isDigit($0))) }
    }

    mutating func integer(_ node: Node, _ field: String) -> Int64? {
        guard case .scalar(let scalar) = node else {
            expected("an integer", field, found: node)
            return nil
        }
        switch ScalarValue(scalar) {
        case .integer(let value):
            return value
        case .bigInteger:
            report(field, at: node, "the integer \(scalar.string) is too large",
                   hint: "integers must lie between \(Int64.min) and \(Int64.max)")
        case .real(let value) where value.isFinite && value == value.rounded() && abs(value) < 1e18:
            expected("an integer", field, found: node, hint: "write \(Int64(value)) without a decimal point")
        default:
            expected("an integer", field, found: node, hint: Self.quotedNumberHint(scalar))
        }
        return nil
    }

    /// "remove the quotes" for a quoted scalar that would be a number without them.
    static func quotedNumberHint(_ scalar: Node.Scalar) -> String? {
        guard scalar.style == .singleQuoted || scalar.style == .doubleQuoted else { return nil }
        switch ScalarValue.classify(plain: scalar.string) {
        case .integer, .real, .bigInteger: return "remove the quotes to write a number"
        default: return nil
        }
    }

    /// A whole number in `range`.
    mutating func count(_ node: Node, _ field: String, in range: ClosedRange<Int64>) -> Int? {
        guard let value = integer(node, field) else { return nil }
        if value < range.lowerBound {
            report(field, at: node, "must be at least \(range.lowerBound), found \(value)")
            return nil
        }
        if value > range.upperBound {
            report(field, at: node, "must be at most \(range.upperBound), found \(value)")
            return nil
        }
        return Int(value)
    }

    /// A finite number; integers are accepted as reals.
    mutating func number(_ node: Node, _ field: String) -> Double? {
        guard case .scalar(let scalar) = node else {
            expected("a number", field, found: node)
            return nil
        }
        switch ScalarValue(scalar) {
        case .integer(let value):
            return Double(value)
        case .bigInteger:
            if let value = Double(scalar.string.replacingUnderscores()), value.isFinite { return value }
            report(field, at: node, "the number \(scalar.string) is too large")
        case .real(let value):
            if value.isFinite { return value }
            report(field, at: node, "must be a finite number, found \(scalar.string)")
        case .string(let text) where Self.startsWithNumber(text):
            expected("a number", field, found: node, hint: "write only the number; a unit goes under 'unit'")
        default:
            expected("a number", field, found: node, hint: Self.quotedNumberHint(scalar))
        }
        return nil
    }

    private static func startsWithNumber(_ text: String) -> Bool {
        guard let space = text.firstIndex(of: " ") else { return false }
        if case .string = ScalarValue.classify(plain: String(text[..<space])) { return false }
        return true
    }

    mutating func bool(_ node: Node, _ field: String) -> Bool? {
        if case .scalar(let scalar) = node, case .bool(let value) = ScalarValue(scalar) { return value }
        expected("true or false", field, found: node)
        return nil
    }

    mutating func list(_ node: Node, _ field: String, of what: String, hint: String? = nil) -> [Node]? {
        if case .sequence(let sequence) = node {
            for (index, item) in sequence.enumerated() { locations["\(field)[\(index)]"] = position(of: item) }
            return Array(sequence)
        }
        expected("a list of \(what)", field, found: node, hint: hint)
        return nil
    }

    /// One of `options` (exactly); `aliases` maps common misspellings to the option meant.
    mutating func choice(_ node: Node, _ field: String, among options: [String],
                         aliases: [String: String] = [:]) -> String? {
        let list = Self.orList(options)
        guard let value = text(node, field, what: list) else { return nil }
        if options.contains(value) { return value }
        let near = aliases[value.lowercased()] ?? Suggestions.nearest(value, in: options)
        report(field, at: node, "expected \(list), found \(Quoting.quotedForMessage(value))",
               hint: near.map { "did you mean '\($0)'?" })
        return nil
    }

    /// `a`, `a or b`, `a, b or c`.
    static func orList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
    }
}
