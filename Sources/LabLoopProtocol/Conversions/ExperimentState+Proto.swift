public import LabLoopCore

extension ExperimentState {
    public init?(_ wire: Labloop_V1_ExperimentState) {
        switch wire {
        case .awaitingApproval: self = .awaitingApproval
        case .queued: self = .queued
        case .dispatched: self = .dispatched
        case .running: self = .running
        case .completed: self = .completed
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        case .rejected: self = .rejected
        case .needsReview: self = .needsReview
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    public var wire: Labloop_V1_ExperimentState {
        switch self {
        case .awaitingApproval: .awaitingApproval
        case .queued: .queued
        case .dispatched: .dispatched
        case .running: .running
        case .completed: .completed
        case .failed: .failed
        case .cancelled: .cancelled
        case .rejected: .rejected
        case .needsReview: .needsReview
        }
    }
}

extension CampaignState {
    public init?(_ wire: Labloop_V1_CampaignState) {
        switch wire {
        case .running: self = .running
        case .paused: self = .paused
        case .completed: self = .completed
        case .cancelled: self = .cancelled
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    public var wire: Labloop_V1_CampaignState {
        switch self {
        case .running: .running
        case .paused: .paused
        case .completed: .completed
        case .cancelled: .cancelled
        }
    }
}
