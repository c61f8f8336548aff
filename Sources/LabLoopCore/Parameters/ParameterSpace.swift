/// How a continuous parameter is spread: evenly, or evenly in its logarithm.
public enum Scale: Sendable, Hashable {
    case linear
    case log
}

/// What values a parameter may take.
public enum ParameterDomain: Sendable, Hashable {
    case continuous(low: Double, high: Double, unit: String, scale: Scale)
    /// Values `low`, `low + step`, … up to `high`.
    case integer(low: Int64, high: Int64, step: Int64)
    case categorical([String])
    case fixed(ParameterValue)
}

public struct ParameterDefinition: Sendable, Hashable {
    public var name: String
    public var domain: ParameterDomain

    public init(name: String, domain: ParameterDomain) {
        self.name = name
        self.domain = domain
    }
}

public enum Relation: Sendable, Hashable {
    case lessOrEqual
    case greaterOrEqual
}

/// `sum(coefficient × parameter) relation bound` over continuous or integer parameters.
public struct LinearConstraint: Sendable, Hashable, CustomStringConvertible {
    public struct Term: Sendable, Hashable {
        public var parameter: String
        public var coefficient: Double
        public init(parameter: String, coefficient: Double) {
            self.parameter = parameter
            self.coefficient = coefficient
        }
    }

    public var terms: [Term]
    public var relation: Relation
    public var bound: Double

    public init(terms: [Term], relation: Relation, bound: Double) {
        self.terms = terms
        self.relation = relation
        self.bound = bound
    }

    /// The left-hand side at `point`, or nil when a term's parameter is missing or not numeric.
    public func lhs(at point: Point) -> Double? {
        var sum = 0.0
        for term in terms {
            guard let value = point[term.parameter]?.numeric else { return nil }
            sum += term.coefficient * value
        }
        return sum
    }

    /// Whether `point` satisfies the constraint, with a small relative tolerance.
    public func isSatisfied(by point: Point) -> Bool {
        guard let lhs = lhs(at: point) else { return false }
        let tolerance = 1e-9 * max(1, abs(bound))
        switch relation {
        case .lessOrEqual: return lhs <= bound + tolerance
        case .greaterOrEqual: return lhs >= bound - tolerance
        }
    }

    public var description: String {
        let left = terms.map { term in
            term.coefficient == 1 ? term.parameter : "\(formatReal(term.coefficient))*\(term.parameter)"
        }.joined(separator: " + ")
        return "\(left) \(relation == .lessOrEqual ? "<=" : ">=") \(formatReal(bound))"
    }
}

/// The parameters a campaign varies, with their domains and linear constraints.
public struct ParameterSpace: Sendable, Hashable {
    public var parameters: [ParameterDefinition]
    public var constraints: [LinearConstraint]

    public init(parameters: [ParameterDefinition], constraints: [LinearConstraint] = []) {
        self.parameters = parameters
        self.constraints = constraints
    }

    public func parameter(named name: String) -> ParameterDefinition? {
        parameters.first { $0.name == name }
    }

    /// Parameters that vary (everything but fixed ones), in order.
    public var varying: [ParameterDefinition] {
        parameters.filter { if case .fixed = $0.domain { false } else { true } }
    }
}
