import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Logging

extension CampaignActor {
    /// Moves experiments awaiting approval to queued (`approve`) or rejected, recording who decided.
    /// Empty `experimentIDs` means every experiment awaiting approval. Returns those that moved.
    func decide(approve: Bool, experimentIDs: [String], principal: String, reason: String) async throws(WireError) -> [String] {
        guard !state.isTerminal else { throw WireError(.invalidState, "campaign \(id) is \(state.rawValue)") }
        let chosen: [ExperimentRecord]
        if experimentIDs.isEmpty {
            chosen = order.compactMap { experiments[$0] }.filter { $0.state == .awaitingApproval && !$0.busy }
        } else {
            chosen = try experimentIDs.map { (experimentID: String) throws(WireError) -> ExperimentRecord in
                guard let record = experiments[experimentID] else {
                    throw WireError(.unknownID, "unknown experiment \(experimentID) in campaign \(id)")
                }
                guard record.state == .awaitingApproval, !record.busy else {
                    throw WireError(.invalidState, "experiment \(experimentID) is \(record.state.rawValue), not awaiting approval")
                }
                return record
            }
        }
        guard !chosen.isEmpty else { return [] }
        let target: ExperimentState = approve ? .queued : .rejected
        let verb = approve ? "approved" : "rejected"
        let note = "\(verb) by \(principal)" + (reason.isEmpty ? "" : ": \(reason)")
        let ids = chosen.map(\.id)
        for experimentID in ids { experiments[experimentID]?.busy = true }
        let campaignID = id
        do {
            try await deps.store.write { tx in
                for experimentID in ids {
                    try tx.moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .awaitingApproval,
                                          to: target, instrumentID: nil, reason: note)
                }
                try tx.audit(principal: principal, action: approve ? "approve" : "reject",
                             arguments: "\(campaignID) \(ids.joined(separator: ","))" + (reason.isEmpty ? "" : " reason=\(reason)"),
                             outcome: "ok")
            }
        } catch {
            for experimentID in ids { experiments[experimentID]?.busy = false }
            throw WireError(.unavailable, "could not record the decision: \(error)")
        }
        for experimentID in ids {
            experiments[experimentID]?.busy = false
            setState(experimentID, from: .awaitingApproval, to: target)
        }
        if approve {
            await deps.dispatcher.enqueue(ids.map(queueEntry))
            await deps.dispatcher.kick()
        } else {
            // A rejected candidate never ran: it does not spend the budget, so the model may propose another.
            progress.candidatesAccepted -= ids.count
        }
        logger.info("experiments \(verb)", metadata: ["count": "\(ids.count)", "by": "\(principal)"])
        await evaluate()
        return ids
    }
}
