import LabLoopCore

/// A scrambled Sobol design that continues where the campaign's accepted candidates left off.
public struct SpaceFillingStrategy: ProposalStrategy {
    public let name = "space-filling"

    public init() {}

    public func propose(_ context: ProposalContext) async throws -> [ProposedCandidate] {
        let pending = Set(context.pending)
        // Ask for a few extra in case some coincide with pending points (integer/categorical spaces).
        let points = SpaceFillingDesign.points(in: context.spec.space, count: context.count + pending.count,
                                               skip: context.proposedSoFar + context.rejectedSoFar, seed: context.spec.seed)
        return points.filter { !pending.contains($0) }.prefix(context.count).map { ProposedCandidate(point: $0) }
    }
}
