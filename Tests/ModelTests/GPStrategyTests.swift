import Foundation
import LabLoopCore
@testable import LabLoopModel
import Simulators
import Testing

@Suite struct GPStrategyTests {
    let branin = BenchmarkFunction.branin

    /// Branin's first `count` design points and their values.
    func braninObservations(_ count: Int, seed: UInt64 = 1) -> [Observation] {
        let points = SpaceFillingDesign.points(in: branin.space, count: count, skip: 0, seed: seed)
        return Fixtures.observations(points, values: points.map { branin.value(at: $0) })
    }

    @Test func proposesTheDesignUntilItIsComplete() async throws {
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        let spec = Fixtures.spec(space: branin.space)
        // Two parameters: max(5, 2 × 2) = 5 design points; two observed, one pending.
        let pending = SpaceFillingDesign.points(in: branin.space, count: 1, skip: 2, seed: 1)
        let context = Fixtures.context(spec: spec, observations: braninObservations(2), count: 3, pending: pending,
                                       proposedSoFar: 2)
        let candidates = try await strategy.propose(context)
        let design = SpaceFillingDesign.points(in: branin.space, count: 4, skip: 2, seed: 1)
        #expect(candidates.map(\.point) == Array(design.dropFirst()))
        #expect(candidates.allSatisfy { $0.predictedMean == nil && $0.acquisition == nil })
        #expect(strategy.lastFit(campaignID: "c1") == nil)
    }

    @Test func modelProposalsCarryFinitePredictionsInObjectiveUnits() async throws {
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        let observations = braninObservations(12)
        let context = Fixtures.context(spec: Fixtures.spec(space: branin.space), observations: observations, count: 1)
        let candidate = try #require(try await strategy.propose(context).first)
        #expect(branin.space.violations(of: candidate.point).isEmpty)
        let mean = try #require(candidate.predictedMean)
        let deviation = try #require(candidate.predictedStd)
        let acquisition = try #require(candidate.acquisition)
        #expect(mean.isFinite && deviation.isFinite && acquisition.isFinite)
        #expect(deviation >= 0 && acquisition >= 0)
        // Minimising: the model expects the proposal to beat the typical observation, in Branin's units.
        let values = observations.compactMap(\.objective)
        #expect(mean < values.reduce(0, +) / Double(values.count))
        #expect(mean > -100 && mean < 400)
        let fit = try #require(strategy.lastFit(campaignID: "c1"))
        #expect(fit.observationCount == 12)
        #expect(fit.modelVersion == "gp-ei/n12")
    }

    /// Maximising −f is minimising f: same point, predictions mirrored.
    @Test func directionFlipsPredictions() async throws {
        let observations = braninObservations(12)
        let negated = observations.map { observation in
            var copy = observation
            copy.objective = observation.objective.map { -$0 }
            return copy
        }
        let minimising = try await GPStrategy(acquisition: .expectedImprovement).propose(
            Fixtures.context(spec: Fixtures.spec(space: branin.space), observations: observations, count: 1))
        let maximising = try await GPStrategy(acquisition: .expectedImprovement).propose(
            Fixtures.context(spec: Fixtures.spec(space: branin.space, direction: .maximize), observations: negated,
                             count: 1))
        let low = try #require(minimising.first), high = try #require(maximising.first)
        #expect(low.point == high.point)
        let lowMean = try #require(low.predictedMean), highMean = try #require(high.predictedMean)
        #expect(abs(lowMean + highMean) < 1e-6 * max(1, abs(lowMean)))
        #expect(abs((low.predictedStd ?? 0) - (high.predictedStd ?? 1)) < 1e-6)
    }

    /// Four distinct points, none observed or pending, spread out by the fantasies.
    @Test(arguments: [GPStrategy.Acquisition.expectedImprovement, .upperConfidenceBound(beta: 2)])
    func batchesAreDiverse(acquisition: GPStrategy.Acquisition) async throws {
        let strategy = GPStrategy(acquisition: acquisition)
        let observations = braninObservations(10)
        let pending = SpaceFillingDesign.points(in: branin.space, count: 2, skip: 10, seed: 1)
        let context = Fixtures.context(spec: Fixtures.spec(space: branin.space), observations: observations, count: 4,
                                       pending: pending)
        let candidates = try await strategy.propose(context)
        #expect(candidates.count == 4)
        let points = candidates.map(\.point)
        #expect(Set(points).count == 4)
        let taken = Set(observations.map(\.point) + pending)
        #expect(points.allSatisfy { !taken.contains($0) })
        for (index, point) in points.enumerated() {
            for other in points[(index + 1)...] { #expect(distance(point, other) > 0.05, "\(point) vs \(other)") }
            for other in taken { #expect(distance(point, other) > 1e-6) }
        }
        for candidate in candidates {
            #expect([candidate.predictedMean, candidate.predictedStd, candidate.acquisition].allSatisfy { $0?.isFinite == true })
        }
    }

    /// Distance in Branin's unit square.
    func distance(_ a: Point, _ b: Point) -> Double {
        let dx = ((a["x1"]?.numeric ?? 0) - (b["x1"]?.numeric ?? 0)) / 15
        let dy = ((a["x2"]?.numeric ?? 0) - (b["x2"]?.numeric ?? 0)) / 15
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Integer and categorical parameters, a linear constraint and a fixed parameter: every
    /// proposal is valid and feasible, and the model finds the good category.
    @Test func mixedSpacesGiveValidFeasibleProposals() async throws {
        let space = ParameterSpace(parameters: [
            ParameterDefinition(name: "x", domain: .continuous(low: 0, high: 1, unit: "", scale: .linear)),
            ParameterDefinition(name: "y", domain: .continuous(low: 0.1, high: 10, unit: "", scale: .log)),
            ParameterDefinition(name: "n", domain: .integer(low: 0, high: 20, step: 4)),
            ParameterDefinition(name: "c", domain: .categorical(["a", "b", "c"])),
            ParameterDefinition(name: "fixed", domain: .fixed(.integer(7))),
        ], constraints: [
            LinearConstraint(terms: [.init(parameter: "x", coefficient: 1), .init(parameter: "y", coefficient: 0.1)],
                             relation: .lessOrEqual, bound: 0.8),
        ])
        func objective(_ point: Point) -> Double {
            let x = point["x"]?.numeric ?? 0, y = point["y"]?.numeric ?? 0, n = point["n"]?.numeric ?? 0
            let category: Double = point["c"] == .category("b") ? 0 : 2
            return pow(x - 0.3, 2) + pow(log(y), 2) / 4 + pow(n - 8, 2) / 40 + category
        }
        let design = SpaceFillingDesign.points(in: space, count: 14, skip: 0, seed: 2)
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        let context = Fixtures.context(spec: Fixtures.spec(space: space, seed: 2),
                                       observations: Fixtures.observations(design, values: design.map(objective)),
                                       count: 4)
        let candidates = try await strategy.propose(context)
        #expect(candidates.count == 4)
        #expect(Set(candidates.map(\.point)).count == 4)
        for candidate in candidates {
            #expect(space.violations(of: candidate.point).isEmpty, "\(candidate.point)")
            #expect(!design.contains(candidate.point))
            #expect(candidate.predictedMean?.isFinite == true)
        }
        #expect(candidates.first?.point["c"] == .category("b"), "the first pick should use the clearly better category")
    }

    /// A constraint that cuts away most of the box still yields feasible batches.
    @Test func tightConstraintsAreRespected() async throws {
        let space = ParameterSpace(parameters: [
            ParameterDefinition(name: "x1", domain: .continuous(low: -5, high: 10, unit: "", scale: .linear)),
            ParameterDefinition(name: "x2", domain: .continuous(low: 0, high: 15, unit: "", scale: .linear)),
        ], constraints: [
            LinearConstraint(terms: [.init(parameter: "x1", coefficient: 1), .init(parameter: "x2", coefficient: 1)],
                             relation: .lessOrEqual, bound: 2),
        ])
        let design = SpaceFillingDesign.points(in: space, count: 8, skip: 0, seed: 5)
        let context = Fixtures.context(spec: Fixtures.spec(space: space, seed: 5),
                                       observations: Fixtures.observations(design, values: design.map(branin.value(at:))),
                                       count: 4)
        let candidates = try await GPStrategy(acquisition: .upperConfidenceBound(beta: 2)).propose(context)
        #expect(candidates.count == 4)
        for candidate in candidates { #expect(space.violations(of: candidate.point).isEmpty, "\(candidate.point)") }
    }

    /// A small discrete space runs out of new points: proposals stop short instead of repeating.
    @Test func exhaustedDiscreteSpaceNeverRepeats() async throws {
        let space = ParameterSpace(parameters: [
            ParameterDefinition(name: "n", domain: .integer(low: 0, high: 3, step: 1)),
            ParameterDefinition(name: "c", domain: .categorical(["a", "b"])),
        ])
        let all = SpaceFillingDesign.points(in: space, count: 8, skip: 0, seed: 1)
        #expect(all.count == 8)
        let observed = Array(all.prefix(6))
        let values = observed.map { Double($0["n"]?.numeric ?? 0) + ($0["c"] == .category("a") ? 0 : 0.5) }
        let context = Fixtures.context(spec: Fixtures.spec(space: space), observations: Fixtures.observations(observed, values: values),
                                       count: 4)
        let candidates = try await GPStrategy(acquisition: .expectedImprovement).propose(context)
        #expect(Set(candidates.map(\.point)) == Set(all.suffix(2)))
    }
}

@Suite struct GPStrategyCacheTests {
    /// One strategy serving several campaigns at once keeps their fits apart.
    @Test func concurrentCampaignsKeepSeparateFits() async throws {
        let branin = BenchmarkFunction.branin
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        let counts = [8, 11, 14]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, count) in counts.enumerated() {
                let points = SpaceFillingDesign.points(in: branin.space, count: count, skip: 0, seed: 3)
                let context = Fixtures.context(spec: Fixtures.spec(space: branin.space),
                                               observations: Fixtures.observations(points, values: points.map(branin.value(at:))),
                                               count: 2, campaignID: "campaign-\(index)")
                group.addTask { _ = try await strategy.propose(context) }
            }
            try await group.waitForAll()
        }
        for (index, count) in counts.enumerated() {
            let fit = try #require(strategy.lastFit(campaignID: "campaign-\(index)"))
            #expect(fit.observationCount == count)
            #expect(fit.modelVersion == "gp-ei/n\(count)")
        }
    }
}
