/// Writing text as YAML scalars and quoting it in messages.
enum Quoting {
    /// Where a scalar goes: flow collections (`[…]`, `{…}`) forbid more characters in plain text.
    enum Context {
        case block
        case flow
    }

    /// `text` as a YAML scalar that reads back as the same string: plain when that is
    /// unambiguous, otherwise double-quoted with escapes.
    static func scalar(_ text: String, in context: Context) -> String {
        isPlainSafe(text, in: context) ? text : doubleQuoted(text)
    }

    /// A value that is read back as the text written, whatever it looks like (strategy
    /// settings): numbers and words stay plain, only what YAML would misread is quoted.
    static func text(_ text: String, in context: Context) -> String {
        switch ScalarValue.classify(plain: text) {
        case .null: return doubleQuoted(text)
        case .string: return scalar(text, in: context)
        case .bool, .integer, .bigInteger, .real: return hasPlainSyntax(text, in: context) ? text : doubleQuoted(text)
        }
    }

    /// Whether `text` written plainly reads back as exactly this string.
    static func isPlainSafe(_ text: String, in context: Context) -> Bool {
        ScalarValue.classify(plain: text) == .string(text) && hasPlainSyntax(text, in: context)
    }

    /// Whether `text` can be written as a plain scalar at all (whatever it would then mean).
    private static func hasPlainSyntax(_ text: String, in context: Context) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        // Numbers may start with a sign or a point (-5, +1, .5, -.inf); text may not start with an indicator.
        let isText = ScalarValue.classify(plain: text) == .string(text)
        if isText, "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if first == " " || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        if context == .flow, text.unicodeScalars.contains(where: { ",[]{}:".unicodeScalars.contains($0) }) { return false }
        return text.unicodeScalars.allSatisfy { $0 != "\t" && isPrintable($0) && !isBreak($0) }
    }

    static func doubleQuoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result += escaped(scalar)
            }
        }
        return result + "\""
    }

    /// `'text'` for messages, shortened when long and with invisible characters made visible.
    static func quotedForMessage(_ text: String) -> String {
        let limit = 40
        var result = "'"
        for scalar in text.unicodeScalars.prefix(limit) { result += escaped(scalar) }
        if text.unicodeScalars.count > limit { result += "…" }
        return result + "'"
    }

    /// The scalar itself when printable, else its double-quoted-style escape.
    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default:
            if isPrintable(scalar), !isBreak(scalar) { return String(scalar) }
            if scalar.value <= 0xFF { return "\\x" + hex(scalar.value, width: 2) }
            if scalar.value <= 0xFFFF { return "\\u" + hex(scalar.value, width: 4) }
            return "\\U" + hex(scalar.value, width: 8)
        }
    }

    /// YAML's printable set (c-printable).
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF:
            return scalar.value != 0xFEFF
        default:
            return false
        }
    }

    private static func isBreak(_ scalar: Unicode.Scalar) -> Bool {
        [0x0A, 0x0D, 0x85, 0x2028, 0x2029].contains(scalar.value)
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
