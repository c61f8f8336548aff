import LabLoopCore
import Testing

@Suite struct UnitCubeMappingTests {
    /// Every kind of domain, with awkward bounds.
    let space = ParameterSpace(parameters: [
        Fixtures.continuous("linear", -2, 3),
        Fixtures.fixed("mode", .category("batch")),
        Fixtures.continuous("logarithmic", 0.1, 7.3, scale: .log),
        Fixtures.integer("stepped", 1, 10, step: 3),
        Fixtures.integer("zeroStep", -2, 2, step: 0),
        Fixtures.categorical("solvent", ["water", "ethanol", "toluene"]),
    ])

    func values(_ u: [Double]) -> [ParameterValue] {
        space.point(fromUnit: u).map { $0.value }
    }

    @Test func dimensionCountsVaryingParameters() {
        #expect(space.designDimension == 5)
        #expect(space.point(fromUnit: [0, 0, 0, 0, 0]).names == ["linear", "mode", "logarithmic", "stepped",
                                                                   "zeroStep", "solvent"])
    }

    @Test func cornersMapToBounds() {
        #expect(values([0, 0, 0, 0, 0]) == [.real(-2), .category("batch"), .real(0.1), .integer(1), .integer(-2),
                                            .category("water")])
        // The top of a stepped range is the last allowed value, not `high`.
        #expect(values([1, 1, 1, 1, 1]) == [.real(3), .category("batch"), .real(7.3), .integer(10), .integer(2),
                                            .category("toluene")])
        // Outside [0, 1] and NaN are clamped.
        #expect(values([-5, .nan, 2, .infinity, -.infinity]) == values([0, 0, 1, 1, 0]))
    }

    @Test func interiorValuesFollowTheScale() throws {
        let point = space.point(fromUnit: [0.5, 0.5, 0.5, 0.5, 0.5])
        #expect(point["linear"] == .real(0.5))
        let logarithmic = try #require(point["logarithmic"]?.numeric)
        #expect(abs(logarithmic - (0.1 * 7.3).squareRoot()) < 1e-12, "the middle of a log range is the geometric mean")
    }

    @Test func discreteValuesGetEqualShares() {
        // stepped allows 1, 4, 7, 10; the categorical has three values.
        let stepped = [0.0, 0.24, 0.25, 0.49, 0.5, 0.74, 0.75, 0.999].map { space.point(fromUnit: [0, 0, $0, 0, 0])["stepped"] }
        #expect(stepped == [1, 1, 4, 4, 7, 7, 10, 10].map { ParameterValue.integer($0) })
        let solvents = [0.1, 0.34, 0.5, 0.67, 0.9].map { space.point(fromUnit: [0, 0, 0, 0, $0])["solvent"] }
        #expect(solvents == ["water", "ethanol", "ethanol", "toluene", "toluene"].map { ParameterValue.category($0) })
    }

    @Test func everyMappedPointIsInsideItsDomains() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<5_000 {
            let u = (0..<space.designDimension).map { _ in Double.random(in: -0.1...1.1, using: &rng) }
            let violations = space.violations(of: space.point(fromUnit: u))
            #expect(violations.isEmpty, "\(u): \(violations)")
        }
    }

    @Test func tinyAndHugeRangesStayInBounds() {
        let extreme = ParameterSpace(parameters: [
            Fixtures.integer("full", .min, .max),
            Fixtures.integer("wide", -9, .max, step: 1 << 40),
            Fixtures.continuous("narrow", 1, 1.000_000_000_000_001, scale: .log),
            Fixtures.continuous("big", 1e-300, 1e300, scale: .log),
        ])
        for u in [0.0, 1e-17, 0.3, 0.5, 0.999_999_999_999, 1] {
            let point = extreme.point(fromUnit: [u, u, u, u])
            #expect(extreme.violations(of: point).isEmpty, "\(u): \(point)")
        }
        #expect(extreme.point(fromUnit: [0, 0, 0, 0])["full"] == .integer(.min))
        #expect(extreme.point(fromUnit: [1, 1, 1, 1])["full"] == .integer(.max))
    }

    @Test func allFixedSpaceNeedsNoCoordinates() {
        let fixed = ParameterSpace(parameters: [Fixtures.fixed("a", .real(2)), Fixtures.fixed("b", .integer(3))])
        #expect(fixed.designDimension == 0)
        #expect(fixed.point(fromUnit: []) == Point([("a", .real(2)), ("b", .integer(3))]))
    }
}
