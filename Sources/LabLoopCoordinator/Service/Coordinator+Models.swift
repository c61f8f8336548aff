import Foundation
import Logging
import LabLoopProtocol

extension Coordinator {
    func handleModel(_ message: InboundMessage) async {
        let envelope = message.envelope
        let gateway = deps.gateway
        func refuse(_ error: WireError) {
            gateway.refuse(error, to: message)
        }
        if case .modelHello(let hello)? = envelope.body {
            guard !hello.modelID.isEmpty, hello.modelID == envelope.sender else {
                return refuse(WireError(.invalidValue, "model_hello: model_id '\(hello.modelID)' must equal the sender '\(envelope.sender)'"))
            }
            guard !hello.strategies.isEmpty else {
                return refuse(WireError(.invalidValue, "model_hello: list at least one strategy"))
            }
            await deps.models.register(hello: hello, routingID: message.routingID, principal: message.principal)
            var welcome = Labloop_V1_ModelWelcome()
            welcome.sessionID = UUID().uuidString
            welcome.heartbeatIntervalMs = deps.config.heartbeatIntervalMs
            welcome.livenessTimeoutMs = deps.config.livenessTimeoutMs
            welcome.latestSeq = gateway.latestPublishedSeq
            gateway.send(.modelWelcome(welcome), to: message.routingID, on: .model, correlationID: envelope.messageID)
            deps.logger.info("model server registered", metadata: [
                "model": "\(hello.modelID)", "version": "\(hello.modelVersion)",
                "strategies": "\(hello.strategies.joined(separator: ","))",
            ])
            for campaign in campaigns.values { await campaign.modelAvailable() }
            return
        }
        guard let modelID = await deps.models.touch(routingID: message.routingID) else {
            return refuse(WireError(.notRegistered, "send model_hello first"))
        }
        guard envelope.sender == modelID else {
            return refuse(WireError(.unauthorized, "sender '\(envelope.sender)' does not match the registered model '\(modelID)'"))
        }
        switch envelope.body {
        case .heartbeat?:
            var beat = Labloop_V1_Heartbeat()
            beat.latestSeq = gateway.latestPublishedSeq
            gateway.send(.heartbeat(beat), to: message.routingID, on: .model, correlationID: envelope.messageID)
        case .proposals(let proposals)?:
            guard let campaign = campaigns[proposals.campaignID] else {
                return refuse(WireError(.unknownID, "unknown campaign \(proposals.campaignID)"))
            }
            await campaign.handleProposals(proposals, messageID: envelope.messageID, modelID: modelID,
                                           routingID: message.routingID)
        case .disconnect?:
            if let modelID = await deps.models.remove(routingID: message.routingID) {
                for campaign in campaigns.values { await campaign.modelLost(modelID) }
            }
        default:
            refuse(WireError(.wrongRole, "\(envelope.bodyName) is not a model message"))
        }
    }
}
