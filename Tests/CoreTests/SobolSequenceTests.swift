import LabLoopCore
import Testing

@Suite struct SobolSequenceTests {
    @Test func firstTwoDimensionalPointsAreTheStandardOnes() throws {
        let sobol = try SobolSequence(dimension: 2)
        let expected: [[Double]] = [
            [0.5, 0.5], [0.75, 0.25], [0.25, 0.75], [0.375, 0.375],
            [0.875, 0.875], [0.625, 0.125], [0.125, 0.625], [0.1875, 0.3125],
        ]
        #expect((0..<expected.count).map { sobol.point(at: $0) } == expected)
    }

    @Test func firstPointIsTheCentreInEveryDimension() throws {
        let sobol = try SobolSequence(dimension: SobolSequence.maximumDimension)
        #expect(sobol.point(at: 0) == Array(repeating: 0.5, count: SobolSequence.maximumDimension))
    }

    /// Points 1000 and 4095 in all 40 dimensions, as 32-bit numerators, from an independent
    /// implementation using the same Joe–Kuo file. Any mistyped direction number shows up here.
    @Test(arguments: [
        (1000, [3091202048, 2562719744, 79691776, 759169024, 3351248896, 1749024768, 2344615936, 1715470336,
                4194304, 2445279232, 2512388096, 3242196992, 2839543808, 3795845120, 2764046336, 3737124864,
                943718400, 3628072960, 2109734912, 968884224, 96468992, 213909504, 1933574144, 171966464,
                356515840, 1749024768, 2319450112, 2059403264, 2403336192, 3611295744, 2780823552, 2772434944,
                3418357760, 398458880, 1296039936, 1161822208, 1497366528, 1421869056, 3468689408, 4206886912]
            as [UInt32]),
        (4095, [1572864, 2021130240, 3589799936, 2664955904, 708313088, 2331508736, 3043491840, 3593994240,
                2847408128, 4272422912, 3629645824, 477626368, 2256011264, 1696071680, 2845310976, 1192755200,
                492306432, 2534932480, 194510848, 1997012992, 2888302592, 4058513408, 35127296, 566755328,
                2201485312, 72876032, 4055367680, 480772096, 1285029888, 3446145024, 2278031360, 1536688128,
                965214208, 2573729792, 3347578880, 3813146624, 320339968, 2491940864, 3108503552, 3014131712]),
    ])
    func laterPointsMatchReference(index: Int, numerators: [UInt32]) throws {
        let sobol = try SobolSequence(dimension: 40)
        #expect(sobol.point(at: index) == numerators.map { Double($0) / 4_294_967_296 })
    }

    @Test func pointsAreInUnitCubeAndDistinct() throws {
        for sobol in [try SobolSequence(dimension: 7), try SobolSequence(dimension: 7, shiftSeed: 42)] {
            let points = (0..<2048).map(sobol.point(at:))
            #expect(points.allSatisfy { $0.count == 7 && $0.allSatisfy { (0..<1).contains($0) } })
            #expect(Set(points).count == points.count)
        }
    }

    /// With the skipped origin put back, the first 64 points of the first two coordinates form
    /// a (0, 6, 2)-net: each of the 8 × 8 cells holds exactly one point.
    @Test func firstTwoCoordinatesFormANet() throws {
        let sobol = try SobolSequence(dimension: 2)
        let points = [[0.0, 0.0]] + (0..<63).map(sobol.point(at:))
        let cells = points.map { Int($0[0] * 8) * 8 + Int($0[1] * 8) }
        #expect(Set(cells).count == 64)
    }

    @Test func shiftIsReproducibleAndSeedDependent() throws {
        let first = try SobolSequence(dimension: 3, shiftSeed: 7)
        let again = try SobolSequence(dimension: 3, shiftSeed: 7)
        let other = try SobolSequence(dimension: 3, shiftSeed: 8)
        let plain = try SobolSequence(dimension: 3, shiftSeed: nil)
        let unshifted = try SobolSequence(dimension: 3)
        let indices = 0..<100
        #expect(indices.map(first.point(at:)) == indices.map(again.point(at:)))
        #expect(indices.map(first.point(at:)) != indices.map(other.point(at:)))
        #expect(indices.map(plain.point(at:)) == indices.map(unshifted.point(at:)))
        // A shift moves every point by the same amount modulo 1.
        let offsets = indices.map { index in
            zip(first.point(at: index), plain.point(at: index)).map { ($0 - $1 + 1).truncatingRemainder(dividingBy: 1) }
        }
        #expect(offsets.allSatisfy { $0 == offsets[0] })
        #expect(offsets[0] != [0, 0, 0])
    }

    @Test(arguments: [0, -1, SobolSequence.maximumDimension + 1])
    func unsupportedDimensionsThrow(dimension: Int) {
        #expect(throws: SobolSequence.UnsupportedDimension(requested: dimension)) {
            try SobolSequence(dimension: dimension)
        }
        #expect(SobolSequence.maximumDimension >= 21)
    }
}

@Suite struct SplitMix64Tests {
    @Test func matchesReferenceOutput() {
        // The reference implementation's output for seed 1234567.
        var generator = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in generator.next() } == expected)
    }

    @Test func sameSeedSameStream() {
        var a = SplitMix64(seed: 99)
        var b = SplitMix64(seed: 99)
        var c = SplitMix64(seed: 100)
        let first = (0..<10).map { _ in a.next() }
        #expect(first == (0..<10).map { _ in b.next() })
        #expect(first != (0..<10).map { _ in c.next() })
    }
}
