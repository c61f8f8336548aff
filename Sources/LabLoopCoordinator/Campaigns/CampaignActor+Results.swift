import Foundation
import Logging
import LabLoopCore
import LabLoopFailpoints
import LabLoopProtocol
import LabLoopStore
import SwiftProtobuf

extension CampaignActor {
    /// Records a result and returns the acknowledgement to send. The acknowledgement is only
    /// STORED or DUPLICATE once the result is durable; nil means "say nothing, the agent will resend".
    func handleResult(_ result: Labloop_V1_ExperimentResult, messageID: String,
                      instrumentID: String) async -> Labloop_V1_ResultAck? {
        if shelved {
            do {
                try await unshelve()
            } catch {
                logger.error("result not judged; not acknowledged", metadata: ["experiment": "\(result.experimentID)", "error": "\(error.reason)"])
                return nil
            }
        }
        var ack = Labloop_V1_ResultAck()
        ack.experimentID = result.experimentID
        guard let record = experiments[result.experimentID] else {
            ack.status = .rejected
            ack.reason = "unknown experiment \(result.experimentID)"
            return ack
        }
        if record.busy, !record.state.isTerminal, record.instrumentID == instrumentID {
            // Its acceptance (or this result's first copy) is being committed: wait for that instead
            // of dropping the result until the agent resends it; then decide afresh.
            await untilSettled(record.id)
            return await handleResult(result, messageID: messageID, instrumentID: instrumentID)
        }
        if record.state.isTerminal || record.busy || record.instrumentID != instrumentID {
            // A resend of a stored result is a duplicate; anything else conflicts.
            return await classifyRepeat(result, messageID: messageID, record: record, instrumentID: instrumentID)
        }
        guard record.state.isAtInstrument else {
            ack.status = .rejected
            ack.reason = "experiment \(result.experimentID) is \(record.state.rawValue), not at an instrument"
            return ack
        }
        if let problem = problem(with: result, record: record) {
            await failInvalid(record, reason: problem)
            ack.status = .rejected
            ack.reason = problem
            return ack
        }
        experiments[record.id]?.busy = true
        defer { settle(record.id) }
        let succeeded = result.outcome == .succeeded
        // The agent is done with it whatever the store says, so a success frees its slot now: an assignment
        // held ahead for it leaves before this commit. (A failure frees it after the quarantine count.)
        if succeeded { await releaseSlot(instrumentID, record.id) }
        let retry = succeeded ? nil : retryAttempt(of: record, failureKind: result.failure.kind)
        let (campaignID, objective, from) = (id, spec.objective.measurement, record.state)
        let outcome: StoreTransaction.ResultRecording
        do {
            outcome = try await deps.store.write { tx in
                let recorded = try tx.recordResult(
                    campaignID: campaignID, messageID: messageID, instrumentID: instrumentID, result: result, from: from,
                    objective: objective, proposalID: record.proposalID, modelVersion: record.modelVersion,
                    parameters: record.parameters)
                if recorded == .stored, let retry {
                    try tx.insertExperiment(retry, campaignID: campaignID, retryOf: record.id, state: .queued)
                }
                if recorded == .stored { Failpoint.resultInsertedBeforeCommit.hit() }
                return recorded
            }
        } catch {
            logger.error("result not stored; not acknowledged", metadata: ["experiment": "\(record.id)", "error": "\(error)"])
            // Still on the instrument as far as the store knows: count it there until the resend is stored.
            if succeeded { await deps.registry.attach(instrumentID: instrumentID, experimentID: record.id) }
            return nil
        }
        switch outcome {
        case .stored:
            Failpoint.resultCommittedBeforeAck.hit()
            ack.status = .stored
        case .duplicate:
            if succeeded { await deps.registry.attach(instrumentID: instrumentID, experimentID: record.id) }  // released early; state unchanged
            ack.status = .duplicate
            return ack
        case .conflict(let reason):
            if succeeded { await deps.registry.attach(instrumentID: instrumentID, experimentID: record.id) }
            logger.warning("result conflict", metadata: ["experiment": "\(record.id)", "reason": "\(reason)"])
            ack.status = .rejected
            ack.reason = reason
            return ack
        }
        setState(record.id, from: from, to: succeeded ? .completed : .failed)
        // Before the slot is freed, so a quarantined instrument gets no further work.
        await noteOutcome(instrumentID: instrumentID, failed: !succeeded && result.failure.kind != "cancelled")
        if !succeeded { await releaseSlot(instrumentID, record.id) }
        if succeeded, let value = Self.objectiveValue(result, objective), value.isFinite {
            experiments[record.id]?.objective = value
            progress.record(objective: value, experimentID: record.id, objective: spec.objective)
        }
        if let retry { await queueRetry(retry) }
        // The result is durable: acknowledge now, and dispatch and ask for proposals after, so the
        // acknowledgement does not wait for the next dispatch's commit.
        Task { [deps] in
            await deps.dispatcher.kick()
            await self.evaluate()
        }
        return ack
    }

    /// Counts the result towards the instrument's quarantine; records a quarantine in the audit log.
    private func noteOutcome(instrumentID: String, failed: Bool) async {
        guard let reason = await deps.registry.noteResult(instrumentID: instrumentID, failed: failed,
                                                          limit: Int(deps.config.quarantineAfterFailures)) else { return }
        logger.warning("instrument quarantined; clear it with `labloop instruments drain --undo`",
                       metadata: ["instrument": "\(instrumentID)", "reason": "\(reason)"])
        await HeldAssignment.withdraw(await deps.registry.takeHeld(instrumentID), reason: "instrument quarantined")
        do {
            try await deps.store.write { tx in
                try tx.audit(principal: "coordinator", role: "coordinator", action: "quarantine", arguments: instrumentID,
                             outcome: reason)
            }
        } catch {
            logger.error("could not record the quarantine", metadata: ["instrument": "\(instrumentID)", "error": "\(error)"])
        }
    }

    private func classifyRepeat(_ result: Labloop_V1_ExperimentResult, messageID: String, record: ExperimentRecord,
                                instrumentID: String) async -> Labloop_V1_ResultAck? {
        var ack = Labloop_V1_ResultAck()
        ack.experimentID = result.experimentID
        let payload: Data?
        do {
            payload = try await deps.store.resultPayload(messageID: messageID)
        } catch {
            return nil
        }
        if let payload {
            let same = (try? Labloop_V1_ExperimentResult(serializedBytes: payload)) == result
            ack.status = same ? .duplicate : .rejected
            if !same {
                ack.reason = "message \(messageID) was stored before with different content"
                logger.warning("result conflict", metadata: ["experiment": "\(record.id)", "message": "\(messageID)"])
            }
            return ack
        }
        if record.busy, record.instrumentID == instrumentID { return nil }  // being committed: the resend will be a duplicate
        ack.status = .rejected
        ack.reason = record.instrumentID == instrumentID
            ? "experiment \(record.id) is already \(record.state.rawValue)"
            : "experiment \(record.id) is not assigned to \(instrumentID)"
        return ack
    }

    private func problem(with result: Labloop_V1_ExperimentResult, record: ExperimentRecord) -> String? {
        if result.attempt != UInt32(record.attempt) {
            return "attempt \(result.attempt) does not match the assigned attempt \(record.attempt)"
        }
        guard result.outcome == .succeeded || result.outcome == .failed else { return "outcome \(result.outcome) is neither SUCCEEDED nor FAILED" }
        var names = Set<String>()
        for measurement in result.measurements {
            guard names.insert(measurement.name).inserted else { return "measurement '\(measurement.name)' appears twice" }
            switch measurement.value.kind {
            case .real(let x)?: if !x.isFinite { return "measurement '\(measurement.name)' is not finite" }
            case .integer?: break
            default: return "measurement '\(measurement.name)' is not a number"
            }
        }
        if result.outcome == .succeeded, Self.objectiveValue(result, spec.objective.measurement) == nil {
            return "a successful result must report the objective '\(spec.objective.measurement)'"
        }
        return nil
    }

    static func objectiveValue(_ result: Labloop_V1_ExperimentResult, _ name: String) -> Double? {
        guard let value = result.measurements.first(where: { $0.name == name })?.value.kind else { return nil }
        switch value {
        case .real(let x): return x
        case .integer(let x): return Double(x)
        case .category: return nil
        }
    }

    /// The rightful agent sent an unusable result: the attempt failed; nothing invalid is stored.
    private func failInvalid(_ record: ExperimentRecord, reason: String) async {
        let (campaignID, from) = (id, record.state)
        experiments[record.id]?.busy = true
        defer { experiments[record.id]?.busy = false }
        do {
            try await deps.store.write { tx in
                try tx.moveExperiment(campaignID: campaignID, experimentID: record.id, from: from, to: .failed,
                                      instrumentID: record.instrumentID, reason: "invalid result: \(reason)")
            }
            setState(record.id, from: from, to: .failed)
            if let instrument = record.instrumentID {
                await releaseSlot(instrument, record.id)
            }
            await evaluate()
        } catch {
            logger.error("could not record invalid result", metadata: ["error": "\(error)"])
        }
    }

    /// The next attempt of a failed experiment (with a new experiment id), if the retry policy allows one.
    func retryAttempt(of record: ExperimentRecord, failureKind: String) -> Labloop_V1_ExperimentProposed? {
        // "lost" is the coordinator's own kind, used only once the operation is known to be repeatable.
        guard record.attempt < spec.maxAttempts, failureKind == "lost" || spec.retryableFailures.contains(failureKind),
              state == .running else { return nil }
        var next = Labloop_V1_ExperimentProposed()
        next.experimentID = newExperimentID()
        next.attempt = UInt32(record.attempt + 1)
        next.proposalID = record.proposalID
        next.candidateID = record.candidateID
        next.modelID = record.modelID
        next.modelVersion = record.modelVersion
        next.parameters = record.parameters
        return next
    }

    /// A committed retry attempt: remember it and queue it.
    func queueRetry(_ proposed: Labloop_V1_ExperimentProposed) async {
        experiments[proposed.experimentID] = ExperimentRecord(
            id: proposed.experimentID, candidateID: proposed.candidateID, proposalID: proposed.proposalID,
            attempt: Int(proposed.attempt), parameters: proposed.parameters,
            point: (try? Point(wire: proposed.parameters)) ?? Point(), state: .queued,
            modelID: proposed.modelID, modelVersion: proposed.modelVersion)
        order.append(proposed.experimentID)
        active.insert(proposed.experimentID)
        progress.move(from: nil, to: .queued)
        await deps.dispatcher.enqueue([queueEntry(proposed.experimentID)])
    }
}
