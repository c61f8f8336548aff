import Foundation
import LabLoopProtocol

/// The connected model servers and which strategies each answers for.
actor ModelDirectory {
    struct Session: Sendable {
        var hello: Labloop_V1_ModelHello
        var routingID: Data
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

    func register(hello: Labloop_V1_ModelHello, routingID: Data) {
        if let old = sessions[hello.modelID]?.routingID { byRouting[old] = nil }
        sessions[hello.modelID] = Session(hello: hello, routingID: routingID, lastSeen: clock.now)
        byRouting[routingID] = hello.modelID
    }

    func touch(routingID: Data) -> String? {
        guard let id = byRouting[routingID] else { return nil }
        sessions[id]?.lastSeen = clock.now
        return id
    }

    func modelID(routingID: Data) -> String? { byRouting[routingID] }

    /// Sends a proposal request to a live model serving `strategy` for `campaignID` (round robin).
    /// Returns the model id it went to, or nil when no model can take it.
    func send(_ request: Labloop_V1_ProposalRequest, strategy: String) -> String? {
        let candidates = sessions.values
            .filter { $0.hello.strategies.contains(strategy)
                && ($0.hello.campaigns.isEmpty || $0.hello.campaigns.contains(request.campaignID)) }
            .sorted { $0.hello.modelID < $1.hello.modelID }
        guard !candidates.isEmpty else { return nil }
        let chosen = candidates[turn % candidates.count]
        turn += 1
        guard gateway.send(.proposalRequest(request), to: chosen.routingID, on: .model,
                           messageID: request.requestID) else { return nil }
        return chosen.hello.modelID
    }

    /// Models silent longer than `timeout`, forgotten and returned.
    func sweep(timeout: Duration) -> [String] {
        let now = clock.now
        let lost = sessions.values.filter { now - $0.lastSeen > timeout }
        for session in lost {
            sessions[session.hello.modelID] = nil
            byRouting[session.routingID] = nil
        }
        return lost.map(\.hello.modelID)
    }

    func remove(routingID: Data) -> String? {
        guard let id = byRouting.removeValue(forKey: routingID) else { return nil }
        sessions[id] = nil
        return id
    }
}
