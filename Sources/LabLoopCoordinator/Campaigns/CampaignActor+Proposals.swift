import Foundation
import Logging
import LabLoopCore
import LabLoopProtocol
import LabLoopStore

extension CampaignActor {
    func requestProposals(count: Int) async {
        var request = Labloop_V1_ProposalRequest()
        request.requestID = UUID().uuidString
        request.campaignID = id
        // Models see the space narrowed to the safety envelope: the lab's limits for this kind and what
        // at least one capable instrument accepts. Their candidates are still checked against both.
        var envelope = await deps.registry.capableSet(kind: spec.instrumentKind, operation: spec.operation).envelope
        if let lab = deps.config.labLimits[spec.instrumentKind] { envelope = envelope.intersected(with: lab) }
        request.spec = wireSpec
        request.spec.space = spec.space.narrowed(to: envelope).wire
        request.rejectedSoFar = UInt32(clamping: rejectedCandidates)
        request.count = UInt32(count)
        request.proposedSoFar = UInt32(progress.candidatesAccepted)
        request.asOfSeq = deps.gateway.latestPublishedSeq
        // Each pending point is encoded once, on the first request that lists it.
        let pending = active.sorted().compactMap { experimentID -> Data? in
            if let encoded = encodedPendingPoints[experimentID] { return encoded }
            guard let record = experiments[experimentID] else { return nil }
            var point = Labloop_V1_PendingPoint()
            point.experimentID = experimentID
            point.parameters = record.parameters
            let encoded = point.frameBytes()
            encodedPendingPoints[experimentID] = encoded
            return encoded
        }
        guard let modelID = await deps.models.send(request, pendingPoints: pending, strategy: spec.strategy) else {
            if !waitingForModel {
                logger.notice("waiting for a model server", metadata: ["strategy": "\(spec.strategy)"])
            }
            waitingForModel = true
            return
        }
        waitingForModel = false
        outstanding = (request.requestID, modelID, count, clock.now)
    }

    /// A model server connected or re-registered: retry if this campaign was waiting.
    func modelAvailable() async {
        if outstanding == nil { await evaluate() }
    }

    /// A model server vanished: a request it held will never be answered.
    func modelLost(_ modelID: String) async {
        if outstanding?.modelID == modelID, !answering {
            outstanding = nil
            await evaluate()
        }
    }

    /// Periodic work: re-send a proposal request that timed out, check the deadline, expire
    /// unconfirmed experiments after a restart.
    func tick() async {
        wakeAllSettleWaiters()
        if let sent = outstanding, !answering, clock.now - sent.sentAt > .milliseconds(Int(deps.config.proposalTimeoutMs)) {
            logger.warning("proposal request timed out; asking again", metadata: ["model": "\(sent.modelID)"])
            outstanding = nil
        }
        await expireUnconfirmed()
        await retryWithdrawals()
        await resendAssignments()
        await evaluate()
    }

    /// Validates a model's proposals, commits the accepted candidates as experiments, and acknowledges.
    func handleProposals(_ proposals: Labloop_V1_Proposals, messageID: String, modelID: String,
                         routingID: Data) async {
        guard let open = outstanding, open.requestID == proposals.requestID, open.modelID == modelID, !answering else {
            deps.gateway.sendError(WireError(.unknownID, "request \(proposals.requestID) is not open for campaign \(id)"),
                                   to: routingID, on: .model, correlationID: messageID)
            return
        }
        answering = true
        let proposalID = UUID().uuidString
        var wanted = state == .running ? min(open.count, progress.candidatesWanted(spec: spec)) : 0
        var accepted: [Labloop_V1_ExperimentProposed] = []
        var rejected: [Labloop_V1_RejectedCandidate] = []
        let capable = await deps.registry.capable(kind: spec.instrumentKind, operation: spec.operation)
        var seenIDs = Set<String>()
        var seenPoints = Set(active.compactMap { experiments[$0]?.point })
        for candidate in proposals.candidates {
            func reject(_ code: Labloop_V1_ErrorCode, _ reason: String) {
                var entry = Labloop_V1_RejectedCandidate()
                entry.candidateID = candidate.candidateID
                entry.code = code
                entry.reason = reason
                rejected.append(entry)
            }
            guard !candidate.candidateID.isEmpty, seenIDs.insert(candidate.candidateID).inserted else {
                reject(.invalidValue, "candidate_id is empty or repeated")
                continue
            }
            let raw: Point
            do {
                raw = try Point(wire: candidate.parameters)
            } catch {
                reject(error.code, error.reason)
                continue
            }
            let violations = spec.space.violations(of: raw)
            if !violations.isEmpty {
                reject(.invalidValue, violations.map(\.message).joined(separator: "; "))
                continue
            }
            let point = spec.space.canonical(raw)
            if let violation = envelopeViolation(point, capable: capable) {
                reject(.invalidValue, violation)
                continue
            }
            if (candidate.hasPredictedMean && !candidate.predictedMean.isFinite)
                || (candidate.hasPredictedStd && !(candidate.predictedStd.isFinite && candidate.predictedStd >= 0)) {
                reject(.invalidValue, "predicted mean/std must be finite (std >= 0)")
                continue
            }
            guard seenPoints.insert(point).inserted else {
                reject(.invalidValue, "the same point is already queued or running")
                continue
            }
            guard wanted > 0 else {
                reject(.invalidState, state == .running ? "more candidates than requested" : "campaign is \(state.rawValue)")
                continue
            }
            wanted -= 1
            var proposed = Labloop_V1_ExperimentProposed()
            proposed.experimentID = newExperimentID()
            proposed.attempt = 1
            proposed.proposalID = proposalID
            proposed.candidateID = candidate.candidateID
            proposed.modelID = modelID
            proposed.modelVersion = proposals.modelVersion
            proposed.parameters = point.wire
            if candidate.hasPredictedMean { proposed.predictedMean = candidate.predictedMean }
            if candidate.hasPredictedStd { proposed.predictedStd = candidate.predictedStd }
            accepted.append(proposed)
        }
        let firstState: ExperimentState = spec.approval == .manual ? .awaitingApproval : .queued
        let (campaignID, requestID, modelVersion) = (id, proposals.requestID, proposals.modelVersion)
        let candidatesByID = Dictionary(proposals.candidates.map { ($0.candidateID, $0) }, uniquingKeysWith: { a, _ in a })
        let rejectedRows = rejected
        let acceptedRows = accepted
        let training = proposals.trainingObservations
        let proposer = accepted.first?.modelID ?? modelID
        do {
            try await deps.store.write { tx in
                try tx.insertProposal(id: proposalID, campaignID: campaignID, requestID: requestID, messageID: messageID,
                                      modelID: proposer, modelVersion: modelVersion, trainingObservations: training)
                for row in rejectedRows {
                    try tx.insertRejectedCandidate(proposalID: proposalID, candidateID: row.candidateID, code: row.code,
                                                   reason: row.reason,
                                                   parameters: candidatesByID[row.candidateID]?.parameters ?? [])
                }
                for row in acceptedRows {
                    try tx.insertExperiment(row, campaignID: campaignID, retryOf: nil, state: firstState)
                }
            }
        } catch {
            logger.error("could not store proposals", metadata: ["error": "\(error)"])
            answering = false
            outstanding = nil
            deps.gateway.sendError(WireError(.unavailable, "proposals not stored: \(error)"), to: routingID, on: .model,
                                   correlationID: messageID)
            return
        }
        for row in accepted {
            let record = ExperimentRecord(
                id: row.experimentID, candidateID: row.candidateID, proposalID: proposalID, attempt: 1,
                parameters: row.parameters, point: (try? Point(wire: row.parameters)) ?? Point(), state: firstState,
                modelID: row.modelID, modelVersion: row.modelVersion)
            experiments[row.experimentID] = record
            order.append(row.experimentID)
            if !firstState.isTerminal { active.insert(row.experimentID) }
            progress.move(from: nil, to: firstState)
            progress.candidatesAccepted += 1
        }
        var ack = Labloop_V1_ProposalAck()
        ack.requestID = proposals.requestID
        ack.proposalID = proposalID
        ack.accepted = accepted.map { row in
            var entry = Labloop_V1_AcceptedCandidate()
            entry.candidateID = row.candidateID
            entry.experimentID = row.experimentID
            return entry
        }
        ack.rejected = rejected
        deps.gateway.send(.proposalAck(ack), to: routingID, on: .model, correlationID: messageID)
        quietUntil = accepted.isEmpty ? clock.now + .seconds(1) : nil
        rejectedCandidates += rejected.count
        if !rejected.isEmpty {
            logger.notice("rejected candidates", metadata: ["count": "\(rejected.count)", "first": "\(rejected[0].reason)"])
        }
        answering = false
        outstanding = nil
        if state.isTerminal {
            // Cancelled while these were being committed: they must not wait for ever.
            await cancelWaiting(reason: "campaign \(state.rawValue)")
            return
        }
        if firstState == .queued, !accepted.isEmpty {
            await deps.dispatcher.enqueue(accepted.map { queueEntry($0.experimentID) })
            await deps.dispatcher.kick()
        }
        await evaluate()
    }

    func queueEntry(_ experimentID: String) -> QueuedExperiment {
        QueuedExperiment(experimentID: experimentID, campaignID: id, instrumentKind: spec.instrumentKind,
                         operation: spec.operation, order: 0, project: spec.project, priority: spec.priority,
                         point: experiments[experimentID]?.point ?? Point())
    }

    /// The experiment left its instrument: free the slot and stop charging its project's share.
    /// An assignment held ahead for the freed slot leaves at once.
    func releaseSlot(_ instrumentID: String, _ experimentID: String) async {
        let promotion = await deps.registry.release(instrumentID: instrumentID, experimentID: experimentID)
        if let promotion { await promotion.deliver(through: deps.gateway) }
        await deps.dispatcher.finished(experimentID: experimentID)
    }

    /// Why `point` may not run at all: lab-wide limits for the campaign's instrument kind, or no
    /// known instrument whose hard limits cover it. Nil when it is inside the envelope (or no
    /// capable instrument has registered yet, so nothing can be judged).
    func envelopeViolation(_ point: Point, capable: [(instrumentID: String, limits: ParameterLimits)]) -> String? {
        if let lab = deps.config.labLimits[spec.instrumentKind] {
            let problems = lab.violations(of: point)
            if !problems.isEmpty { return "outside the lab-wide limits for \(spec.instrumentKind): " + problems.joined(separator: "; ") }
        }
        guard !capable.isEmpty, !capable.contains(where: { $0.limits.violations(of: point).isEmpty }) else { return nil }
        let problems = Set(capable.flatMap { $0.limits.violations(of: point) }).sorted()
        let names = capable.map(\.instrumentID).joined(separator: ", ")
        return "no instrument can run it: \(problems.joined(separator: "; ")) (\(capable.count) registered: \(names))"
    }
}
