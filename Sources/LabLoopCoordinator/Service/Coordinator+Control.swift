import Foundation
import Logging
import LabLoopCore
import LabLoopFailpoints
import LabLoopProtocol
import LabLoopStore
import SwiftProtobuf

extension Coordinator {
    func handleControl(_ message: InboundMessage) async {
        let envelope = message.envelope
        guard case .controlRequest(let request)? = envelope.body else {
            if case .heartbeat? = envelope.body { return }
            deps.gateway.refuse(WireError(.wrongRole, "only control_request is accepted here"), to: message)
            return
        }
        let principal = message.principal
        if let command = request.command {
            do {
                try authorize(command, by: principal)
            } catch {
                deps.logger.notice("refused a control command", metadata: [
                    "principal": "\(principal.name)", "role": "\(principal.role.rawValue)", "action": "\(command.action)",
                ])
                if command.changesState {
                    await audit(principal, command.action, command.auditArguments, outcome: "refused: \(error.reason)")
                }
                deps.gateway.sendError(error, to: message.routingID, on: .control, correlationID: envelope.messageID)
                return
            }
        }
        do {
            let reply = filtered(try await perform(request, operator: principal), for: principal)
            deps.gateway.send(.controlReply(reply), to: message.routingID, on: .control, correlationID: envelope.messageID)
        } catch {
            deps.gateway.sendError(error, to: message.routingID, on: .control, correlationID: envelope.messageID)
        }
    }

    private func perform(_ request: Labloop_V1_ControlRequest, operator principal: Principal) async throws(WireError) -> Labloop_V1_ControlReply {
        var reply = Labloop_V1_ControlReply()
        switch request.command {
        case .submit(let submit)?:
            reply.campaign = try await submitCampaign(submit.spec, principal: principal)
        case .listCampaigns?:
            var list = Labloop_V1_CampaignList()
            list.campaigns = try await allSummaries()
            reply.campaigns = list
        case .getCampaign(let get)?:
            reply.campaign = try await summary(of: get.campaignID)
        case .pause(let pause)?:
            try await audited(principal, "pause", pause.campaignID) { () async throws(WireError) in try await self.existing(pause.campaignID).pause() }
            reply.campaign = try await summary(of: pause.campaignID)
        case .resume(let resume)?:
            try await audited(principal, "resume", resume.campaignID) { () async throws(WireError) in try await self.existing(resume.campaignID).resume() }
            reply.campaign = try await summary(of: resume.campaignID)
        case .cancel(let cancel)?:
            try await audited(principal, "cancel", "\(cancel.campaignID) abort_running=\(cancel.abortRunning)") { () async throws(WireError) in
                try await self.existing(cancel.campaignID).cancel(abortRunning: cancel.abortRunning)
            }
            reply.campaign = try await summary(of: cancel.campaignID)
        case .listInstruments?:
            var list = Labloop_V1_InstrumentList()
            list.instruments = await deps.registry.summaries()
            reply.instruments = list
        case .approve(let approve)?:
            reply.decision = try await decide(approve: true, approve.campaignID, approve.experimentIds, approve.reason,
                                              principal: principal)
        case .reject(let reject)?:
            reply.decision = try await decide(approve: false, reject.campaignID, reject.experimentIds, reject.reason,
                                              principal: principal)
        case .export(let export)?:
            let limit = export.maxRows == 0 ? 1_000 : min(Int(export.maxRows), 5_000)
            guard campaigns[export.campaignID] != nil else { throw WireError(.unknownID, "unknown campaign \(export.campaignID)") }
            do {
                let page = try await deps.store.experimentRows(campaignID: export.campaignID,
                                                               after: export.afterExperimentID, limit: limit)
                var out = Labloop_V1_ExportPage()
                out.rows = page.rows
                out.more = page.more
                reply.exportPage = out
            } catch {
                throw WireError(.unavailable, "export failed: \(error)")
            }
        case .getSchedule?:
            reply.schedule = await deps.dispatcher.schedule()
        case .drain(let drain)?:
            try await audited(principal, drain.undo ? "undrain" : "drain", drain.instrumentID) { () async throws(WireError) in
                let held = try await self.deps.registry.drain(drain.instrumentID, undo: drain.undo)
                await HeldAssignment.withdraw(held, reason: "instrument drained")
            }
            var list = Labloop_V1_InstrumentList()
            list.instruments = await deps.registry.summaries()
            reply.instruments = list
            if drain.undo { await deps.dispatcher.kick() }
        case nil:
            throw WireError(.malformed, "control_request has no command (or an unknown one)")
        }
        return reply
    }

    private func decide(approve: Bool, _ campaignID: String, _ ids: [String], _ reason: String,
                        principal: Principal) async throws(WireError) -> Labloop_V1_DecisionResult {
        let campaign: CampaignActor
        do {
            campaign = try existing(campaignID)
        } catch {
            await audit(principal, approve ? "approve" : "reject", campaignID, outcome: "refused: \(error.reason)")
            throw error
        }
        var result = Labloop_V1_DecisionResult()
        do {
            result.experimentIds = try await campaign.decide(approve: approve, experimentIDs: ids, principal: principal.name,
                                                             reason: reason)
        } catch {
            await audit(principal, approve ? "approve" : "reject", "\(campaignID) \(ids.joined(separator: ","))",
                        outcome: "refused: \(error.reason)")
            throw error
        }
        result.campaign = try await campaign.summary()
        return result
    }

    private func existing(_ campaignID: String) throws(WireError) -> CampaignActor {
        guard let campaign = campaigns[campaignID] else { throw WireError(.unknownID, "unknown campaign \(campaignID)") }
        return campaign
    }

    private func submitCampaign(_ wire: Labloop_V1_CampaignSpec, principal: Principal) async throws(WireError) -> Labloop_V1_CampaignSummary {
        let spec: CampaignSpec
        do {
            spec = try CampaignSpec(wire: wire)
        } catch {
            await audit(principal, "submit", wire.name, outcome: "refused: \(error.reason)")
            throw error
        }
        // The safety envelope at submit time: refuse a space no registered instrument could ever serve.
        let capable = await deps.registry.capable(kind: spec.instrumentKind, operation: spec.operation)
        let lab = deps.config.labLimits[spec.instrumentKind] ?? ParameterLimits()
        let exclusions = capable.compactMap { $0.limits.intersected(with: lab).excludes(spec.space) }
        if let labExclusion = lab.excludes(spec.space) ?? (exclusions.count == capable.count ? exclusions.first : nil) {
            let reason = "no instrument can serve this campaign: \(labExclusion)"
                + (capable.isEmpty ? " (lab-wide limit)" : " (\(capable.count) registered: \(capable.map(\.instrumentID).joined(separator: ", ")))")
            await audit(principal, "submit", wire.name, outcome: "refused: \(reason)")
            throw WireError(.invalidValue, reason)
        }
        let id = "c" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        let submittedAt: Int64
        do {
            submittedAt = try await deps.store.write { tx in
                try tx.insertCampaign(id: id, spec: wire)
                try tx.audit(principal: principal.name, role: principal.role.rawValue, action: "submit",
                             arguments: "\(wire.name) project=\(wire.project) -> \(id)", outcome: "ok")
                return tx.now  // the stored time, so a restart reports the same
            }
        } catch {
            throw WireError(.unavailable, "could not store the campaign: \(error)")
        }
        let campaign = CampaignActor(id: id, spec: spec, wireSpec: wire, state: .running, stateReason: "",
                                     submittedAt: submittedAt, deps: deps)
        campaigns[id] = campaign
        deps.gateway.access.noteCampaign(id, project: spec.project)
        await deps.dispatcher.add(campaign: campaign, id: id)
        deps.logger.info("campaign submitted", metadata: ["campaign": "\(id)", "name": "\(spec.name)"])
        await campaign.evaluate()
        return try await campaign.summary()
    }

    private func summary(of campaignID: String) async throws(WireError) -> Labloop_V1_CampaignSummary {
        if let campaign = campaigns[campaignID] { return try await campaign.summary() }
        throw WireError(.unknownID, "unknown campaign \(campaignID)")
    }

    private func allSummaries() async throws(WireError) -> [Labloop_V1_CampaignSummary] {
        // Concurrently: the first listing after a restart counts every shelved campaign in the store.
        let all = Array(campaigns.values)
        let results = await withTaskGroup(of: Result<Labloop_V1_CampaignSummary, WireError>.self) { group in
            for campaign in all {
                group.addTask {
                    do throws(WireError) { return .success(try await campaign.summary()) } catch { return .failure(error) }
                }
            }
            var results: [Result<Labloop_V1_CampaignSummary, WireError>] = []
            for await result in group { results.append(result) }
            return results
        }
        var summaries: [Labloop_V1_CampaignSummary] = []
        for result in results { summaries.append(try result.get()) }
        return summaries.sorted { ($0.submittedUnixMs, $0.campaignID) < ($1.submittedUnixMs, $1.campaignID) }
    }

    private func audited(_ principal: Principal, _ action: String, _ arguments: String,
                         _ body: () async throws(WireError) -> Void) async throws(WireError) {
        do {
            try await body()
            await audit(principal, action, arguments, outcome: "ok")
        } catch {
            await audit(principal, action, arguments, outcome: "refused: \(error.reason)")
            throw error
        }
    }

    func audit(_ principal: Principal, _ action: String, _ arguments: String, outcome: String, role: String? = nil) async {
        do {
            try await deps.store.write { tx in
                try tx.audit(principal: principal.name, role: role ?? principal.role.rawValue, action: action,
                             arguments: arguments, outcome: outcome)
            }
        } catch {
            deps.logger.error("could not write the audit log", metadata: ["error": "\(error)"])
        }
    }

    func handleCatchUp(_ message: InboundMessage) async {
        let envelope = message.envelope
        guard case .catchUpRequest(let request)? = envelope.body else { return }
        let limit = request.maxEvents == 0 ? 1_000 : min(Int(request.maxEvents), 10_000)
        do {
            let latest = try await deps.store.latestSeq()
            let campaignFilter = request.campaignID.isEmpty ? nil : request.campaignID
            let access = deps.gateway.access
            var response = Labloop_V1_CatchUpResponse()
            // Stay well under the 4 MiB message limit: stop adding events past 2 MiB.
            var bytes = 0
            var after = request.afterSeq
            scan: while true {
                let batch = try await deps.store.events(after: after, limit: limit + 1, campaignID: campaignFilter)
                for event in batch.prefix(limit) {
                    // Outside the requester's scope: skipped, as if filtered by campaign (so seqs have gaps).
                    guard access.covers(message.principal, campaignID: event.campaignID) else {
                        after = event.seq
                        continue
                    }
                    bytes += ((try? event.serializedBytes()) as [UInt8]?)?.count ?? 0
                    if response.events.count == limit || (bytes > 2 << 20 && !response.events.isEmpty) {
                        response.more = true
                        break scan
                    }
                    response.events.append(event)
                    after = event.seq
                }
                if batch.count <= limit { break }
            }
            response.latestSeq = max(latest, response.events.last?.seq ?? 0)
            Failpoint.catchUpSending.hit()
            deps.gateway.send(.catchUpResponse(response), to: message.routingID, on: .catchUp,
                              correlationID: envelope.messageID)
        } catch {
            deps.gateway.sendError(WireError(.unavailable, "catch-up failed: \(error)"), to: message.routingID,
                                   on: .catchUp, correlationID: envelope.messageID)
        }
    }
}
