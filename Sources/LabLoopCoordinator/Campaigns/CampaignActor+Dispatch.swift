import Foundation
import Logging
import LabLoopCore
import LabLoopFailpoints
import LabLoopProtocol
import LabLoopStore

extension CampaignActor {
    /// Moves a queued experiment to `instrumentID` and sends the assignment. False if it is no
    /// longer queued (cancelled, paused campaign) — the caller releases the slot.
    func dispatch(experimentID: String, instrumentID: String, routingID: Data) async -> Bool {
        guard state == .running, let record = experiments[experimentID], record.state == .queued, !record.busy else {
            return false
        }
        experiments[experimentID]?.busy = true
        defer { experiments[experimentID]?.busy = false }
        let campaignID = id
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .queued, to: .dispatched,
                                      instrumentID: instrumentID, reason: "")
            }
        } catch {
            logger.error("could not record dispatch", metadata: ["experiment": "\(experimentID)", "error": "\(error)"])
            await deps.dispatcher.enqueue([queueEntry(experimentID)])
            return false
        }
        setState(experimentID, from: .queued, to: .dispatched)
        experiments[experimentID]?.instrumentID = instrumentID
        let messageID = UUID().uuidString
        experiments[experimentID]?.assignmentMessageID = messageID
        experiments[experimentID]?.assignmentSentAt = clock.now
        Failpoint.assignmentSending.hit()
        deps.gateway.send(.assignment(assignment(for: record)), to: routingID, on: .agent, messageID: messageID)
        return true
    }

    private func assignment(for record: ExperimentRecord) -> Labloop_V1_Assignment {
        var assignment = Labloop_V1_Assignment()
        assignment.experimentID = record.id
        assignment.attempt = UInt32(record.attempt)
        assignment.campaignID = id
        assignment.operation = spec.operation
        assignment.parameters = record.parameters
        assignment.measurements = spec.measurements
        return assignment
    }

    /// Sends again, with the same message id, every assignment neither accepted nor declined within
    /// `assignmentResendMs` (the send or the answer may have been lost). After a restart, a dispatched
    /// experiment its agent confirmed gets a new id once; unconfirmed ones wait for reconciliation.
    func resendAssignments() async {
        let interval = Duration.milliseconds(Int(deps.config.assignmentResendMs))
        let now = clock.now
        for record in activeRecords where record.state == .dispatched && !record.busy && record.unconfirmedSince == nil {
            guard let instrumentID = record.instrumentID else { continue }
            if let sent = record.assignmentSentAt, now - sent < interval { continue }
            guard let routingID = await deps.registry.routingID(of: instrumentID) else { continue }
            // Re-check after the await: it may have been accepted, declined or finished meanwhile.
            guard let current = experiments[record.id], current.state == .dispatched, !current.busy,
                  current.instrumentID == instrumentID else { continue }
            let messageID = current.assignmentMessageID ?? UUID().uuidString
            experiments[record.id]?.assignmentMessageID = messageID
            experiments[record.id]?.assignmentSentAt = clock.now
            resentAssignments += 1
            logger.notice("assignment resent", metadata: ["experiment": "\(record.id)", "instrument": "\(instrumentID)",
                                                          "message": "\(messageID)"])
            deps.gateway.send(.assignment(assignment(for: current)), to: routingID, on: .agent, messageID: messageID)
        }
    }

    func isQueued(_ experimentID: String) -> Bool { experiments[experimentID]?.state == .queued }

    /// The agent took the experiment and is running it.
    func accepted(experimentID: String, instrumentID: String) async throws(WireError) {
        let record = try await owned(experimentID, by: instrumentID)
        guard record.state == .dispatched, !record.busy else { return }  // already running, or finished
        experiments[experimentID]?.busy = true
        defer { settle(experimentID) }
        let campaignID = id
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .dispatched, to: .running,
                                      instrumentID: instrumentID, reason: "")
            }
            setState(experimentID, from: .dispatched, to: .running)
        } catch {
            throw WireError(.unavailable, "could not record acceptance: \(error)")
        }
    }

    /// The agent will not run it: back to the queue, for another instrument.
    func declined(experimentID: String, instrumentID: String, reason: String) async throws(WireError) {
        let record = try await owned(experimentID, by: instrumentID)
        guard record.state == .dispatched, !record.busy else {
            throw WireError(.invalidState, "experiment \(experimentID) is \(record.state.rawValue); only a dispatched experiment can be declined")
        }
        experiments[experimentID]?.busy = true
        defer { experiments[experimentID]?.busy = false }
        let campaignID = id
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .dispatched, to: .queued,
                                      instrumentID: nil, reason: "declined by \(instrumentID): \(reason)")
            }
        } catch {
            throw WireError(.unavailable, "could not record the decline: \(error)")
        }
        setState(experimentID, from: .dispatched, to: .queued)
        experiments[experimentID]?.instrumentID = nil
        await releaseSlot(instrumentID, experimentID)
        await deps.dispatcher.enqueue([queueEntry(experimentID)], declinedBy: instrumentID)
        await deps.dispatcher.kick()
    }

    /// The experiment, if it exists in this campaign and is on `instrumentID`.
    func owned(_ experimentID: String, by instrumentID: String) async throws(WireError) -> ExperimentRecord {
        if shelved { try await unshelve() }
        guard let record = experiments[experimentID] else {
            throw WireError(.unknownID, "unknown experiment \(experimentID)")
        }
        guard record.instrumentID == instrumentID else {
            throw WireError(.conflict, "experiment \(experimentID) is not assigned to \(instrumentID)")
        }
        return record
    }
}
