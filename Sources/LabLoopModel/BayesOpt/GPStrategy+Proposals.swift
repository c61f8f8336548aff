import LabLoopCore
import Logging

extension GPStrategy {
    /// The batch for `context` from a fitted model: pending points become fantasies first, so
    /// the batch avoids them as it avoids its own earlier members.
    func propose(with model: FittedModel, encoding: FeatureEncoding, context: ProposalContext) async -> [ProposedCandidate] {
        let space = encoding.space
        let pending = context.pending.map(space.canonical)
        var process = model.process
        for point in pending {
            guard let features = encoding.encode(point) else { continue }
            // A pending point that will not factorise in is still excluded below.
            try? process.appendFantasy(at: features)
        }
        let observed = context.observations.map { space.canonical($0.point) }
        // Pending fantasies count as observed, so the incumbent is the best mean over both.
        let incumbent = process.standardizedTrainingMeans().max() ?? model.incumbent
        var optimizer = AcquisitionOptimizer(encoding: encoding, acquisition: acquisition, incumbent: incumbent,
                                             seed: seed(context), excluding: observed + pending)
        Self.tune(&optimizer, conditioningPoints: process.count)
        var choices = await optimizer.chooseBatch(count: context.count, process: &process, anchors: model.anchors)
        if choices.count < context.count {
            // The search ran out of admissible candidates (a small discrete space, a tight
            // constraint): top up from the design, still scored by the model.
            let taken = optimizer.excluded
            for point in spaceFillingPoints(context, count: context.count - choices.count, avoiding: taken) {
                guard let features = encoding.encode(point) else { continue }
                let posterior = model.process.pointPosterior(at: features, withGradient: false)
                let value = acquisition.value(mean: posterior.mean, standardDeviation: posterior.variance.squareRoot(),
                                              incumbent: optimizer.incumbent)
                choices.append(.init(point: point, features: features, acquisitionValue: value))
            }
        }
        logger?.debug("proposed from the Gaussian process", metadata: [
            "campaign": "\(context.campaignID)", "observations": "\(model.data.count)",
            "lengthScales": "\(model.process.hyperparameters.lengthScales.map { formatReal($0) })",
            "noise": "\(formatReal(model.process.hyperparameters.noiseVariance))",
        ])
        return choices.map { candidate(for: $0, model: model, direction: context.spec.objective.direction) }
    }

    /// Search effort for a model conditioned on n points. Scoring a candidate costs about n²
    /// and a refinement step about 2n², so the counts shrink as n grows to keep a request
    /// within about a second at a thousand observations.
    static func tune(_ optimizer: inout AcquisitionOptimizer, conditioningPoints n: Int) {
        let squared = Double(max(n, 1) * max(n, 1))
        optimizer.candidateCount = min(2000, max(1000, Int(1e9 / squared)))
        optimizer.refinementStarts = n > 600 ? 2 : n > 300 ? 3 : 4
        optimizer.refinementIterations = n > 600 ? 20 : 30
    }

    /// The proposal for `choice`, with the model's prediction in the objective's units and
    /// direction (the model itself maximises). Values that are not finite are left out.
    func candidate(for choice: AcquisitionOptimizer.Choice, model: FittedModel, direction: Direction) -> ProposedCandidate {
        let sign = direction == .maximize ? 1.0 : -1.0
        let process = model.process
        let posterior = process.pointPosterior(at: choice.features, withGradient: false)
        let mean = sign * (process.outputOffset + process.outputScale * posterior.mean)
        let deviation = process.outputScale * posterior.variance.squareRoot()
        let value = switch acquisition {
        case .expectedImprovement: process.outputScale * choice.acquisitionValue
        case .upperConfidenceBound: sign * (process.outputOffset + process.outputScale * choice.acquisitionValue)
        }
        return ProposedCandidate(point: choice.point,
                                 predictedMean: mean.isFinite ? mean : nil,
                                 predictedStd: deviation.isFinite ? deviation : nil,
                                 acquisition: value.isFinite ? value : nil)
    }
}
