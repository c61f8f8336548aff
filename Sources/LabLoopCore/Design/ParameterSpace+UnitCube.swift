import Foundation

extension ParameterSpace {
    /// How many coordinates a design point needs: one per parameter that is not fixed.
    public var designDimension: Int { varying.count }

    /// The point of this space that the unit-cube vector `u` stands for.
    ///
    /// `u` has one coordinate per varying parameter, in declared order; fixed parameters take
    /// their value. Coordinates outside [0, 1] are clamped. Each coordinate spreads evenly over
    /// its domain: linearly or in the logarithm for continuous parameters, in equal shares of
    /// the allowed values for integer and categorical ones. The result always satisfies every
    /// domain of a valid space (bounds, steps, categories); constraints are not considered.
    public func point(fromUnit u: [Double]) -> Point {
        precondition(u.count == designDimension,
                     "a unit vector for this space needs \(designDimension) coordinates, not \(u.count)")
        var coordinates = u.makeIterator()
        let entries = parameters.map { definition -> (name: String, value: ParameterValue) in
            if case .fixed(let value) = definition.domain { return (definition.name, value) }
            // The precondition guarantees one coordinate per varying parameter.
            let coordinate = coordinates.next() ?? 0
            return (definition.name, Self.value(atUnit: coordinate, in: definition.domain))
        }
        return Point(entries)
    }

    /// The value of `domain` at unit coordinate `u`.
    static func value(atUnit u: Double, in domain: ParameterDomain) -> ParameterValue {
        let u = u.isNaN ? 0 : min(max(u, 0), 1)
        switch domain {
        case .continuous(let low, let high, _, let scale):
            guard low < high else { return .real(low) }
            // The ends map exactly to the bounds, which rounding in exp/log would miss.
            if u == 0 { return .real(low) }
            if u == 1 { return .real(high) }
            let x: Double
            if scale == .log, low > 0 {
                x = exp(log(low) + u * (log(high) - log(low)))
            } else {
                x = low + u * (high - low)
            }
            // Rounding can still land a hair outside the bounds, which validation rejects.
            return .real(min(max(x, low), high))
        case .integer(let low, let high, let step):
            return .integer(integerValue(atUnit: u, low: low, high: high, step: step))
        case .categorical(let values):
            // An empty list fails validation; answer something that `violations(of:)` reports.
            guard !values.isEmpty else { return .category("") }
            let index = min(Int(u * Double(values.count)), values.count - 1)
            return .category(values[index])
        case .fixed(let value):
            return value
        }
    }

    /// `low + step × index` with index the share of the allowed values that `u` falls into.
    ///
    /// Works in unsigned arithmetic so that any valid Int64 range (even the full one) is safe.
    private static func integerValue(atUnit u: Double, low: Int64, high: Int64, step: Int64) -> Int64 {
        guard low < high else { return low }
        // Validation lets a step of 0 through; like `violations(of:)`, treat it as 1.
        let step = UInt64(max(step, 1))
        let span = UInt64(bitPattern: high &- low)
        let lastIndex = span / step
        let scaled = u * (Double(lastIndex) + 1)
        let index = scaled >= Double(lastIndex) ? lastIndex : min(UInt64(scaled), lastIndex)
        return low &+ Int64(bitPattern: index &* step)
    }
}
