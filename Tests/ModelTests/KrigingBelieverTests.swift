import Foundation
import LabLoopCore
@testable import LabLoopModel
import Testing

/// The internal machinery behind batches: fantasies, the incremental candidate pool, the optimiser.
@Suite struct KrigingBelieverTests {
    let hyper = GPHyperparameters(lengthScales: [0.3, 0.5], signalVariance: 1.2, noiseVariance: 1e-4)
    let inputs: [[Double]] = [[0.1, 0.1], [0.8, 0.3], [0.4, 0.9], [0.6, 0.6], [0.2, 0.5]]
    let outputs = [0.3, -1.0, 0.8, 0.1, 0.5]
    let queries: [[Double]] = [[0.5, 0.5], [0.45, 0.55], [0.9, 0.9], [0.0, 1.0]]

    /// Appending a fantasy equals conditioning from scratch on the data plus (x_f, mean at x_f):
    /// means unchanged, variances shrunk, and the candidate pool's O(n·m) update agrees.
    @Test func fantasyMatchesConditioningFromScratch() async throws {
        var process = try GaussianProcess(inputs: inputs, outputs: outputs, hyperparameters: hyper,
                                          standardizingOutputs: false)
        let before = process.posterior(at: queries)
        let fantasy = [0.5, 0.52]
        let fantasyMean = try #require(process.posterior(at: [fantasy]).first).mean
        var pool = await CandidatePool.scored(points: queries.map { _ in Point() }, features: queries.flatMap { $0 },
                                              featureCount: 2, process: process)
        try process.appendFantasy(at: fantasy)
        pool.conditionOnLastFantasy(of: process)
        let reference = try GaussianProcess(inputs: inputs + [fantasy], outputs: outputs + [fantasyMean],
                                            hyperparameters: hyper, standardizingOutputs: false)
        let after = process.posterior(at: queries)
        for (index, expected) in reference.posterior(at: queries).enumerated() {
            #expect(abs(after[index].mean - expected.mean) < 1e-9)
            #expect(abs(after[index].mean - before[index].mean) < 1e-9)
            #expect(abs(after[index].variance - expected.variance) < 1e-9)
            #expect(abs(pool.variance[index] - expected.variance) < 1e-9)
            #expect(after[index].variance <= before[index].variance + 1e-12)
        }
        // Right next to the fantasy the variance all but vanishes.
        #expect(after[0].variance < 0.05 * before[0].variance)
    }

    /// The point posterior's gradients agree with central differences.
    @Test func pointPosteriorGradientsMatchFiniteDifferences() throws {
        let process = try GaussianProcess(inputs: inputs, outputs: outputs, hyperparameters: hyper)
        let x = [0.33, 0.71]
        let posterior = process.pointPosterior(at: x, withGradient: true)
        let h = 1e-6
        for d in 0..<2 {
            var plus = x, minus = x
            plus[d] += h
            minus[d] -= h
            let up = process.pointPosterior(at: plus, withGradient: false)
            let down = process.pointPosterior(at: minus, withGradient: false)
            #expect(abs((up.mean - down.mean) / (2 * h) - posterior.meanGradient[d]) < 1e-5)
            #expect(abs((up.variance - down.variance) / (2 * h) - posterior.varianceGradient[d]) < 1e-5)
        }
    }

    /// The search score's derivatives (log EI and UCB) agree with central differences.
    @Test(arguments: [GPStrategy.Acquisition.expectedImprovement, .upperConfidenceBound(beta: 3)])
    func scoreDerivativesMatchFiniteDifferences(acquisition: GPStrategy.Acquisition) {
        for (mean, variance) in [(0.2, 0.5), (-3.0, 0.04), (1.5, 2.0), (-12.0, 0.3)] {
            let score = acquisition.score(mean: mean, variance: variance, incumbent: 0.4)
            let h = 1e-6
            let dMean = (acquisition.score(mean: mean + h, variance: variance, incumbent: 0.4).value
                - acquisition.score(mean: mean - h, variance: variance, incumbent: 0.4).value) / (2 * h)
            let dVariance = (acquisition.score(mean: mean, variance: variance + h, incumbent: 0.4).value
                - acquisition.score(mean: mean, variance: variance - h, incumbent: 0.4).value) / (2 * h)
            #expect(abs(dMean - score.dMean) < 1e-5 * max(1, abs(dMean)), "μ=\(mean)")
            #expect(abs(dVariance - score.dVariance) < 1e-5 * max(1, abs(dVariance)), "var=\(variance)")
        }
    }

    /// The box-constrained minimiser stops on the bound when the unconstrained minimum is outside.
    @Test func boxLBFGSFindsTheConstrainedMinimum() throws {
        let optimizer = BoxLBFGS(lower: [0, 0], upper: [1, 0.5])
        // Rosenbrock's minimum (1, 1) is outside the box; on x₂ = 0.5 the best x₁ is about 0.70856.
        let result = try #require(optimizer.minimize(from: [0.1, 0.1]) { x in
            let a = 1 - x[0], b = x[1] - x[0] * x[0]
            return (a * a + 100 * b * b, [-2 * a - 400 * x[0] * b, 200 * b])
        })
        #expect(abs(result.x[1] - 0.5) < 1e-9)
        #expect(abs(result.x[0] - 0.70856) < 1e-4)
    }
}
