import LabLoopCore
public import Logging

/// Bayesian optimisation: a Gaussian-process model of the objective and an acquisition function.
///
/// Until the campaign has its initial design (`spec.initialDesign` distinct successful points,
/// or max(5, 2 × varying parameters) when that is 0), proposes the space-filling design,
/// continuing from `proposedSoFar`. Then fits a Matérn-5/2 process to the successful
/// observations (warm-started from the campaign's previous fit) and proposes the points that
/// maximise the acquisition, treating pending points and earlier batch members as fantasies.
/// Candidates carry the model's mean and standard deviation in the objective's units and
/// direction and the acquisition value (EI in objective units; for UCB the optimistic bound,
/// a lower bound when minimising). When the model cannot be built, it logs one warning and
/// falls back to the space-filling design.
public struct GPStrategy: ProposalStrategy {
    /// How candidates are scored.
    public let acquisition: Acquisition
    let logger: Logger?
    /// Shared by copies of the strategy: the warm starts are per campaign, not per copy.
    let cache = GPFitCache()

    /// At most this many observations are conditioned on (the best tenth and the most recent).
    static let maximumConditioningPoints = 2000
    /// At most this many observations go into the hyperparameter fit.
    static let maximumFitPoints = 200

    /// A strategy named "gp-ei" or "gp-ucb" after `acquisition`, logging fallbacks to `logger`.
    public init(acquisition: Acquisition, logger: Logger? = nil) {
        self.acquisition = acquisition
        self.logger = logger
    }

    /// "gp-ei" or "gp-ucb".
    public var name: String { acquisition.strategyName }

    /// The model behind the campaign's last model-based proposals, or nil if there were none.
    public func modelVersion(campaignID: String) -> String? { lastFit(campaignID: campaignID)?.modelVersion }

    public func lastFit(campaignID: String) -> GPFitSummary? {
        cache.summary(for: campaignID)
    }

    /// Up to `context.count` candidates; throws only `CancellationError`. Model failures fall
    /// back to the space-filling design rather than failing the request.
    public func propose(_ context: ProposalContext) async throws -> [ProposedCandidate] {
        guard context.count > 0 else { return [] }
        try Task.checkCancellation()
        let space = context.spec.space
        let encoding = FeatureEncoding(space: space)
        let data = TrainingData(observations: context.observations, encoding: encoding,
                                direction: context.spec.objective.direction)
        let designSize = context.spec.initialDesign > 0 ? context.spec.initialDesign : max(5, 2 * space.designDimension)
        guard encoding.featureCount > 0, data.distinctCount >= designSize else {
            return spaceFillingCandidates(context)
        }
        guard !data.isConstant else {
            return fallback(context, reason: "all \(data.count) observed objective values are equal, so there is nothing to model")
        }
        let model: FittedModel
        do {
            model = try await fit(data.limited(to: Self.maximumConditioningPoints), context: context)
        } catch {
            return fallback(context, reason: error.description)
        }
        try Task.checkCancellation()
        let candidates = await propose(with: model, encoding: encoding, context: context)
        cache.store(GPFitSummary(observationCount: model.data.count,
                                 fitPointCount: min(model.data.count, Self.maximumFitPoints),
                                 hyperparameters: model.process.hyperparameters,
                                 modelVersion: "\(name)/n\(model.data.count)"),
                    for: context.campaignID)
        return candidates
    }

    /// A process fitted to a campaign's data, with what the acquisition needs from it.
    struct FittedModel {
        var data: TrainingData
        var process: GaussianProcess
        /// The best standardised posterior mean at an observed point.
        var incumbent: Double
        /// Features of the observed points with the best posterior means.
        var anchors: [[Double]]
    }

    private func fit(_ data: TrainingData, context: ProposalContext) async throws(GaussianProcessError) -> FittedModel {
        let warmStart = cache.summary(for: context.campaignID)?.hyperparameters
        let options = GPFitOptions(maximumFitPoints: Self.maximumFitPoints, seed: seed(context))
        let process = try await GaussianProcess.fit(
            flatInputs: data.features, outputs: data.outputs, dimension: data.featureCount, warmStart: warmStart,
            options: options, reserving: context.pending.count + context.count)
        let means = process.standardizedTrainingMeans()
        guard let incumbent = means.max(), incumbent.isFinite else {
            throw GaussianProcessError(code: .notFinite, operation: "fit")
        }
        let anchors = TrainingData.top(5, of: means).map { data.features(at: $0) }
        return FittedModel(data: data, process: process, incumbent: incumbent, anchors: anchors)
    }

    /// A per-request seed: the same campaign state always gives the same proposals.
    func seed(_ context: ProposalContext) -> UInt64 {
        context.spec.seed &+ UInt64(truncatingIfNeeded: context.proposedSoFar) &* 0x9E37_79B9_7F4A_7C15
    }
}
