public import LabLoopCore

/// A completed (or failed) experiment the model has seen on the result stream.
public struct Observation: Sendable, Hashable {
    public var experimentID: String
    public var point: Point
    /// The campaign's objective, when the experiment succeeded and reported it.
    public var objective: Double?
    public var measurements: [String: Double]

    public init(experimentID: String, point: Point, objective: Double?, measurements: [String: Double] = [:]) {
        self.experimentID = experimentID
        self.point = point
        self.objective = objective
        self.measurements = measurements
    }
}

/// What a strategy is asked for.
public struct ProposalContext: Sendable {
    public var campaignID: String
    public var spec: CampaignSpec
    public var count: Int
    /// Points queued or running: a batch should not repeat them.
    public var pending: [Point]
    /// Candidates accepted for this campaign so far (a design can continue its sequence from here).
    public var proposedSoFar: Int
    public var observations: [Observation]
    /// Candidates of this campaign the coordinator rejected so far: a sequence design skips past them.
    public var rejectedSoFar: Int = 0

    public init(campaignID: String, spec: CampaignSpec, count: Int, pending: [Point] = [], proposedSoFar: Int,
                observations: [Observation]) {
        self.campaignID = campaignID
        self.spec = spec
        self.count = count
        self.pending = pending
        self.proposedSoFar = proposedSoFar
        self.observations = observations
    }
}

/// One proposed experiment, with the model's prediction when it has one.
public struct ProposedCandidate: Sendable {
    public var point: Point
    public var predictedMean: Double?
    public var predictedStd: Double?
    public var acquisition: Double?

    public init(point: Point, predictedMean: Double? = nil, predictedStd: Double? = nil, acquisition: Double? = nil) {
        self.point = point
        self.predictedMean = predictedMean
        self.predictedStd = predictedStd
        self.acquisition = acquisition
    }
}

/// Proposes experiments for a campaign. Implement this to plug in your own model.
public protocol ProposalStrategy: Sendable {
    /// The strategy name campaigns ask for (e.g. "random").
    var name: String { get }
    func propose(_ context: ProposalContext) async throws -> [ProposedCandidate]
    /// The version of the model behind the latest proposal for `campaignID` (e.g. "gp-ei/n37"),
    /// recorded with each proposal; nil when the strategy has no fitted model.
    func modelVersion(campaignID: String) -> String?
}

extension ProposalStrategy {
    public func modelVersion(campaignID: String) -> String? { nil }
}
