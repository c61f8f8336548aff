import LabLoopCore
import Logging

extension GPStrategy {
    /// Space-filling proposals after a model failure, with one warning that says why.
    func fallback(_ context: ProposalContext, reason: String) -> [ProposedCandidate] {
        logger?.warning("Gaussian process unavailable, proposing space-filling points instead", metadata: [
            "campaign": "\(context.campaignID)", "strategy": "\(name)", "reason": "\(reason)",
        ])
        return spaceFillingCandidates(context)
    }

    /// The campaign's space-filling design from `proposedSoFar` on, without predictions.
    func spaceFillingCandidates(_ context: ProposalContext) -> [ProposedCandidate] {
        let space = context.spec.space
        let taken = Set((context.pending + context.observations.map(\.point)).map(space.canonical))
        return spaceFillingPoints(context, count: context.count, avoiding: taken).map { ProposedCandidate(point: $0) }
    }

    /// Up to `count` feasible points of the design continuing from `proposedSoFar`, none in
    /// `taken` (canonical points); topped up with random points when the design has too few
    /// left, as happens in small discrete spaces.
    func spaceFillingPoints(_ context: ProposalContext, count: Int, avoiding taken: Set<Point>) -> [Point] {
        guard count > 0 else { return [] }
        let space = context.spec.space
        // Ask for enough extra that skipping taken points still leaves `count`.
        let design = SpaceFillingDesign.points(in: space, count: count + taken.count, skip: context.proposedSoFar,
                                               seed: context.spec.seed)
        var chosen: [Point] = []
        var seen = taken
        for point in design where chosen.count < count && seen.insert(point).inserted {
            chosen.append(point)
        }
        if chosen.count < count {
            var rng = SplitMix64(seed: seed(context) ^ 0xD1B5_4A32_D192_ED03)
            chosen += RandomDesign.points(in: space, count: count - chosen.count, avoiding: seen, rng: &rng)
        }
        return chosen
    }
}
