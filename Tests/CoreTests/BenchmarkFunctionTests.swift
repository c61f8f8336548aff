import LabLoopCore
import Simulators
import Testing

@Suite struct BenchmarkFunctionTests {
    @Test func braninHasThreeMinimizers() {
        let branin = BenchmarkFunction.branin
        #expect(abs(branin.knownMinimum - 0.397887) < 1e-6)
        #expect(branin.minimizers.count == 3)
        for point in branin.minimizers {
            #expect(abs(branin.value(at: point) - 0.397887) < 1e-5, "\(point)")
            #expect(branin.space.violations(of: point).isEmpty)
        }
        // Away from the minima: f(0, 0) = 36 + 10(1 − 1/(8π)) + 10.
        #expect(abs(branin.value(at: [0, 0]) - 55.602112642270) < 1e-9)
    }

    @Test func hartmann6MinimizerReachesTheMinimum() throws {
        let hartmann = BenchmarkFunction.hartmann6
        #expect(abs(hartmann.knownMinimum - -3.32237) < 1e-5)
        let minimizer = try #require(hartmann.minimizers.first)
        #expect(abs(hartmann.value(at: minimizer) - -3.32237) < 1e-5)
        #expect(abs(hartmann.value(at: minimizer) - hartmann.knownMinimum) < 1e-9)
        #expect(hartmann.space.violations(of: minimizer).isEmpty)
    }

    @Test func rosenbrockIsZeroAtOneOne() {
        let rosenbrock = BenchmarkFunction.rosenbrock2
        #expect(rosenbrock.value(at: Point([("x1", .real(1)), ("x2", .real(1))])) == 0)
        #expect(rosenbrock.value(at: [0, 0]) == 1)
    }

    /// Nothing in the domain goes below the stated minimum.
    @Test(arguments: BenchmarkFunction.allCases)
    func noSampleBeatsTheKnownMinimum(function: BenchmarkFunction) {
        let samples = SpaceFillingDesign.points(in: function.space, count: 20_000, skip: 0, seed: 1)
        let lowest = samples.map(function.value(at:)).min() ?? .infinity
        #expect(lowest >= function.knownMinimum - 1e-9)
        #expect(lowest < function.knownMinimum + 0.5, "the design should come near the minimum")
    }

    @Test func spacesHaveTheUsualBounds() {
        let branin = BenchmarkFunction.branin.space.parameters.map(\.domain)
        #expect(branin == [.continuous(low: -5, high: 10, unit: "", scale: .linear),
                           .continuous(low: 0, high: 15, unit: "", scale: .linear)])
        let hartmann = BenchmarkFunction.hartmann6.space
        #expect(hartmann.parameters.map(\.name) == ["x1", "x2", "x3", "x4", "x5", "x6"])
        #expect(hartmann.parameters.allSatisfy { $0.domain == .continuous(low: 0, high: 1, unit: "", scale: .linear) })
        for function in BenchmarkFunction.allCases {
            #expect(Fixtures.spec(space: function.space).problems().isEmpty)
        }
    }

    @Test func lookupIgnoresCase() {
        #expect(BenchmarkFunction(name: "BRANIN") == .branin)
        #expect(BenchmarkFunction(name: "Hartmann6") == .hartmann6)
        #expect(BenchmarkFunction(name: "rosenbrock2") == .rosenbrock2)
        #expect(BenchmarkFunction(name: "ackley") == nil)
        #expect(BenchmarkFunction(name: "") == nil)
        for function in BenchmarkFunction.allCases {
            #expect(BenchmarkFunction(name: function.name) == function)
        }
    }

    @Test func instrumentIdentity() {
        #expect(BenchmarkFunction.kind == "benchmark-function")
        #expect(BenchmarkFunction.operation == "evaluate")
        #expect(BenchmarkFunction.objective == Objective(measurement: "value", direction: .minimize))
    }

    @Test func missingCoordinateGivesNaN() {
        #expect(BenchmarkFunction.branin.value(at: Point([("x1", .real(0))])).isNaN)
        #expect(BenchmarkFunction.branin.value(at: Point([("x1", .real(0)), ("x2", .category("a"))])).isNaN)
    }
}
