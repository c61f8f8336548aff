import LabLoopCore
import LabLoopModel
import Testing

@Suite struct FeatureEncodingTests {
    /// One parameter of every kind.
    let space = ParameterSpace(parameters: [
        ParameterDefinition(name: "temperature", domain: .continuous(low: 20, high: 80, unit: "C", scale: .linear)),
        ParameterDefinition(name: "rate", domain: .continuous(low: 1, high: 100, unit: "uL/min", scale: .log)),
        ParameterDefinition(name: "cycles", domain: .integer(low: 0, high: 100, step: 5)),
        ParameterDefinition(name: "solvent", domain: .categorical(["water", "ethanol", "dmso"])),
        ParameterDefinition(name: "pressure", domain: .fixed(.real(1))),
    ])

    @Test func layoutDropsFixedAndOneHotsCategories() throws {
        let encoding = FeatureEncoding(space: space)
        #expect(encoding.featureCount == 6)
        let point = Point([("temperature", .real(50)), ("rate", .real(10)), ("cycles", .integer(35)),
                           ("solvent", .category("ethanol")), ("pressure", .real(1))])
        let features = try #require(encoding.encode(point))
        let expected = [0.5, 0.5, 7.0 / 20, 0, 1, 0]
        for (value, wanted) in zip(features, expected) { #expect(abs(value - wanted) < 1e-12) }
    }

    @Test func roundTripsEveryKindOfDomain() throws {
        let encoding = FeatureEncoding(space: space)
        for point in SpaceFillingDesign.points(in: space, count: 50, skip: 0, seed: 4) {
            let features = try #require(encoding.encode(point))
            #expect(features.allSatisfy { (0...1).contains($0) })
            let decoded = encoding.decode(features)
            #expect(decoded.names == space.parameters.map(\.name))
            for name in ["cycles", "solvent", "pressure"] { #expect(decoded[name] == point[name]) }
            for name in ["temperature", "rate"] {
                let original = try #require(point[name]?.numeric)
                let value = try #require(decoded[name]?.numeric)
                #expect(abs(value - original) <= 1e-9 * max(1, abs(original)))
            }
        }
    }

    /// Any vector, even outside the cube, decodes to a point every domain accepts.
    @Test func arbitraryFeaturesDecodeToValidPoints() {
        let encoding = FeatureEncoding(space: space)
        var rng = SplitMix64(seed: 9)
        for _ in 0..<200 {
            let features = (0..<encoding.featureCount).map { _ in Double.random(in: -0.3...1.3, using: &rng) }
            let point = encoding.decode(features)
            #expect(space.violations(of: point).isEmpty, "\(point)")
        }
        #expect(space.violations(of: encoding.decode([.nan, .nan, .nan, .nan, .nan, .nan])).isEmpty)
    }

    @Test func decodingRoundsToTheStepGridAndTakesTheLargestCategory() {
        let encoding = FeatureEncoding(space: space)
        let point = encoding.decode([0, 1, 0.38, 0.2, 0.1, 0.7])
        #expect(point["temperature"] == .real(20))
        #expect(point["rate"] == .real(100))
        #expect(point["cycles"] == .integer(40), "0.38 × 20 steps rounds to step 8")
        #expect(point["solvent"] == .category("dmso"))
        #expect(point["pressure"] == .real(1))
    }

    @Test func invalidPointsDoNotEncode() {
        let encoding = FeatureEncoding(space: space)
        let valid: [(name: String, value: ParameterValue)] = [
            ("temperature", .real(50)), ("rate", .real(10)), ("cycles", .integer(35)), ("solvent", .category("water")),
        ]
        #expect(encoding.encode(Point(valid)) != nil)
        #expect(encoding.encode(Point(Array(valid.dropLast()))) == nil)
        var unknown = Point(valid)
        unknown["solvent"] = .category("acetone")
        #expect(encoding.encode(unknown) == nil)
        var notFinite = Point(valid)
        notFinite["temperature"] = .real(.infinity)
        #expect(encoding.encode(notFinite) == nil)
    }

    /// Integer grids that span the whole Int64 range neither overflow nor trap.
    @Test func extremeIntegerRangesAreSafe() throws {
        let wide = ParameterSpace(parameters: [
            ParameterDefinition(name: "n", domain: .integer(low: .min, high: .max, step: 1)),
        ])
        let encoding = FeatureEncoding(space: wide)
        #expect(encoding.decode([0])["n"] == .integer(.min))
        #expect(encoding.decode([1])["n"] == .integer(.max))
        #expect(wide.violations(of: encoding.decode([0.5])).isEmpty)
        let features = try #require(encoding.encode(Point([("n", .integer(.max))])))
        #expect(features == [1])
    }
}
