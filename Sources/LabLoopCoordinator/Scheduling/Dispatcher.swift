import Foundation
import LabLoopCore

/// Matches queued experiments to free instrument slots. Owns the queue; asks the registry for
/// slots and the campaign actors to commit each dispatch. One pass runs at a time; a kick during
/// a pass schedules another.
actor Dispatcher {
    private var queue: [String: QueuedExperiment] = [:]
    private var held: Set<String> = []
    private var declined: [String: Set<String>] = [:]
    private var campaigns: [String: CampaignActor] = [:]
    private var nextOrder: UInt64 = 0
    private var lastServed: String?
    private var passing = false
    private var again = false
    private let registry: InstrumentRegistry

    init(registry: InstrumentRegistry) {
        self.registry = registry
    }

    func add(campaign: CampaignActor, id: String) {
        campaigns[id] = campaign
    }

    func enqueue(_ entries: [QueuedExperiment], declinedBy instrumentID: String? = nil) {
        for var entry in entries {
            entry.order = nextOrder
            nextOrder += 1
            queue[entry.experimentID] = entry
            if let instrumentID { declined[entry.experimentID, default: []].insert(instrumentID) }
        }
    }

    func remove(experimentIDs: [String]) {
        for id in experimentIDs {
            queue[id] = nil
            declined[id] = nil
        }
    }

    func hold(campaignID: String) { held.insert(campaignID) }
    func release(campaignID: String) { held.remove(campaignID) }

    /// A finished campaign: drop its queue.
    func forget(campaignID: String) {
        for (id, entry) in queue where entry.campaignID == campaignID {
            queue[id] = nil
            declined[id] = nil
        }
    }

    var queueDepth: Int { queue.count }

    /// Runs dispatch passes until nothing more can be placed.
    func kick() async {
        if passing {
            again = true
            return
        }
        passing = true
        repeat {
            again = false
            await pass()
        } while again
        passing = false
    }

    private func pass() async {
        let eligible = queue.values.filter { !held.contains($0.campaignID) }
        guard !eligible.isEmpty else { return }
        let free = await registry.freeInstruments()
        let pairs = DispatchPolicy.assign(queue: eligible, free: free, lastServedCampaign: lastServed, declined: declined)
        for pair in pairs {
            // Take it out of the queue before awaiting, so no other pass can pick it.
            guard let entry = queue.removeValue(forKey: pair.experimentID) else { continue }
            guard let routingID = await registry.reserve(instrumentID: pair.instrumentID, experimentID: entry.experimentID)
            else {
                queue[entry.experimentID] = entry
                again = true
                continue
            }
            let dispatched = await campaigns[entry.campaignID]?.dispatch(
                experimentID: entry.experimentID, instrumentID: pair.instrumentID, routingID: routingID) ?? false
            if dispatched {
                declined[entry.experimentID] = nil
                lastServed = entry.campaignID
            } else {
                await registry.release(instrumentID: pair.instrumentID, experimentID: entry.experimentID)
                // Still queued (e.g. its campaign was paused meanwhile): keep it for a later pass.
                if await campaigns[entry.campaignID]?.isQueued(entry.experimentID) ?? false, queue[entry.experimentID] == nil {
                    queue[entry.experimentID] = entry
                }
            }
        }
    }
}
