import Foundation
import Logging
import LabLoopProtocol
import LabLoopStore

extension Coordinator {
    func handleAgent(_ message: InboundMessage) async {
        let envelope = message.envelope
        let gateway = deps.gateway
        func refuse(_ error: WireError) {
            gateway.refuse(error, to: message)
        }
        if case .agentHello(let hello)? = envelope.body {
            await agentHello(hello, message: message)
            return
        }
        // The connection's registered session, as the gateway's table has it: seen, with no hop to the
        // registry (whose sweeps and listings take the sighting). Anything else asks the registry.
        let instrumentID: String
        if gateway.sessions.sighted(routingID: message.routingID, on: .agent, sender: envelope.sender) {
            instrumentID = envelope.sender
        } else {
            guard let registered = await deps.registry.touch(routingID: message.routingID) else {
                refuse(WireError(.notRegistered, "send agent_hello first"))
                return
            }
            instrumentID = registered
        }
        guard envelope.sender == instrumentID else {
            refuse(WireError(.unauthorized, "sender '\(envelope.sender)' does not match the registered instrument '\(instrumentID)'"))
            return
        }
        switch envelope.body {
        case .heartbeat?:
            var beat = Labloop_V1_Heartbeat()
            beat.latestSeq = gateway.latestPublishedSeq
            gateway.send(.heartbeat(beat), to: message.routingID, on: .agent, correlationID: envelope.messageID)
        case .assignmentAccepted(let accepted)?:
            do throws(WireError) {
                guard let campaign = campaign(owning: accepted.experimentID) else {
                    throw WireError(.unknownID, "unknown experiment \(accepted.experimentID)")
                }
                try await campaign.accepted(experimentID: accepted.experimentID, instrumentID: instrumentID)
            } catch {
                refuse(error)
            }
        case .assignmentDeclined(let declined)?:
            do throws(WireError) {
                guard let campaign = campaign(owning: declined.experimentID) else {
                    throw WireError(.unknownID, "unknown experiment \(declined.experimentID)")
                }
                try await campaign.declined(experimentID: declined.experimentID, instrumentID: instrumentID,
                                            reason: declined.reason)
            } catch {
                refuse(error)
            }
        case .progress:
            break  // liveness only, for now
        case .result(let result)?:
            let ack: Labloop_V1_ResultAck?
            if let campaign = campaign(owning: result.experimentID) {
                ack = await campaign.handleResult(result, messageID: envelope.messageID, instrumentID: instrumentID)
            } else {
                var rejected = Labloop_V1_ResultAck()
                rejected.experimentID = result.experimentID
                rejected.status = .rejected
                rejected.reason = "unknown experiment \(result.experimentID)"
                ack = rejected
            }
            if let ack {
                gateway.send(.resultAck(ack), to: message.routingID, on: .agent, correlationID: envelope.messageID)
                if ack.status == .rejected {
                    gateway.countRefusal("result_rejected", detail: ack.reason, on: .agent, routingID: message.routingID,
                                         peer: message.peer, who: instrumentID)
                }
            } else if let failure = deps.store.writeFailure {
                // Nothing is acknowledged that is not committed: the agent keeps the result and resends it.
                gateway.sendError(WireError(.unavailable, "result for \(result.experimentID) not stored: the coordinator's store is failing (\(failure)); keep it and resend"),
                                  to: message.routingID, on: .agent, correlationID: envelope.messageID)
            }
        case .disconnect(let goodbye)?:
            deps.logger.info("agent disconnected", metadata: ["instrument": "\(instrumentID)", "reason": "\(goodbye.reason)"])
            await departed(await deps.registry.disconnect(instrumentID), reason: "instrument disconnected")
        default:
            refuse(WireError(.wrongRole, "\(envelope.bodyName) is not an agent message"))
        }
    }

    private func agentHello(_ hello: Labloop_V1_AgentHello, message: InboundMessage) async {
        let (envelope, routingID) = (message.envelope, message.routingID)
        guard !hello.instrumentID.isEmpty, hello.instrumentID == envelope.sender else {
            return deps.gateway.refuse(WireError(.invalidValue, "agent_hello: instrument_id '\(hello.instrumentID)' must be non-empty and equal the sender '\(envelope.sender)'"), to: message)
        }
        if let problem = Self.problem(with: hello) {
            return deps.gateway.refuse(WireError(.invalidValue, "agent_hello: \(problem)"), to: message)
        }
        do {
            try await deps.store.write { tx in try tx.upsertInstrument(hello: hello) }
        } catch {
            deps.gateway.sendError(WireError(.unavailable, "could not record the instrument: \(error)"), to: routingID,
                                   on: .agent, correlationID: envelope.messageID)
            return
        }
        _ = await deps.registry.register(hello: hello, routingID: routingID)
        let inFlight = Set(hello.inFlight)
        var known = Set<String>()
        for campaign in campaigns.values {
            known.formUnion(await campaign.reconcile(instrumentID: hello.instrumentID, inFlight: inFlight))
        }
        // Room it came back with goes to what was held for it first.
        while let promotion = await deps.registry.promote(hello.instrumentID) { await promotion.deliver(through: deps.gateway) }
        var welcome = Labloop_V1_AgentWelcome()
        welcome.sessionID = UUID().uuidString
        welcome.heartbeatIntervalMs = deps.config.heartbeatIntervalMs
        welcome.livenessTimeoutMs = deps.config.livenessTimeoutMs
        welcome.cancel = hello.inFlight.filter { !known.contains($0) }
        deps.gateway.send(.agentWelcome(welcome), to: routingID, on: .agent, correlationID: envelope.messageID)
        // A flapping (or hostile) agent may register many times a second: one line per interval.
        registrations.log(key: hello.instrumentID) { suppressed in
            deps.logger.info("agent registered", metadata: [
                "instrument": "\(hello.instrumentID)", "kind": "\(hello.kind)", "capacity": "\(hello.capacity)",
                "in_flight": "\(inFlight.count)", "alsoRegisteredSinceLastLog": "\(suppressed)",
            ])
        }
        await deps.dispatcher.kick()
    }

    /// Largest capacity an instrument may declare; more is a mistake, not a lab.
    static let maxCapacity: UInt32 = 10_000

    /// What is wrong with a hello's declarations, or nil. Nothing out of range reaches the store.
    static func problem(with hello: Labloop_V1_AgentHello) -> String? {
        guard (1...maxCapacity).contains(hello.capacity) else { return "capacity \(hello.capacity) is not within 1...\(maxCapacity)" }
        guard !hello.operations.isEmpty, hello.operations.allSatisfy({ !$0.name.isEmpty }) else {
            return "at least one named operation is required"
        }
        for operation in hello.operations {
            for limit in operation.limits {
                guard !limit.name.isEmpty else { return "operation '\(operation.name)': a limit has no parameter name" }
                guard limit.low.isFinite, limit.high.isFinite, limit.low <= limit.high else {
                    return "operation '\(operation.name)': limit of '\(limit.name)' is [\(limit.low), \(limit.high)]; bounds must be finite with low <= high"
                }
            }
        }
        return nil
    }

    /// An agent left (goodbye or silence): what it ran may have run; what was held for it never left.
    func departed(_ departure: InstrumentRegistry.Departure, reason: String) async {
        for campaign in campaigns.values { await campaign.instrumentLost(departure.instrumentID, experimentIDs: departure.assigned) }
        await HeldAssignment.withdraw(departure.held, reason: reason)
    }
}
