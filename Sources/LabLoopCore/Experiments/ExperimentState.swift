/// Where one experiment attempt is in its life. See `Docs/architecture.md` for the diagram.
public enum ExperimentState: String, Sendable, Hashable, CaseIterable {
    case awaitingApproval = "awaiting_approval"
    case queued
    case dispatched
    case running
    case completed
    case failed
    case cancelled
    case rejected
    case needsReview = "needs_review"

    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled, .rejected, .needsReview: true
        case .awaitingApproval, .queued, .dispatched, .running: false
        }
    }

    /// Whether an instrument holds (or may hold) this attempt.
    public var isAtInstrument: Bool { self == .dispatched || self == .running }

    /// The legal moves of the experiment state machine.
    public func canMove(to next: ExperimentState) -> Bool {
        switch (self, next) {
        case (.awaitingApproval, .queued), (.awaitingApproval, .rejected), (.awaitingApproval, .cancelled):
            true
        case (.queued, .dispatched), (.queued, .cancelled):
            true
        case (.dispatched, .running), (.dispatched, .queued), (.dispatched, .completed), (.dispatched, .failed),
             (.dispatched, .cancelled), (.dispatched, .needsReview):
            true
        case (.running, .completed), (.running, .failed), (.running, .cancelled), (.running, .needsReview):
            true
        default:
            false
        }
    }

    /// Whether `path` (the states an experiment went through, in order) is a legal history.
    public static func isLegalHistory(_ path: [ExperimentState]) -> Bool {
        guard let first = path.first, first == .awaitingApproval || first == .queued else { return false }
        return zip(path, path.dropFirst()).allSatisfy { $0.canMove(to: $1) }
    }
}

/// Where a campaign is in its life.
public enum CampaignState: String, Sendable, Hashable, CaseIterable {
    case running
    case paused
    case completed
    case cancelled

    public var isTerminal: Bool { self == .completed || self == .cancelled }

    public func canMove(to next: CampaignState) -> Bool {
        switch (self, next) {
        case (.running, .paused), (.running, .completed), (.running, .cancelled),
             (.paused, .running), (.paused, .cancelled), (.paused, .completed):
            true
        default:
            false
        }
    }
}
