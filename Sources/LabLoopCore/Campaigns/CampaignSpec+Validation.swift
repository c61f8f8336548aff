import Foundation

/// One problem with a campaign specification: the field path and what is wrong.
public struct SpecProblem: Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

extension CampaignSpec {
    /// Every problem with this specification; empty when it can be run.
    public func problems() -> [SpecProblem] {
        var problems: [SpecProblem] = []
        func add(_ field: String, _ message: String) { problems.append(.init(field: field, message: message)) }

        if name.trimmingCharacters(in: .whitespaces).isEmpty { add("name", "must not be empty") }
        if space.parameters.isEmpty { add("parameters", "at least one parameter is required") }
        var seen = Set<String>()
        for (index, parameter) in space.parameters.enumerated() {
            let field = "parameters[\(index)]"
            if !Self.isIdentifier(parameter.name) {
                add("\(field).name", "'\(parameter.name)' is not a valid name (letters, digits and _, not starting with a digit)")
            }
            if !seen.insert(parameter.name).inserted { add("\(field).name", "'\(parameter.name)' is defined twice") }
            switch parameter.domain {
            case .continuous(let low, let high, _, let scale):
                if !low.isFinite || !high.isFinite { add(field, "low and high must be finite numbers") }
                else if low >= high { add(field, "low (\(formatReal(low))) must be less than high (\(formatReal(high)))") }
                if scale == .log, low <= 0 { add(field, "a log-scaled parameter needs low > 0") }
            case .integer(let low, let high, let step):
                if low >= high { add(field, "low (\(low)) must be less than high (\(high))") }
                if step < 0 { add(field, "step must be positive") }
            case .categorical(let values):
                if values.isEmpty { add(field, "a categorical parameter needs at least one value") }
                if Set(values).count != values.count { add(field, "categorical values must be unique") }
            case .fixed(let value):
                if case .real(let x) = value, !x.isFinite { add(field, "a fixed value must be finite") }
            }
        }
        for (index, constraint) in space.constraints.enumerated() {
            let field = "constraints[\(index)]"
            if constraint.terms.isEmpty { add(field, "a constraint needs at least one term") }
            for term in constraint.terms {
                switch space.parameter(named: term.parameter)?.domain {
                case .continuous?, .integer?: break
                case nil: add(field, "unknown parameter '\(term.parameter)'")
                default: add(field, "'\(term.parameter)' is not a continuous or integer parameter")
                }
                if !term.coefficient.isFinite { add(field, "coefficients must be finite") }
            }
            if !constraint.bound.isFinite { add(field, "the bound must be finite") }
        }
        if !Self.isIdentifier(objective.measurement) {
            add("objective.measurement", "'\(objective.measurement)' is not a valid measurement name")
        }
        if let target = objective.target, !target.isFinite { add("objective.target", "must be a finite number") }
        if operation.isEmpty { add("instrument.operation", "must name the operation to run") }
        if maxExperiments < 1 { add("budget.max_experiments", "must be at least 1") }
        if maxParallel < 1 { add("budget.max_parallel", "must be at least 1") }
        if strategy.isEmpty { add("strategy.name", "must name a strategy") }
        if initialDesign < 0 { add("strategy.initial_design", "must not be negative") }
        if noImprovementWindow < 0 { add("stop.no_improvement", "must not be negative") }
        if maxAttempts < 0 { add("retries.max_attempts", "must not be negative") }
        if stopAtTarget, objective.target == nil { add("stop.target_reached", "needs objective.target") }
        return problems
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
              first.isASCII else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
