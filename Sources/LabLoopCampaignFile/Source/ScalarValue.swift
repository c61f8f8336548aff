import Yams

/// What a YAML scalar means in a campaign file.
///
/// Decided here rather than by Yams's resolver so that the rules are few and documented:
/// quoted and block scalars are always text; plain scalars are empty (`~`, `null`, nothing),
/// booleans (`true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off`), integers (decimal, `0x`,
/// `0o`, `0b`, `_` separators), reals (decimal with `.` or an exponent, `.inf`, `.nan`) or text.
enum ScalarValue: Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// Integer syntax whose value does not fit in Int64.
    case bigInteger
    case real(Double)
    case string(String)

    init(_ scalar: Node.Scalar) {
        switch scalar.style {
        case .plain, .any: self = Self.classify(plain: scalar.string)
        case .singleQuoted, .doubleQuoted, .literal, .folded: self = .string(scalar.string)
        }
    }

    static func classify(plain text: String) -> ScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .real(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .real(-.infinity)
        case ".nan", ".NaN", ".NAN": return .real(.nan)
        default: break
        }
        if let integer = IntegerLiteral(text) {
            if let value = integer.int64 { return .integer(value) }
            return .bigInteger
        }
        if isDecimalReal(text), let value = Double(text.replacingUnderscores()) { return .real(value) }
        return .string(text)
    }

    /// `[-+]? digits? (. digits?)? ([eE] [-+]? digits)?` with at least one mantissa digit and a
    /// `.` or an exponent (plain integers are integers).
    static func isDecimalReal(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" { scalars = scalars.dropFirst() }
        var mantissaDigits = 0
        var sawPoint = false
        var sawExponent = false
        while let scalar = scalars.first {
            if isDigit(scalar) {
                mantissaDigits += 1
            } else if scalar == "_", mantissaDigits > 0 {
                // separator
            } else if scalar == ".", !sawPoint {
                sawPoint = true
            } else {
                break
            }
            scalars = scalars.dropFirst()
        }
        guard mantissaDigits > 0 else { return false }
        if let scalar = scalars.first, scalar == "e" || scalar == "E" {
            sawExponent = true
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
            guard !scalars.isEmpty, scalars.allSatisfy(isDigit) else { return false }
            scalars = scalars[scalars.endIndex...]
        }
        return scalars.isEmpty && (sawPoint || sawExponent)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// The case without its payload.
    enum Kind {
        case null, bool, integer, real, string
    }

    var kind: Kind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .integer, .bigInteger: .integer
        case .real: .real
        case .string: .string
        }
    }

    /// How a message names this value: `the integer 5`, `the string "five"`, …
    func described(as text: String) -> String {
        switch self {
        case .null: "an empty value"
        case .bool(let value): "the boolean \(value)"
        case .integer, .bigInteger: "the integer \(text)"
        case .real: "the number \(text)"
        case .string(let value): "the string \(Quoting.quotedForMessage(value))"
        }
    }
}

/// An integer literal: decimal, or `0x` / `0o` / `0b` with `_` separators, optionally signed.
struct IntegerLiteral {
    var negative: Bool
    var magnitude: UInt64?

    init?(_ text: String) {
        var body = Substring(text)
        negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        var radix = 10
        for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            radix = base
            body = body.dropFirst(2)
        }
        guard let first = body.first, first != "_", first.isHexDigit,
              body.allSatisfy({ $0 == "_" || ($0.hexDigitValue.map { $0 < radix } ?? false) }) else { return nil }
        magnitude = UInt64(String(body.filter { $0 != "_" }), radix: radix)
    }

    var int64: Int64? {
        guard let magnitude else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    var uint64: UInt64? {
        negative ? (magnitude == 0 ? 0 : nil) : magnitude
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
