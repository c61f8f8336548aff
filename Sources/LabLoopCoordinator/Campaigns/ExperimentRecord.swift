import LabLoopCore
import LabLoopProtocol

/// What a campaign actor keeps in memory about one experiment attempt.
struct ExperimentRecord: Sendable {
    var id: String
    var candidateID: String
    var proposalID: String
    var attempt: Int
    var parameters: [Labloop_V1_NamedValue]
    var point: Point
    var state: ExperimentState
    var instrumentID: String?
    var modelID: String
    var modelVersion: String
    var objective: Double?
    /// A state change for this experiment is being committed; others must wait for it.
    var busy = false
    /// After a restart: on an instrument that has not yet reported it in flight.
    var unconfirmedSince: ContinuousClock.Instant?
    /// While `dispatched`: the assignment's message id (kept for every retransmission) and when it was last sent.
    var assignmentMessageID: String?
    var assignmentSentAt: ContinuousClock.Instant?
    /// `dispatched` ahead: committed to its instrument but held by the registry until a slot frees
    /// (`HeldAssignment`); not sent yet, so never resent.
    var heldAhead = false
    /// Sent again because its agent's hello did not list it (`reconcile`). After a restart the agent may
    /// already be full with what it listed, so its first decline may mean "no room", not "cannot run
    /// it": that decline does not keep the experiment off the instrument (a second one does).
    var resentAfterHello = false
    /// A withdrawal of a held assignment whose commit failed: retried on each tick.
    var pendingWithdrawal: (entry: QueuedExperiment, to: ExperimentState, reason: String)?
}
