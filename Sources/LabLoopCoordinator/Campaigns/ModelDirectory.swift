import Foundation
import LabLoopProtocol

/// The connected model servers and which strategies each answers for.
actor ModelDirectory {
    struct Session: Sendable {
        var hello: Labloop_V1_ModelHello
        var routingID: Data
        /// The authenticated principal: its key's scope limits the campaigns it is asked about.
        var principal: Principal
        var lastSeen: ContinuousClock.Instant
    }

    private var sessions: [String: Session] = [:]
    private var byRouting: [Data: String] = [:]
    private var turn = 0
    private let clock = ContinuousClock()
    private let gateway: Gateway

    init(gateway: Gateway) {
        self.gateway = gateway
    }

    func register(hello: Labloop_V1_ModelHello, routingID: Data, principal: Principal) {
        if let old = sessions[hello.modelID]?.routingID {
            byRouting[old] = nil
            gateway.sessions.remove(routingID: old, on: .model)
        }
        sessions[hello.modelID] = Session(hello: hello, routingID: routingID, principal: principal, lastSeen: clock.now)
        byRouting[routingID] = hello.modelID
        gateway.sessions.register(hello.modelID, routingID: routingID, on: .model)
    }

    func touch(routingID: Data) -> String? {
        guard let id = byRouting[routingID] else { return nil }
        sessions[id]?.lastSeen = clock.now
        return id
    }

    func modelID(routingID: Data) -> String? { byRouting[routingID] }

    /// The routing ids of every registered model server.
    func routingIDs() -> [Data] { sessions.values.map(\.routingID) }

    /// Sends a proposal request to a live model serving `strategy` for `campaignID` (round robin):
    /// one that answers for the strategy, did not limit itself to other campaigns, and whose key's
    /// scope covers the campaign. Proposals are accepted only for the request a model was sent, so
    /// a model can propose only for campaigns it serves. `pendingPoints` are the request's pending
    /// points, encoded. Returns the model id, or nil when none can.
    func send(_ request: Labloop_V1_ProposalRequest, pendingPoints: [Data], strategy: String) -> String? {
        let access = gateway.access
        let candidates = sessions.values
            .filter { $0.hello.strategies.contains(strategy)
                && ($0.hello.campaigns.isEmpty || $0.hello.campaigns.contains(request.campaignID))
                && access.covers($0.principal, campaignID: request.campaignID) }
            .sorted { $0.hello.modelID < $1.hello.modelID }
        guard !candidates.isEmpty else { return nil }
        let chosen = candidates[turn % candidates.count]
        turn += 1
        let body = EncodedBody(.proposalRequest, request.serialized(pendingPoints: pendingPoints))
        guard gateway.send(body, to: chosen.routingID, on: .model, messageID: request.requestID) else { return nil }
        return chosen.hello.modelID
    }

    /// Models silent longer than `timeout`, forgotten and returned.
    func sweep(timeout: Duration) -> [String] {
        // Heartbeats the gateway's thread answered count as signs of life like any other message.
        for (routingID, seen) in gateway.sessions.takeSightings(on: .model) {
            guard let id = byRouting[routingID], let session = sessions[id], seen.instant > session.lastSeen else { continue }
            sessions[id]?.lastSeen = seen.instant
        }
        let now = clock.now
        let lost = sessions.values.filter { now - $0.lastSeen > timeout }
        for session in lost {
            sessions[session.hello.modelID] = nil
            byRouting[session.routingID] = nil
            gateway.sessions.remove(routingID: session.routingID, on: .model)
        }
        return lost.map(\.hello.modelID)
    }

    func remove(routingID: Data) -> String? {
        guard let id = byRouting.removeValue(forKey: routingID) else { return nil }
        sessions[id] = nil
        gateway.sessions.remove(routingID: routingID, on: .model)
        return id
    }
}
