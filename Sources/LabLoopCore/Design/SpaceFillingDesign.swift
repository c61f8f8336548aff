/// An initial design that covers a parameter space evenly: the seed-shifted Sobol sequence,
/// mapped into the space, keeping only feasible points not seen before.
public enum SpaceFillingDesign {
    /// How many sequence points a call examines at most before settling for a short list.
    public static let maximumScan = 200_000

    /// Kept points number `skip ..< skip + count` of the design for `seed`.
    ///
    /// Deterministic: the same space, seed and arguments always give the same points, and
    /// asking with `skip: n` continues exactly where a call with `count: n` stopped, so a
    /// campaign can take its design in batches. A point is kept when it satisfies every linear
    /// constraint and differs from every earlier kept point (integer and categorical parameters
    /// make repeats common). Returns fewer than `count` points when the space does not have
    /// enough feasible distinct points within `maximumScan` sequence points.
    ///
    /// Spaces with more varying parameters than `SobolSequence.maximumDimension` fall back to
    /// uniform random points drawn from `seed`, which are reproducible but less even.
    public static func points(in space: ParameterSpace, count: Int, skip: Int, seed: UInt64) -> [Point] {
        guard count > 0 else { return [] }
        let skip = max(skip, 0)
        let (sum, overflow) = skip.addingReportingOverflow(count)
        let wanted = overflow ? Int.max : sum
        let distinctLimit = space.distinctPointCount
        var source = UnitSource(dimension: space.designDimension, seed: seed)
        var seen = Set<Point>()
        var kept: [Point] = []
        for _ in 0..<maximumScan {
            guard kept.count < wanted, seen.count < (distinctLimit ?? .max) else { break }
            let point = space.point(fromUnit: source.next())
            guard seen.insert(point).inserted else { continue }
            if space.constraints.allSatisfy({ $0.isSatisfied(by: point) }) { kept.append(point) }
        }
        return Array(kept.dropFirst(skip).prefix(count))
    }
}

extension ParameterSpace {
    /// How many different points the domains allow, or nil when that is unbounded (a continuous
    /// parameter) or too large to count. Lets a design stop once it has seen them all.
    var distinctPointCount: Int? {
        var total = 1
        for definition in varying {
            let size: Int
            switch definition.domain {
            case .continuous: return nil
            case .integer(let low, let high, let step):
                guard low < high else { continue }
                let span = UInt64(bitPattern: high &- low) / UInt64(max(step, 1))
                guard span < UInt64(Int.max) else { return nil }
                size = Int(span) + 1
            case .categorical(let values): size = max(values.count, 1)
            case .fixed: continue
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }
}

/// Unit-cube vectors for a design: Sobol points when the dimension allows, else seeded random.
private struct UnitSource {
    private var sobol: SobolSequence?
    private var generator: SplitMix64
    private let dimension: Int
    private var index = 0

    init(dimension: Int, seed: UInt64) {
        self.dimension = dimension
        sobol = dimension > 0 ? try? SobolSequence(dimension: dimension, shiftSeed: seed) : nil
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> [Double] {
        defer { index += 1 }
        if let sobol, index <= SobolSequence.maximumIndex { return sobol.point(at: index) }
        return (0..<dimension).map { _ in Double.random(in: 0..<1, using: &generator) }
    }
}
