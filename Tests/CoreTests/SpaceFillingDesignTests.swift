import LabLoopCore
import Testing

@Suite struct SpaceFillingDesignTests {
    let space = Fixtures.mixedSpace

    @Test func pointsAreFeasibleDistinctAndComplete() {
        let points = SpaceFillingDesign.points(in: space, count: 60, skip: 0, seed: 11)
        #expect(points.count == 60)
        #expect(Set(points).count == 60)
        for point in points {
            #expect(space.violations(of: point).isEmpty, "\(point)")
        }
        // The constraint a + b <= 1.5 cuts off a corner, so the design must have skipped some.
        #expect(points.allSatisfy { ($0["a"]?.numeric ?? 9) + ($0["b"]?.numeric ?? 9) <= 1.5 })
    }

    @Test func sameSeedSameDesign() {
        let first = SpaceFillingDesign.points(in: space, count: 20, skip: 0, seed: 3)
        #expect(first == SpaceFillingDesign.points(in: space, count: 20, skip: 0, seed: 3))
        #expect(first != SpaceFillingDesign.points(in: space, count: 20, skip: 0, seed: 4))
    }

    @Test func skipContinuesTheDesign() {
        let whole = SpaceFillingDesign.points(in: space, count: 50, skip: 0, seed: 8)
        let head = SpaceFillingDesign.points(in: space, count: 20, skip: 0, seed: 8)
        let tail = SpaceFillingDesign.points(in: space, count: 30, skip: 20, seed: 8)
        #expect(head + tail == whole)
        #expect(SpaceFillingDesign.points(in: space, count: 0, skip: 0, seed: 8).isEmpty)
    }

    @Test func designCoversTheSpaceEvenly() {
        // 64 points on the square: each coordinate puts 8 ± 1 points in each eighth of its range.
        // Independent random points would spread over roughly 8 ± 3.
        let square = ParameterSpace(parameters: [Fixtures.continuous("x", 0, 1), Fixtures.continuous("y", 0, 1)])
        let points = SpaceFillingDesign.points(in: square, count: 64, skip: 0, seed: 21)
        for name in ["x", "y"] {
            var bins = [Int](repeating: 0, count: 8)
            for point in points { bins[Int((point[name]?.numeric ?? 0) * 8)] += 1 }
            #expect(bins.allSatisfy { (7...9).contains($0) }, "\(name): \(bins)")
        }
    }

    @Test func discreteSpaceReturnsEveryCombinationOnce() {
        let discrete = ParameterSpace(parameters: [
            Fixtures.integer("n", 1, 3),
            Fixtures.categorical("c", ["x", "y"]),
            Fixtures.fixed("f", .integer(0)),
        ])
        let points = SpaceFillingDesign.points(in: discrete, count: 10, skip: 0, seed: 1)
        #expect(points.count == 6)
        #expect(Set(points).count == 6)
        #expect(SpaceFillingDesign.points(in: discrete, count: 10, skip: 4, seed: 1) == Array(points.suffix(2)))
    }

    @Test func constrainedDiscreteSpaceKeepsOnlyFeasibleCombinations() {
        let discrete = ParameterSpace(parameters: [Fixtures.integer("i", 0, 4), Fixtures.integer("j", 0, 4)],
                                      constraints: [Fixtures.sum(["i", "j"], .lessOrEqual, 2)])
        let points = SpaceFillingDesign.points(in: discrete, count: 100, skip: 0, seed: 2)
        #expect(points.count == 6) // (0,0) (0,1) (0,2) (1,0) (1,1) (2,0)
        #expect(points.allSatisfy { discrete.violations(of: $0).isEmpty })
    }

    @Test func infeasibleSpaceGivesAnEmptyList() {
        let impossible = ParameterSpace(parameters: [Fixtures.continuous("a", 0, 1), Fixtures.continuous("b", 0, 1)],
                                        constraints: [Fixtures.sum(["a", "b"], .greaterOrEqual, 2.5)])
        #expect(SpaceFillingDesign.points(in: impossible, count: 3, skip: 0, seed: 0).isEmpty)
    }

    @Test func allFixedSpaceHasOnePoint() {
        let fixed = ParameterSpace(parameters: [Fixtures.fixed("a", .real(1))])
        #expect(SpaceFillingDesign.points(in: fixed, count: 5, skip: 0, seed: 0) == [Point([("a", .real(1))])])
        #expect(SpaceFillingDesign.points(in: fixed, count: 5, skip: 1, seed: 0).isEmpty)
    }

    @Test func spacesBeyondSobolFallBackToSeededRandomPoints() {
        let wide = ParameterSpace(parameters: (0..<(SobolSequence.maximumDimension + 5)).map {
            Fixtures.continuous("x\($0)", 0, 1)
        })
        let points = SpaceFillingDesign.points(in: wide, count: 10, skip: 0, seed: 6)
        #expect(points.count == 10)
        #expect(points.allSatisfy { wide.violations(of: $0).isEmpty })
        #expect(points == SpaceFillingDesign.points(in: wide, count: 10, skip: 0, seed: 6))
        #expect(Array(points.suffix(4)) == SpaceFillingDesign.points(in: wide, count: 4, skip: 6, seed: 6))
    }
}
