import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Logging

/// Finished campaigns after a restart. One that is finished with every experiment finished can change
/// no more: it is resumed "shelved", without its experiments, which a large store would take seconds to
/// read. Its summary is counted in the store; its experiments are read the first time one is needed
/// (an agent reports or resends one). Everything else that walks experiments only walks the unfinished.
extension CampaignActor {
    /// A finished campaign resumed after a restart; `shelve` leaves its experiments in the store.
    func restoreFinished(at unixMs: Int64, shelve: Bool) {
        finishedAt = unixMs
        shelved = shelve
    }

    /// The campaign an experiment id belongs to: experiment ids are `<campaign id>-<number>`.
    static func campaignID(of experimentID: String) -> String? {
        guard let dash = experimentID.lastIndex(of: "-") else { return nil }
        return String(experimentID[..<dash])
    }

    /// A shelved campaign's counts and best experiment, read from the store once.
    func tallyFromStore() async throws(WireError) -> CampaignTally {
        if let shelvedTally { return shelvedTally }
        do {
            let tally = try await deps.store.tally(campaignID: id, objective: spec.objective)
            shelvedTally = tally
            return tally
        } catch {
            throw WireError(.unavailable, "could not read campaign \(id) from the store: \(error)")
        }
    }

    /// Reads a shelved campaign's experiments into memory; from then on it is as if loaded at the start.
    /// Callers arriving while the read runs wait for the same read.
    func unshelve() async throws(WireError) {
        guard shelved else { return }
        let reading = unshelving ?? Task { [store = deps.store, id] in try await store.experiments(campaignID: id) }
        unshelving = reading
        let stored: [StoredExperiment]
        do {
            stored = try await reading.value
        } catch {
            unshelving = nil  // the next need tries again
            throw WireError(.unavailable, "could not read campaign \(id)'s experiments from the store: \(error)")
        }
        guard shelved else { return }  // another caller finished first
        _ = absorb(stored)  // all finished: nothing to queue
        shelved = false
        shelvedTally = nil
        unshelving = nil
        logger.info("finished campaign's experiments read from the store", metadata: ["experiments": "\(stored.count)"])
    }
}
