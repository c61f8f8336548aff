/// Why a point is not in a parameter space.
public struct PointViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case missing
        case unknownParameter
        case wrongKind
        case notFinite
        case outOfRange
        case offStep
        case unknownCategory
        case fixedMismatch
        case constraint
    }

    public var kind: Kind
    /// The parameter concerned, or the constraint's text.
    public var subject: String
    public var message: String

    public var description: String { message }
}

extension ParameterSpace {
    /// Every reason `point` is not a valid setting of this space; empty when it is.
    public func violations(of point: Point) -> [PointViolation] {
        var problems: [PointViolation] = []
        for entry in point where parameter(named: entry.name) == nil {
            problems.append(.init(kind: .unknownParameter, subject: entry.name,
                                  message: "unknown parameter '\(entry.name)'"))
        }
        for definition in parameters {
            guard let value = point[definition.name] else {
                problems.append(.init(kind: .missing, subject: definition.name,
                                      message: "parameter '\(definition.name)' is missing"))
                continue
            }
            if let problem = Self.check(value, against: definition) { problems.append(problem) }
        }
        if problems.isEmpty {
            for constraint in constraints where !constraint.isSatisfied(by: point) {
                let lhs = constraint.lhs(at: point).map(formatReal) ?? "?"
                problems.append(.init(kind: .constraint, subject: constraint.description,
                                      message: "constraint \(constraint) violated (left side is \(lhs))"))
            }
        }
        return problems
    }

    private static func check(_ value: ParameterValue, against definition: ParameterDefinition) -> PointViolation? {
        let name = definition.name
        switch (definition.domain, value) {
        case (.continuous(let low, let high, _, _), .real(let x)):
            return rangeCheck(name, x, low, high)
        case (.continuous(let low, let high, _, _), .integer(let x)):
            return rangeCheck(name, Double(x), low, high)
        case (.integer(let low, let high, let step), .integer(let x)):
            if x < low || x > high {
                return .init(kind: .outOfRange, subject: name,
                             message: "parameter '\(name)' = \(x) is outside [\(low), \(high)]")
            }
            // x >= low here, so the wrapping difference read as unsigned is exact (no overflow trap).
            if step > 1, UInt64(bitPattern: x &- low) % UInt64(step) != 0 {
                return .init(kind: .offStep, subject: name,
                             message: "parameter '\(name)' = \(x) is not on the step \(step) from \(low)")
            }
            return nil
        case (.categorical(let values), .category(let x)):
            return values.contains(x) ? nil : .init(
                kind: .unknownCategory, subject: name,
                message: "parameter '\(name)' = '\(x)' is not one of \(values.joined(separator: ", "))")
        case (.fixed(let fixed), _):
            return fixed == value ? nil : .init(
                kind: .fixedMismatch, subject: name,
                message: "parameter '\(name)' is fixed at \(fixed), got \(value)")
        default:
            return .init(kind: .wrongKind, subject: name,
                         message: "parameter '\(name)' has the wrong kind of value (\(value))")
        }
    }

    private static func rangeCheck(_ name: String, _ x: Double, _ low: Double, _ high: Double) -> PointViolation? {
        guard x.isFinite else {
            return .init(kind: .notFinite, subject: name, message: "parameter '\(name)' is not a finite number")
        }
        guard x >= low, x <= high else {
            return .init(kind: .outOfRange, subject: name,
                         message: "parameter '\(name)' = \(formatReal(x)) is outside [\(formatReal(low)), \(formatReal(high))]")
        }
        return nil
    }
}
