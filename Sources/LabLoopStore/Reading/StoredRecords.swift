public import LabLoopCore
public import LabLoopProtocol

/// A campaign as stored.
public struct StoredCampaign: Sendable {
    public var id: String
    public var spec: Labloop_V1_CampaignSpec
    public var state: CampaignState
    public var stateReason: String
    public var submittedAt: Int64
    public var updatedAt: Int64
}

/// One experiment attempt as stored, with the proposal that produced it.
public struct StoredExperiment: Sendable {
    public var id: String
    public var campaignID: String
    public var proposalID: String
    public var candidateID: String
    public var attempt: Int
    public var retryOf: String?
    public var parameters: [Labloop_V1_NamedValue]
    public var predictedMean: Double?
    public var predictedStd: Double?
    public var state: ExperimentState
    public var instrumentID: String?
    public var modelID: String
    public var modelVersion: String
    /// The objective measured, for completed experiments that reported it.
    public var objective: Double?
    public var createdAt: Int64
}
