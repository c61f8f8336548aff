import LabLoopCore
import LabLoopModel
import Simulators
import Testing

@Suite struct OptimizationBenchmarkTests {
    @Test func harnessRecordsABestSoFarTrace() async throws {
        let function = BenchmarkFunction.branin
        let result = try await OptimizationBenchmark.run(space: function.space, budget: 10, batchSize: 3, seed: 4,
                                                         strategy: RandomStrategy()) { function.value(at: $0) }
        #expect(result.evaluations.count == 10)
        #expect(result.bestSoFar.count == 10)
        #expect(result.evaluations.map(\.batch) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3])
        for (index, best) in result.bestSoFar.enumerated() {
            #expect(best == result.evaluations.prefix(index + 1).map(\.value).min())
        }
        #expect(result.best?.value == result.bestSoFar.last)
        #expect(result.regret(knownMinimum: function.knownMinimum) >= 0)
    }

    @Test func failedEvaluationsDoNotCountAsBest() async throws {
        let function = BenchmarkFunction.branin
        var calls = 0
        let result = try await OptimizationBenchmark.run(space: function.space, budget: 4, batchSize: 1, seed: 1,
                                                         strategy: SpaceFillingStrategy()) { point in
            calls += 1
            return calls == 1 ? .nan : function.value(at: point)
        }
        #expect(result.bestSoFar.first == .infinity)
        #expect(result.bestSoFar.last?.isFinite == true)
    }

    /// gp-ei on Branin with 30 evaluations (5 design points, then 25 model-based) gets within
    /// 0.05 of the minimum 0.397887, where the space-filling design alone does not.
    @Test func expectedImprovementSolvesBranin() async throws {
        let function = BenchmarkFunction.branin
        let result = try await OptimizationBenchmark.run(
            space: function.space, budget: 30, batchSize: 1, seed: 1,
            strategy: GPStrategy(acquisition: .expectedImprovement)) { function.value(at: $0) }
        let regret = result.regret(knownMinimum: function.knownMinimum)
        #expect(regret <= 0.05, "regret \(regret)")
        let design = SpaceFillingDesign.points(in: function.space, count: 30, skip: 0, seed: 1)
        let designRegret = (design.map(function.value(at:)).min() ?? .infinity) - function.knownMinimum
        #expect(designRegret > 0.05, "the check must be one the design alone fails")
    }
}
