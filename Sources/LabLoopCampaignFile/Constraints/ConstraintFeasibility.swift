import Foundation
import LabLoopCore

/// Whether constraints can be met at all within the parameters' ranges.
enum ConstraintFeasibility {
    /// How many points `jointlySatisfiable` tries.
    static let samples = 20_000

    /// The smallest and largest value the constraint's left side takes over the parameters'
    /// ranges (integer parameters only at their allowed values), or nil when a term's parameter
    /// is not a valid continuous or integer one.
    static func range(of constraint: LinearConstraint, domains: [String: ParameterDomain]) -> ClosedRange<Double>? {
        var low = 0.0
        var high = 0.0
        for term in constraint.terms {
            let interval: (Double, Double)
            switch domains[term.parameter] {
            case .continuous(let lower, let upper, _, _)?:
                interval = (lower, upper)
            case .integer(let lower, let upper, let step)?:
                let span = Double(upper) - Double(lower)
                let steps = (span / Double(max(step, 1))).rounded(.down)
                interval = (Double(lower), Double(lower) + steps * Double(max(step, 1)))
            default:
                return nil
            }
            let a = term.coefficient * interval.0
            let b = term.coefficient * interval.1
            low += min(a, b)
            high += max(a, b)
        }
        guard low.isFinite, high.isFinite, low <= high else { return nil }
        return low...high
    }

    /// Whether some value in `range` satisfies the constraint, with `LinearConstraint`'s tolerance.
    static func canSatisfy(_ constraint: LinearConstraint, over range: ClosedRange<Double>) -> Bool {
        let tolerance = 1e-9 * max(1, abs(constraint.bound))
        switch constraint.relation {
        case .lessOrEqual: return range.lowerBound <= constraint.bound + tolerance
        case .greaterOrEqual: return range.upperBound >= constraint.bound - tolerance
        }
    }

    /// Whether any of `samples` points spread evenly over the constrained parameters' ranges
    /// (Sobol points, or seeded random ones beyond the Sobol dimensions) satisfies every
    /// constraint. Call with constraints that name only valid continuous and integer parameters.
    ///
    /// Only the parameters the constraints name are sampled, and they are mapped from the unit
    /// cube as `ParameterSpace.point(fromUnit:)` maps them (linear, logarithmic, integer grid),
    /// without building points: a refusal costs milliseconds, not a design's worth of work.
    static func jointlySatisfiable(_ constraints: [LinearConstraint], domains: [String: ParameterDomain]) -> Bool {
        var names: [String] = []
        for constraint in constraints {
            for term in constraint.terms where !names.contains(term.parameter) { names.append(term.parameter) }
        }
        guard !names.isEmpty else { return true }
        let axes = names.compactMap { domains[$0].flatMap(Axis.init) }
        guard axes.count == names.count else { return true }
        let rows = constraints.map { constraint in
            (terms: constraint.terms.compactMap { term in names.firstIndex(of: term.parameter).map { ($0, term.coefficient) } },
             relation: constraint.relation, bound: constraint.bound, tolerance: 1e-9 * max(1, abs(constraint.bound)))
        }
        let sobol = try? SobolSequence(dimension: axes.count)
        var generator = SplitMix64(seed: 0)
        var values = [Double](repeating: 0, count: axes.count)
        for index in 0..<samples {
            let unit = sobol?.point(at: index) ?? axes.map { _ in Double.random(in: 0..<1, using: &generator) }
            for axis in axes.indices { values[axis] = axes[axis].value(atUnit: unit[axis]) }
            let satisfied = rows.allSatisfy { row in
                var lhs = 0.0
                for (axis, coefficient) in row.terms { lhs += coefficient * values[axis] }
                return row.relation == .lessOrEqual ? lhs <= row.bound + row.tolerance : lhs >= row.bound - row.tolerance
            }
            if satisfied { return true }
        }
        return false
    }

    /// One numeric parameter as a map from [0, 1] to its values.
    private enum Axis {
        case linear(low: Double, high: Double)
        case log(logLow: Double, logHigh: Double, low: Double, high: Double)
        case grid(low: Double, step: Double, lastIndex: Double)

        init?(_ domain: ParameterDomain) {
            switch domain {
            case .continuous(let low, let high, _, let scale):
                self = scale == .log && low > 0 ? .log(logLow: Foundation.log(low), logHigh: Foundation.log(high), low: low, high: high)
                    : .linear(low: low, high: high)
            case .integer(let low, let high, let step):
                let step = Double(max(step, 1))
                self = .grid(low: Double(low), step: step, lastIndex: ((Double(high) - Double(low)) / step).rounded(.down))
            case .categorical, .fixed:
                return nil
            }
        }

        func value(atUnit u: Double) -> Double {
            switch self {
            case .linear(let low, let high):
                return min(max(low + u * (high - low), low), high)
            case .log(let logLow, let logHigh, let low, let high):
                return min(max(exp(logLow + u * (logHigh - logLow)), low), high)
            case .grid(let low, let step, let lastIndex):
                return low + min((u * (lastIndex + 1)).rounded(.down), lastIndex) * step
            }
        }
    }
}
