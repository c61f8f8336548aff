import LabLoopCore

/// Uniformly random feasible points; reproducible from the campaign seed and request position.
public struct RandomStrategy: ProposalStrategy {
    public let name = "random"

    public init() {}

    public func propose(_ context: ProposalContext) async throws -> [ProposedCandidate] {
        let position = UInt64(context.proposedSoFar + context.rejectedSoFar)
        var rng = SplitMix64(seed: context.spec.seed &+ position &* 0x9E37_79B9_7F4A_7C15)
        let avoid = Set(context.pending + context.observations.map(\.point))
        return RandomDesign.points(in: context.spec.space, count: context.count, avoiding: avoid, rng: &rng)
            .map { ProposedCandidate(point: $0) }
    }
}
