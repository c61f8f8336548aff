import Foundation
import Logging
import LabLoopCore
import LabLoopProtocol
import LabLoopStore

extension CampaignActor {
    /// Rebuilds memory from the store after a restart. Experiments that were on an instrument
    /// wait (unconfirmed) for their agent to report them; see `reconcile` and `expireUnconfirmed`.
    func load(_ stored: [StoredExperiment]) async {
        let queued = absorb(stored)
        if state == .paused { await deps.dispatcher.hold(campaignID: id) }
        if !state.isTerminal { await deps.dispatcher.enqueue(queued) }
    }

    /// Puts stored experiments in memory and the counters; returns the queued ones, for the dispatcher.
    func absorb(_ stored: [StoredExperiment]) -> [QueuedExperiment] {
        var queued: [QueuedExperiment] = []
        for row in stored {
            var record = ExperimentRecord(
                id: row.id, candidateID: row.candidateID, proposalID: row.proposalID, attempt: row.attempt,
                parameters: row.parameters, point: (try? Point(wire: row.parameters)) ?? Point(), state: row.state,
                instrumentID: row.instrumentID, modelID: row.modelID, modelVersion: row.modelVersion,
                objective: row.objective)
            if row.state.isAtInstrument { record.unconfirmedSince = clock.now }
            experiments[row.id] = record
            order.append(row.id)
            if !row.state.isTerminal { active.insert(row.id) }
            progress.move(from: nil, to: row.state)
            // Rejected candidates never ran and do not spend the budget.
            if row.attempt == 1, row.state != .rejected { progress.candidatesAccepted += 1 }
            if row.state == .completed, let value = row.objective {
                progress.record(objective: value, experimentID: row.id, objective: spec.objective)
            }
            if row.state == .queued { queued.append(queueEntry(row.id)) }
            if let number = Int(row.id.split(separator: "-").last ?? ""), number >= nextExperimentNumber {
                nextExperimentNumber = number + 1
            }
        }
        return queued
    }

    /// An agent said hello with the experiments it is still running. Those this campaign placed on
    /// it are confirmed. A `dispatched` one it does not list is sent to it again (the assignment, or its
    /// answer, was lost; it may even be on its way to the agent now, so it is never requeued elsewhere
    /// here); the agent runs or declines it. A `running` one it does not list may be half-done: it goes
    /// for review. Returns which of `inFlight` this campaign knows there: active ones, and finished ones
    /// whose result the agent still holds (its resend gets `DUPLICATE`, so the agent learns its result
    /// was stored although the first acknowledgement was lost).
    func reconcile(instrumentID: String, inFlight: Set<String>) async -> Set<String> {
        if shelved {
            let mine = inFlight.filter { Self.campaignID(of: $0) == id }
            if mine.isEmpty { return [] }
            do {
                try await unshelve()
            } catch {
                // Not told to cancel them: the agent keeps them, and a resent result is judged once readable.
                logger.error("could not read a finished campaign's experiments", metadata: ["error": "\(error.reason)"])
                return mine
            }
        }
        var confirmed = Set<String>()
        var missing: [String] = []
        for id in inFlight {
            if let record = experiments[id], record.instrumentID == instrumentID,
               record.state == .completed || record.state == .failed {
                confirmed.insert(id)
            }
        }
        // One held ahead (this coordinator never sent it) stays held: the registry kept its place.
        for record in activeRecords where record.instrumentID == instrumentID && record.state.isAtInstrument && !record.heldAhead {
            if inFlight.contains(record.id) || record.state == .dispatched {
                experiments[record.id]?.unconfirmedSince = nil
                await deps.registry.attach(instrumentID: instrumentID, experimentID: record.id)
                if inFlight.contains(record.id) {
                    confirmed.insert(record.id)
                } else {
                    experiments[record.id]?.assignmentSentAt = nil  // resend on the next tick
                    experiments[record.id]?.resentAfterHello = true
                }
            } else {
                missing.append(record.id)
            }
        }
        for id in missing {
            // Re-read after the awaits above: it may have moved meanwhile.
            guard let record = experiments[id], record.instrumentID == instrumentID, record.state == .running,
                  !record.busy else { continue }
            await sendForReview(record, reason: "\(instrumentID) reconnected without it")
        }
        return confirmed
    }

    /// The instrument went silent past its liveness limit while holding these experiments.
    func instrumentLost(_ instrumentID: String, experimentIDs: Set<String>) async {
        for experimentID in experimentIDs {
            // One whose change is being committed (e.g. its acceptance) is judged once that settles.
            while experiments[experimentID]?.busy == true { await untilSettled(experimentID) }
            guard let record = experiments[experimentID], record.state.isAtInstrument,
                  record.instrumentID == instrumentID, !record.busy else { continue }
            await sendForReview(record, reason: "instrument \(instrumentID) lost")
        }
    }

    /// After a restart, experiments whose agent never came back within the grace period.
    func expireUnconfirmed() async {
        let grace = Duration.milliseconds(Int(deps.config.recoveryGraceMs))
        let now = clock.now
        for record in activeRecords {
            guard let since = record.unconfirmedSince, now - since > grace, record.state.isAtInstrument,
                  !record.busy else { continue }
            experiments[record.id]?.unconfirmedSince = nil
            await sendForReview(record, reason: "instrument \(record.instrumentID ?? "?") did not report it after a restart")
        }
    }

    /// Marks an attempt `needs_review`: it may have run (and consumed a sample). A new attempt is
    /// queued only when the operation is declared repeatable and the retry policy allows it.
    private func sendForReview(_ record: ExperimentRecord, reason: String) async {
        let campaignID = id
        let from = record.state
        let repeatable = await deps.registry.isRepeatable(instrumentID: record.instrumentID ?? "", operation: spec.operation)
        let retry = repeatable ? retryAttempt(of: record, failureKind: "lost") : nil
        experiments[record.id]?.busy = true
        defer { experiments[record.id]?.busy = false }
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: record.id, from: from, to: .needsReview,
                                      instrumentID: record.instrumentID, reason: reason)
                if let retry {
                    try tx.insertExperiment(retry, campaignID: campaignID, retryOf: record.id, state: .queued)
                }
            }
        } catch {
            logger.error("could not mark for review", metadata: ["experiment": "\(record.id)", "error": "\(error)"])
            return
        }
        logger.warning("experiment needs review", metadata: ["experiment": "\(record.id)", "reason": "\(reason)"])
        setState(record.id, from: from, to: .needsReview)
        experiments[record.id]?.unconfirmedSince = nil
        if let instrument = record.instrumentID {
            await releaseSlot(instrument, record.id)
        }
        if let retry {
            await queueRetry(retry)
            await deps.dispatcher.kick()
        }
        await evaluate()
    }
}
