public import LabLoopCore
import Foundation

/// Runs a proposal strategy against an objective in process: propose a batch, evaluate it,
/// add the observations, repeat until the budget is spent. For comparing strategies on
/// benchmark functions without a coordinator, instruments or a network.
public enum OptimizationBenchmark {
    /// One evaluation of the objective.
    public struct Evaluation: Sendable, Hashable {
        /// The point evaluated.
        public var point: Point
        /// The objective's value; not finite when the evaluation failed.
        public var value: Double
        /// The batch the point was proposed in, from 0.
        public var batch: Int
    }

    /// What a run did and found.
    public struct Result: Sendable {
        /// Every evaluation, in proposal order.
        public var evaluations: [Evaluation]
        /// The lowest finite value after each evaluation (+∞ until there is one).
        public var bestSoFar: [Double]
        /// Time spent in the strategy's `propose`, summed over the batches.
        public var proposalTime: Duration

        /// The evaluation with the lowest finite value.
        public var best: Evaluation? {
            evaluations.filter(\.value.isFinite).min { $0.value < $1.value }
        }

        /// The final best value minus `minimum`, the simple regret.
        public func regret(knownMinimum minimum: Double) -> Double {
            (bestSoFar.last ?? .infinity) - minimum
        }
    }

    /// Minimises `objective` over `space` with `strategy`, `budget` evaluations in batches of
    /// `batchSize`, the campaign seeded with `seed`. Stops early if the strategy proposes nothing.
    ///
    /// Each run is its own campaign (a fresh identifier), so a strategy that remembers fits per
    /// campaign starts cold and a run depends only on its arguments.
    public static func run(space: ParameterSpace, budget: Int, batchSize: Int, seed: UInt64,
                           strategy: some ProposalStrategy,
                           objective: (Point) throws -> Double) async throws -> Result {
        precondition(batchSize > 0, "a batch holds at least one point")
        var spec = CampaignSpec(name: "benchmark", space: space,
                                objective: Objective(measurement: "value", direction: .minimize),
                                operation: "evaluate", maxExperiments: budget, maxParallel: batchSize,
                                strategy: strategy.name)
        spec.seed = seed
        let campaignID = "benchmark-\(UUID().uuidString)"
        var observations: [Observation] = []
        var evaluations: [Evaluation] = []
        var bestSoFar: [Double] = []
        var proposalTime = Duration.zero
        let clock = ContinuousClock()
        var batch = 0
        while evaluations.count < budget {
            let context = ProposalContext(campaignID: campaignID, spec: spec,
                                          count: min(batchSize, budget - evaluations.count), pending: [],
                                          proposedSoFar: evaluations.count, observations: observations)
            var candidates: [ProposedCandidate] = []
            proposalTime += try await clock.measure { candidates = try await strategy.propose(context) }
            guard !candidates.isEmpty else { break }
            for candidate in candidates.prefix(context.count) {
                let value = try objective(candidate.point)
                evaluations.append(Evaluation(point: candidate.point, value: value, batch: batch))
                bestSoFar.append(value.isFinite ? min(value, bestSoFar.last ?? .infinity) : bestSoFar.last ?? .infinity)
                observations.append(Observation(experimentID: "\(evaluations.count)", point: candidate.point,
                                                objective: value.isFinite ? value : nil,
                                                measurements: value.isFinite ? ["value": value] : [:]))
            }
            batch += 1
        }
        return Result(evaluations: evaluations, bestSoFar: bestSoFar, proposalTime: proposalTime)
    }
}
