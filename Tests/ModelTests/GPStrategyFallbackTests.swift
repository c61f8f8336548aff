import LabLoopCore
@testable import LabLoopModel
import Logging
import Simulators
import Testing

@Suite struct GPStrategyFallbackTests {
    let space = BenchmarkFunction.hartmann6.space

    func design(_ count: Int, skip: Int = 0) -> [Point] {
        SpaceFillingDesign.points(in: space, count: count, skip: skip, seed: 1)
    }

    /// What the space-filling strategy would propose for the same context.
    func expectSpaceFilling(_ candidates: [ProposedCandidate], context: ProposalContext) async throws {
        let reference = try await SpaceFillingStrategy().propose(context)
        #expect(candidates.map(\.point) == reference.map(\.point))
        for candidate in candidates {
            #expect(candidate.predictedMean == nil && candidate.predictedStd == nil && candidate.acquisition == nil)
            #expect(space.violations(of: candidate.point).isEmpty)
        }
    }

    @Test func allEqualOutputsFallBackWithOneWarning() async throws {
        let (logger, store) = RecordingLogHandler.logger()
        let strategy = GPStrategy(acquisition: .expectedImprovement, logger: logger)
        let points = design(20)
        let context = Fixtures.context(spec: Fixtures.spec(space: space),
                                       observations: Fixtures.observations(points, values: points.map { _ in 4.2 }),
                                       count: 3)
        let candidates = try await strategy.propose(context)
        #expect(candidates.count == 3)
        try await expectSpaceFilling(candidates, context: context)
        let warnings = store.warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["campaign"] == "c1")
        #expect(warnings.first?.metadata["reason"]?.description.contains("equal") == true)
    }

    /// Sixty observations of only three settings are not a design of twelve points yet.
    @Test func duplicatedInputsCountOnceTowardsTheDesign() async throws {
        let (logger, store) = RecordingLogHandler.logger()
        let strategy = GPStrategy(acquisition: .upperConfidenceBound(beta: 2), logger: logger)
        let settings = design(3)
        let points = (0..<60).map { settings[$0 % 3] }
        let values = (0..<60).map { Double($0 % 7) }
        let context = Fixtures.context(spec: Fixtures.spec(space: space), observations: Fixtures.observations(points, values: values),
                                       count: 2, proposedSoFar: 3)
        let candidates = try await strategy.propose(context)
        try await expectSpaceFilling(candidates, context: context)
        #expect(candidates.allSatisfy { !settings.contains($0.point) })
        #expect(store.warnings.isEmpty, "an incomplete design is expected, not a failure")
    }

    /// Repeated settings with scattered outputs alongside a complete design: the model copes
    /// (the noise absorbs the scatter) and every value it returns is finite.
    @Test func duplicatedInputsWithADesignStillModel() async throws {
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        let spread = design(12)
        let points = spread + Array(repeating: spread[0], count: 20)
        let values = spread.map { BenchmarkFunction.hartmann6.value(at: $0) } + (0..<20).map { Double($0 % 5) - 2 }
        let context = Fixtures.context(spec: Fixtures.spec(space: space), observations: Fixtures.observations(points, values: values),
                                       count: 4)
        let candidates = try await strategy.propose(context)
        #expect(candidates.count == 4)
        for candidate in candidates {
            #expect(candidate.predictedMean?.isFinite == true)
            #expect(candidate.predictedStd?.isFinite == true)
            #expect(candidate.acquisition?.isFinite == true)
            #expect(!points.contains(candidate.point))
        }
    }

    /// Outputs so large that standardising them overflows: the fit fails, the strategy says
    /// why once and proposes the design.
    @Test func failedFitFallsBackWithOneWarning() async throws {
        let (logger, store) = RecordingLogHandler.logger()
        let strategy = GPStrategy(acquisition: .expectedImprovement, logger: logger)
        let points = design(14)
        let values = points.indices.map { $0 % 2 == 0 ? 1.5e308 : -1.7e308 }
        let context = Fixtures.context(spec: Fixtures.spec(space: space), observations: Fixtures.observations(points, values: values),
                                       count: 2)
        let candidates = try await strategy.propose(context)
        try await expectSpaceFilling(candidates, context: context)
        #expect(store.warnings.count == 1)
        #expect(strategy.lastFit(campaignID: "c1") == nil)
    }

    /// Failed experiments and non-finite objectives are not training data, but their points
    /// are still not proposed again.
    @Test func failedObservationsAreIgnoredButAvoided() async throws {
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        let points = design(16)
        var values: [Double?] = points.map { BenchmarkFunction.hartmann6.value(at: $0) }
        values[3] = nil
        values[5] = .nan
        values[7] = .infinity
        let context = Fixtures.context(spec: Fixtures.spec(space: space), observations: Fixtures.observations(points, values: values),
                                       count: 2)
        let candidates = try await strategy.propose(context)
        #expect(candidates.count == 2)
        #expect(candidates.allSatisfy { !points.contains($0.point) && $0.predictedMean?.isFinite == true })
        #expect(strategy.lastFit(campaignID: "c1")?.observationCount == 13)
    }
}
