import LabLoopCore

/// A linear constraint read from text, with where each parameter name was written.
struct ParsedConstraint {
    struct Term {
        var parameter: String
        var coefficient: Double
        /// Offset (in Unicode scalars) of the name's first appearance in the text.
        var offset: Int
    }

    var terms: [Term]
    var relation: Relation
    var bound: Double

    var constraint: LinearConstraint {
        LinearConstraint(terms: terms.map { .init(parameter: $0.parameter, coefficient: $0.coefficient) },
                         relation: relation, bound: bound)
    }
}

/// A constraint that could not be read: where (offset in Unicode scalars) and why.
struct ConstraintSyntaxError: Error {
    var offset: Int
    var message: String
    var hint: String?
}

/// Reads `sum ± number * name … (<= | >=) …` with sums, products by numbers and division by
/// numbers on either side. Parameters on the right are moved to the left, numbers to the right;
/// a constraint with parameters only on the right is turned around (`10 >= x` is `x <= 10`).
enum ConstraintParser {
    static let example = "'x + 2 * y <= 10'"

    static func parse(_ text: String) throws(ConstraintSyntaxError) -> ParsedConstraint {
        var parser = try Parser(tokens: Lexer.tokens(of: text), length: text.unicodeScalars.count)
        return try parser.constraint()
    }

    /// One side of the comparison: parameter terms in order of first appearance, plus a constant.
    private struct Side {
        var terms: [ParsedConstraint.Term] = []
        var constant = 0.0

        mutating func add(_ parameter: String?, _ coefficient: Double, at offset: Int) {
            guard let parameter else {
                constant += coefficient
                return
            }
            if let index = terms.firstIndex(where: { $0.parameter == parameter }) {
                terms[index].coefficient += coefficient
            } else {
                terms.append(.init(parameter: parameter, coefficient: coefficient, offset: offset))
            }
        }
    }

    private struct Parser {
        let tokens: [Lexeme]
        let length: Int
        var index = 0

        init(tokens: [Lexeme], length: Int) {
            self.tokens = tokens
            self.length = length
        }

        var current: Lexeme { tokens[min(index, tokens.count - 1)] }

        mutating func constraint() throws(ConstraintSyntaxError) -> ParsedConstraint {
            guard current.token != .end else {
                throw ConstraintSyntaxError(offset: 0, message: "the constraint is empty", hint: "write it like \(example)")
            }
            var left = try side()
            let relation: Relation
            switch current.token {
            case .relation(let value, _):
                relation = value
                index += 1
            case .end:
                throw ConstraintSyntaxError(offset: current.offset, message: "a constraint needs <= or >=",
                                            hint: "write it like \(example)")
            default:
                throw unexpected(expecting: "+, -, *, /, <= or >=")
            }
            var right = try side()
            switch current.token {
            case .end: break
            case .relation, .unsupported:
                throw ConstraintSyntaxError(offset: current.offset, message: "only one comparison is allowed per constraint",
                                            hint: "write each comparison as its own constraint")
            default:
                throw unexpected(expecting: "+, -, *, / or the end of the constraint")
            }
            var relationNow = relation
            if left.terms.isEmpty, !right.terms.isEmpty {
                swap(&left, &right)
                relationNow = relation == .lessOrEqual ? .greaterOrEqual : .lessOrEqual
            }
            for term in right.terms { left.add(term.parameter, -term.coefficient, at: term.offset) }
            guard !left.terms.isEmpty else {
                throw ConstraintSyntaxError(offset: 0, message: "the constraint names no parameter",
                                            hint: "a constraint compares a sum of parameters with a number, like \(example)")
            }
            guard left.terms.contains(where: { $0.coefficient != 0 }) else {
                throw ConstraintSyntaxError(offset: left.terms[0].offset, message: "every parameter's coefficient is 0",
                                            hint: "the parameters cancel out; remove the constraint")
            }
            let bound = right.constant - left.constant
            guard bound.isFinite, left.terms.allSatisfy({ $0.coefficient.isFinite }) else {
                throw ConstraintSyntaxError(offset: 0, message: "the numbers are out of range")
            }
            return ParsedConstraint(terms: left.terms, relation: relationNow, bound: bound)
        }

        /// `[+|-] product ((+|-) product)*`
        private mutating func side() throws(ConstraintSyntaxError) -> Side {
            var side = Side()
            var sign = 1.0
            if current.token == .plus || current.token == .minus {
                sign = current.token == .minus ? -1 : 1
                index += 1
            }
            while true {
                let (parameter, coefficient, offset) = try product()
                side.add(parameter, sign * coefficient, at: offset)
                guard current.token == .plus || current.token == .minus else { return side }
                sign = current.token == .minus ? -1 : 1
                index += 1
            }
        }

        /// `factor ((*|/) factor)*` with at most one parameter and only numbers as divisors.
        private mutating func product() throws(ConstraintSyntaxError) -> (String?, Double, Int) {
            var parameter: String?
            var parameterOffset = current.offset
            var coefficient = 1.0
            var dividing = false
            while true {
                let lexeme = current
                switch lexeme.token {
                case .number(let value, _):
                    if dividing {
                        guard value != 0 else { throw ConstraintSyntaxError(offset: lexeme.offset, message: "division by zero") }
                        coefficient /= value
                    } else {
                        coefficient *= value
                    }
                case .name(let name):
                    if dividing {
                        throw ConstraintSyntaxError(offset: lexeme.offset, message: "dividing by a parameter is not linear",
                                                    hint: "constraints are linear: multiply or divide parameters only by numbers")
                    }
                    if let parameter {
                        throw ConstraintSyntaxError(offset: lexeme.offset,
                                                    message: "'\(parameter) * \(name)' is not linear",
                                                    hint: "constraints are linear: multiply parameters only by numbers")
                    }
                    parameter = name
                    parameterOffset = lexeme.offset
                default:
                    throw unexpected(expecting: "a number or a parameter name")
                }
                index += 1
                switch current.token {
                case .times: dividing = false
                case .divide: dividing = true
                case .name, .number:
                    throw ConstraintSyntaxError(offset: current.offset, message: "expected an operator before \(current.token.shown)",
                                                hint: "write products with '*', like '2 * x'")
                default:
                    return (parameter, coefficient, parameterOffset)
                }
                index += 1
            }
        }

        private func unexpected(expecting: String) -> ConstraintSyntaxError {
            switch current.token {
            case .unsupported(let text) where text == "<" || text == ">":
                return ConstraintSyntaxError(offset: current.offset, message: "strict '\(text)' is not supported",
                                             hint: "use \(text)= (a constraint includes its boundary)")
            case .unsupported:
                return ConstraintSyntaxError(offset: current.offset, message: "equality constraints are not supported",
                                             hint: "use a fixed parameter, or two constraints with <= and >=")
            default:
                return ConstraintSyntaxError(offset: current.offset,
                                             message: "expected \(expecting), found \(current.token.shown)")
            }
        }
    }
}
