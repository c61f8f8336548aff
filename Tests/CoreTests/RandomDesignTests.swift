import LabLoopCore
import Testing

@Suite struct RandomDesignTests {
    let space = Fixtures.mixedSpace

    @Test func pointsAreFeasibleAndDistinct() {
        var rng = SplitMix64(seed: 1)
        let points = RandomDesign.points(in: space, count: 200, avoiding: [], rng: &rng)
        #expect(points.count == 200)
        #expect(Set(points).count == 200)
        #expect(points.allSatisfy { space.violations(of: $0).isEmpty })
    }

    @Test func sameSeedSamePoints() {
        var first = SplitMix64(seed: 77)
        var second = SplitMix64(seed: 77)
        #expect(RandomDesign.points(in: space, count: 10, avoiding: [], rng: &first)
            == RandomDesign.points(in: space, count: 10, avoiding: [], rng: &second))
    }

    @Test func avoidedPointsAreNotReturnedAndExhaustionGivesAShortList() {
        let discrete = ParameterSpace(parameters: [Fixtures.integer("n", 1, 3), Fixtures.categorical("c", ["x", "y"])])
        let avoided: Set<Point> = [Point([("n", .integer(1)), ("c", .category("x"))]),
                                   Point([("n", .integer(3)), ("c", .category("y"))])]
        var rng = SplitMix64(seed: 4)
        let points = RandomDesign.points(in: discrete, count: 10, avoiding: avoided, rng: &rng)
        #expect(points.count == 4)
        #expect(Set(points).count == 4)
        #expect(Set(points).isDisjoint(with: avoided))
    }

    @Test func pointsAreUniformInTheDesignScale() {
        let box = ParameterSpace(parameters: [Fixtures.continuous("x", 10, 20),
                                              Fixtures.continuous("k", 1, 10_000, scale: .log)])
        var rng = SplitMix64(seed: 9)
        let points = RandomDesign.points(in: box, count: 4_000, avoiding: [], rng: &rng)
        let xs = points.compactMap { $0["x"]?.numeric }
        let mean = xs.reduce(0, +) / Double(xs.count)
        #expect(abs(mean - 15) < 0.2) // standard error is about 0.05
        // Log-uniform: a quarter of the points in each decade.
        let lowestDecade = points.filter { ($0["k"]?.numeric ?? 0) < 10 }.count
        #expect((900...1_100).contains(lowestDecade))
    }

    @Test func infeasibleSpaceGivesNothing() {
        let impossible = ParameterSpace(parameters: [Fixtures.continuous("a", 0, 1)],
                                        constraints: [Fixtures.sum(["a"], .greaterOrEqual, 2)])
        var rng = SplitMix64(seed: 0)
        #expect(RandomDesign.points(in: impossible, count: 2, avoiding: [], rng: &rng).isEmpty)
        #expect(RandomDesign.points(in: space, count: 0, avoiding: [], rng: &rng).isEmpty)
    }
}
