import LabLoopCore

/// The tokens of a constraint: numbers, parameter names, `+ - * /` and comparisons, each with
/// its offset in Unicode scalars so that errors can point inside the text.
extension ConstraintParser {
    enum Token: Equatable {
        case number(Double, String)
        case name(String)
        case plus, minus, times, divide
        case relation(Relation, String)
        case unsupported(String)
        case end

        var shown: String {
            switch self {
            case .number(_, let text), .name(let text), .relation(_, let text), .unsupported(let text): "'\(text)'"
            case .plus: "'+'"
            case .minus: "'-'"
            case .times: "'*'"
            case .divide: "'/'"
            case .end: "the end of the constraint"
            }
        }
    }

    struct Lexeme {
        var token: Token
        var offset: Int
    }

    enum Lexer {
        static func tokens(of text: String) throws(ConstraintSyntaxError) -> [Lexeme] {
            let scalars = Array(text.unicodeScalars)
            var result: [Lexeme] = []
            var i = 0
            func isNameStart(_ s: Unicode.Scalar) -> Bool { s == "_" || (s.isASCII && s.properties.isAlphabetic) }
            func isNamePart(_ s: Unicode.Scalar) -> Bool { isNameStart(s) || ScalarValue.isDigit(s) }
            while i < scalars.count {
                let s = scalars[i]
                let start = i
                if s == " " || s == "\t" {
                    i += 1
                    continue
                }
                if ScalarValue.isDigit(s) || (s == "." && i + 1 < scalars.count && ScalarValue.isDigit(scalars[i + 1])) {
                    while i < scalars.count, ScalarValue.isDigit(scalars[i]) { i += 1 }
                    if i < scalars.count, scalars[i] == "." {
                        i += 1
                        while i < scalars.count, ScalarValue.isDigit(scalars[i]) { i += 1 }
                    }
                    if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
                        var j = i + 1
                        if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
                        if j < scalars.count, ScalarValue.isDigit(scalars[j]) {
                            i = j
                            while i < scalars.count, ScalarValue.isDigit(scalars[i]) { i += 1 }
                        }
                    }
                    let literal = String(String.UnicodeScalarView(scalars[start..<i]))
                    guard let value = Double(literal), value.isFinite else {
                        throw ConstraintSyntaxError(offset: start, message: "the number '\(literal)' is out of range")
                    }
                    result.append(Lexeme(token: .number(value, literal), offset: start))
                    continue
                }
                if isNameStart(s) {
                    while i < scalars.count, isNamePart(scalars[i]) { i += 1 }
                    result.append(Lexeme(token: .name(String(String.UnicodeScalarView(scalars[start..<i]))), offset: start))
                    continue
                }
                let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
                let token: Token
                switch (s, next) {
                case ("<", "="?): token = .relation(.lessOrEqual, "<="); i += 2
                case ("=", "<"?): token = .relation(.lessOrEqual, "=<"); i += 2
                case (">", "="?): token = .relation(.greaterOrEqual, ">="); i += 2
                case ("=", ">"?): token = .relation(.greaterOrEqual, "=>"); i += 2
                case ("=", "="?): token = .unsupported("=="); i += 2
                case ("≤", _): token = .relation(.lessOrEqual, "≤"); i += 1
                case ("≥", _): token = .relation(.greaterOrEqual, "≥"); i += 1
                case ("<", _), (">", _), ("=", _): token = .unsupported(String(s)); i += 1
                case ("+", _): token = .plus; i += 1
                case ("-", _), ("−", _): token = .minus; i += 1
                case ("*", _), ("×", _), ("·", _): token = .times; i += 1
                case ("/", _): token = .divide; i += 1
                default:
                    throw ConstraintSyntaxError(offset: start, message: "unexpected character \(Quoting.quotedForMessage(String(s)))",
                                                hint: "write constraints like \(example)")
                }
                result.append(Lexeme(token: token, offset: start))
            }
            result.append(Lexeme(token: .end, offset: scalars.count))
            return result
        }
    }
}
