import Foundation
import Logging
import LabLoopCore
import LabLoopFailpoints
import LabLoopProtocol
import LabLoopStore

extension CampaignActor {
    /// Moves a queued experiment to `instrumentID` and sends the assignment. False if it is no
    /// longer queued (cancelled, paused campaign) — the caller releases the slot. With `ahead` the
    /// instrument is full: the committed assignment is held by the registry until a slot frees.
    func dispatch(experimentID: String, instrumentID: String, routingID: Data, ahead: Bool = false) async -> Bool {
        guard state == .running, let record = experiments[experimentID], record.state == .queued, !record.busy else {
            return false
        }
        experiments[experimentID]?.busy = true
        defer { settle(experimentID) }
        let campaignID = id
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .queued, to: .dispatched,
                                      instrumentID: instrumentID, reason: ahead ? "ahead" : "")
            }
        } catch {
            logger.error("could not record dispatch", metadata: ["experiment": "\(experimentID)", "error": "\(error)"])
            await deps.dispatcher.enqueue([queueEntry(experimentID)])
            return false
        }
        setState(experimentID, from: .queued, to: .dispatched)
        experiments[experimentID]?.instrumentID = instrumentID
        let ready = ReadyAssignment(assignment: assignment(for: record), messageID: MessageID.next())
        experiments[experimentID]?.assignmentMessageID = ready.messageID
        var destination = routingID
        if ahead {
            experiments[experimentID]?.heldAhead = true
            // Paused, cancelled or stopped while this was committed: it must not wait to be sent.
            if state != .running {
                _ = await deps.registry.unhold(instrumentID: instrumentID, experimentID: experimentID)
                withdrawLater(experimentID, from: instrumentID, reason: "campaign \(state.rawValue)")
                return true
            }
            switch await deps.registry.hold(instrumentID: instrumentID, experimentID: experimentID, ready: ready) {
            case .held:
                return true
            case .gone:
                // Its place was taken back (instrument lost, drained) perhaps before this commit began,
                // when there was nothing yet to withdraw: withdraw it now.
                withdrawLater(experimentID, from: instrumentID, reason: "its place ahead was taken back")
                return true
            case .send(let current):
                experiments[experimentID]?.heldAhead = false
                destination = current
            }
        }
        experiments[experimentID]?.assignmentSentAt = clock.now
        Failpoint.assignmentSending.hit()
        deps.gateway.send(.assignment(ready.assignment), to: destination, on: .agent, messageID: ready.messageID)
        return true
    }

    /// A held assignment left for its instrument (`Promotion.deliver`): from now on it is resent like any other.
    func heldSent(_ experimentID: String) {
        guard experiments[experimentID]?.heldAhead == true else { return }
        experiments[experimentID]?.heldAhead = false
        experiments[experimentID]?.assignmentSentAt = clock.now
    }

    /// Withdraws a held experiment once the change under way settles (retried on each tick if that fails).
    private func withdrawLater(_ experimentID: String, from instrumentID: String, reason: String) {
        let entry = queueEntry(experimentID)
        experiments[experimentID]?.pendingWithdrawal = (entry, .queued, reason)
        Task { await self.withdraw(entry, from: instrumentID, to: .queued, reason: reason) }
    }

    /// Takes back an assignment held ahead, never sent, that the registry gave up (`entry` is its place in
    /// the queue): `dispatched` → `to` (queued again, or cancelled). Waits for its dispatch to settle; does
    /// nothing if it is not held on `instrumentID` any more. A failed commit is retried on each tick.
    func withdraw(_ entry: QueuedExperiment, from instrumentID: String, to target: ExperimentState, reason: String) async {
        let experimentID = entry.experimentID
        while experiments[experimentID]?.busy == true { await untilSettled(experimentID) }  // a tick wakes waiters early
        guard let record = experiments[experimentID], record.state == .dispatched, record.heldAhead, !record.busy,
              record.instrumentID == instrumentID else {
            experiments[experimentID]?.pendingWithdrawal = nil  // nothing held to withdraw any more
            return
        }
        experiments[experimentID]?.busy = true
        // A finished campaign queues nothing more.
        let final = target == .queued && state.isTerminal ? .cancelled : target
        let campaignID = id
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .dispatched, to: final,
                                      instrumentID: nil, reason: "withdrawn from \(instrumentID) before it was sent: \(reason)")
            }
        } catch {
            logger.error("could not withdraw a held assignment; will retry", metadata: ["experiment": "\(experimentID)", "error": "\(error)"])
            experiments[experimentID]?.pendingWithdrawal = (entry, target, reason)
            settle(experimentID)
            return
        }
        setState(experimentID, from: .dispatched, to: final)
        experiments[experimentID]?.instrumentID = nil
        experiments[experimentID]?.heldAhead = false
        experiments[experimentID]?.pendingWithdrawal = nil
        experiments[experimentID]?.assignmentMessageID = nil
        settle(experimentID)
        await deps.dispatcher.finished(experimentID: experimentID)
        guard final == .queued else { return }
        if state.isTerminal {  // the campaign ended while this was committed
            await cancelWaiting(reason: "campaign \(state.rawValue)")
        } else {
            await deps.dispatcher.requeue(entry)
            if state == .running { Task { [deps] in await deps.dispatcher.kick() } }
        }
    }

    /// Withdraws every assignment this campaign has held ahead (pause, cancel, stop).
    func withdrawHeld(to target: ExperimentState, reason: String) async {
        for record in activeRecords where record.heldAhead {
            guard let instrumentID = record.instrumentID,
                  let held = await deps.registry.unhold(instrumentID: instrumentID, experimentID: record.id) else { continue }
            await withdraw(held.entry, from: instrumentID, to: target, reason: reason)
        }
    }

    /// Retries withdrawals whose commit failed.
    func retryWithdrawals() async {
        for record in activeRecords {
            guard let pending = record.pendingWithdrawal, let instrumentID = record.instrumentID else { continue }
            await withdraw(pending.entry, from: instrumentID, to: pending.to, reason: pending.reason)
        }
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
        for record in activeRecords where record.state == .dispatched && !record.busy && !record.heldAhead
            && record.unconfirmedSince == nil {
            guard let instrumentID = record.instrumentID else { continue }
            if let sent = record.assignmentSentAt, now - sent < interval { continue }
            guard let routingID = await deps.registry.routingID(of: instrumentID) else { continue }
            // Re-check after the await: it may have been accepted, declined or finished meanwhile.
            guard let current = experiments[record.id], current.state == .dispatched, !current.busy, !current.heldAhead,
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
        experiments[experimentID]?.resentAfterHello = false
        experiments[experimentID]?.busy = false
        await releaseSlot(instrumentID, experimentID)
        if state.isTerminal {  // the campaign ended while it was out (e.g. resent after a restart, then cancelled)
            await cancelWaiting(reason: "campaign \(state.rawValue)")
            return
        }
        await deps.dispatcher.enqueue([queueEntry(experimentID)], declinedBy: record.resentAfterHello ? nil : instrumentID)
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
