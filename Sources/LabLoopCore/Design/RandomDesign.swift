/// Uniformly random feasible points, for random-search strategies and for topping up a design.
public enum RandomDesign {
    /// How many candidates in a row may be rejected before the search gives up.
    public static let maximumConsecutiveRejections = 10_000

    /// Up to `count` distinct points, uniform over the unit cube mapped into `space` (so
    /// log-uniform for log-scaled parameters), that satisfy every constraint and are not in
    /// `avoiding` (points in the space's parameter order, such as ones already tried).
    ///
    /// Rejection sampling: returns a short list when `maximumConsecutiveRejections`
    /// candidates in a row are infeasible or repeats, as happens when the feasible region is
    /// tiny or every discrete combination is used up.
    public static func points(in space: ParameterSpace, count: Int, avoiding: Set<Point>,
                              rng: inout some RandomNumberGenerator) -> [Point] {
        guard count > 0 else { return [] }
        let dimension = space.designDimension
        var taken = avoiding
        var result: [Point] = []
        var rejections = 0
        while result.count < count, rejections < maximumConsecutiveRejections {
            let unit = (0..<dimension).map { _ in Double.random(in: 0..<1, using: &rng) }
            let point = space.point(fromUnit: unit)
            guard space.constraints.allSatisfy({ $0.isSatisfied(by: point) }), taken.insert(point).inserted else {
                rejections += 1
                continue
            }
            result.append(point)
            rejections = 0
        }
        return result
    }
}
