/// Why a queued experiment has not started, as `FairShareScheduler.waitingReasons` explains it.
public enum WaitingReason: Sendable, Hashable {
    /// No registered instrument can run it (kind and operation), or every one that can has declined it.
    case noCapableInstrument
    /// It is next in line, but every instrument that can run it is busy.
    case noCapableInstrumentFree
    /// Every instrument that can run it is reserved for other projects now.
    case reserved(forProjects: [String])
    /// Its project has had more than its share compared with `behindProject`, which gets (or got)
    /// the instruments it could use first.
    case overShare(behindProject: String)
    /// Another campaign of the same project goes first: it has a higher priority, or it has had
    /// less than its share within the project.
    case behindCampaign(String)
    /// An earlier (or higher-priority) experiment of its own campaign goes first.
    case behindExperiment(String)
    /// The campaign is paused. Decided by the caller; the scheduler never reports it.
    case paused
    /// The experiment awaits a person's approval. Decided by the caller; the scheduler never reports it.
    case awaitingApproval
}
