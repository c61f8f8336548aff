import Foundation
import LabLoopCore
import LabLoopProtocol

/// Matches queued experiments to free instrument slots by weighted fair share of instrument time
/// (`FairShareScheduler`, see Docs/scheduling.md). Owns the queue; asks the registry for slots and the
/// campaign actors to commit each dispatch. One pass runs at a time; a kick during a pass schedules another.
actor Dispatcher {
    private var queue: [String: QueuedExperiment] = [:]
    private var held: Set<String> = []
    private var declined: [String: Set<String>] = [:]
    /// Experiments once withdrawn from a busy instrument to a free slot: never moved twice, so a
    /// scheduler that will not place one there cannot make it bounce.
    private var moved: Set<String> = []
    private var campaigns: [String: CampaignActor] = [:]
    private var nextOrder: UInt64 = 0
    private var scheduler: FairShareScheduler
    private let started = ContinuousClock.now
    private var passing = false
    private var again = false
    /// Set at shutdown: nothing more is dispatched.
    private var stopped = false
    private let registry: InstrumentRegistry
    /// Sends assignments held ahead once their slot frees.
    private let gateway: Gateway

    private let reservations: [Reservation]

    init(registry: InstrumentRegistry, gateway: Gateway, projectWeights: [String: Double] = [:],
         reservations windows: [(instrumentID: String, project: String, startUnixMs: Int64, endUnixMs: Int64)] = []) {
        self.registry = registry
        self.gateway = gateway
        scheduler = FairShareScheduler(projectWeights: projectWeights)
        // The scheduler's clock is seconds since this dispatcher started.
        let origin = Int64(Date().timeIntervalSince1970 * 1000)
        reservations = windows.map {
            Reservation(instrumentID: $0.instrumentID, project: $0.project,
                        start: Double($0.startUnixMs - origin) / 1000, end: Double($0.endUnixMs - origin) / 1000)
        }
    }

    /// Seconds since the dispatcher started: the scheduler's clock (monotonic).
    private var now: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// An experiment left its instrument (finished, failed, declined, lost): stop charging its project.
    func finished(experimentID: String) {
        scheduler.finished(experimentID: experimentID, at: now)
        moved.remove(experimentID)
    }

    /// Each project's share against its entitlement, and why each queued experiment waits.
    func schedule() async -> Labloop_V1_Schedule {
        var schedule = Labloop_V1_Schedule()
        let at = now
        schedule.projects = scheduler.shares(now: at).map { share in
            var wire = Labloop_V1_ProjectShare()
            wire.project = share.project
            wire.weight = share.weight
            wire.active = share.isActive
            wire.entitlement = share.entitlement
            wire.received = share.received
            wire.running = UInt32(clamping: share.running)
            return wire
        }
        let free = await registry.freeInstruments()
        let registered = await registry.registeredInstruments()
        let eligible = queue.values.filter { !held.contains($0.campaignID) }
        let reasons = scheduler.waitingReasons(queue: Array(eligible), free: free, registered: registered, now: at,
                                               reservations: reservations, declined: declined)
        schedule.waiting = queue.values.sorted { $0.order < $1.order }.compactMap { entry in
            let reason = held.contains(entry.campaignID) ? "campaign paused" : reasons[entry.experimentID].map(Self.text)
            guard let reason else { return nil }  // it would start on the next pass
            var waiting = Labloop_V1_WaitingExperiment()
            waiting.experimentID = entry.experimentID
            waiting.campaignID = entry.campaignID
            waiting.project = entry.project
            waiting.reason = reason
            return waiting
        }
        return schedule
    }

    static func text(_ reason: WaitingReason) -> String {
        switch reason {
        case .noCapableInstrument: "no capable instrument (kind, operation or limits)"
        case .noCapableInstrumentFree: "no capable instrument free"
        case .reserved(let projects): "capable instruments reserved for \(projects.joined(separator: ", "))"
        case .overShare(let ahead): "over share (\(ahead) goes first)"
        case .behindCampaign(let campaign): "behind campaign \(campaign) of the same project"
        case .behindExperiment(let experiment): "behind \(experiment) of the same campaign"
        case .paused: "campaign paused"
        case .awaitingApproval: "awaiting approval"
        }
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
        scheduler.forget(campaign: campaignID)
    }

    var queueDepth: Int { queue.count }

    /// Stops dispatching for good (graceful shutdown).
    func stop() { stopped = true }

    /// Runs dispatch passes until nothing more can be placed.
    func kick() async {
        if stopped { return }
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

    /// A withdrawn experiment (dispatched ahead, never sent) goes back to its place in the queue.
    func requeue(_ entry: QueuedExperiment) {
        queue[entry.experimentID] = entry
    }

    private struct Reserved {
        var entry: QueuedExperiment
        var instrumentID: String
        var routingID: Data
        var campaign: CampaignActor?
        /// Held by the registry until a slot of the full instrument frees.
        var ahead: Bool
    }

    private func pass() async {
        if !reservations.isEmpty {
            await HeldAssignment.withdraw(await registry.takeHeldBlockedByReservations(),
                                          reason: "the instrument is reserved for another project")
        }
        for promotion in await registry.promoteReady() { await promotion.deliver(through: gateway) }
        let eligible = queue.values.filter { !held.contains($0.campaignID) }
        if !eligible.isEmpty { await place(eligible) }
        if queue.values.allSatisfy({ held.contains($0.campaignID) }) { await moveHeldToIdleSlots() }
    }

    private func place(_ eligible: [QueuedExperiment]) async {
        let free = await registry.freeInstruments()
        var pairs = scheduler.assign(queue: eligible, free: free, now: now, reservations: reservations,
                                     declined: declined).map { (pair: $0, ahead: false) }
        // What no free slot took may wait, committed, at a full instrument (dispatch ahead).
        let placed = Set(pairs.map(\.pair.experimentID))
        let left = eligible.filter { !placed.contains($0.experimentID) }
        if !left.isEmpty {
            let full = await registry.aheadInstruments()
            if !full.isEmpty {
                pairs += scheduler.assign(queue: left, free: full, now: now, reservations: reservations, declined: declined)
                    .map { (pair: $0, ahead: true) }
            }
        }
        var reserved: [Reserved] = []
        for (pair, ahead) in pairs where !stopped {
            // Take it out of the queue before awaiting, so no other pass can pick it.
            guard let entry = queue.removeValue(forKey: pair.experimentID) else {
                scheduler.finished(experimentID: pair.experimentID, at: now)
                continue
            }
            let campaign = campaigns[entry.campaignID]
            let routingID = if ahead, let campaign {
                await registry.stage(instrumentID: pair.instrumentID, entry: entry, campaign: campaign)
            } else {
                await registry.reserve(instrumentID: pair.instrumentID, experimentID: entry.experimentID)
            }
            guard let routingID else {
                scheduler.finished(experimentID: entry.experimentID, at: now)
                queue[entry.experimentID] = entry
                again = true
                continue
            }
            reserved.append(Reserved(entry: entry, instrumentID: pair.instrumentID, routingID: routingID,
                                     campaign: campaign, ahead: ahead))
        }
        if stopped {  // shutting down: what was reserved stays queued, in the store too, for the next start
            for item in reserved { await unreserve(item) }
            return
        }
        // Commit the pass's dispatches concurrently, so they share group commits instead of one fsync each.
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, item) in reserved.enumerated() {
                group.addTask {
                    let dispatched = await item.campaign?.dispatch(
                        experimentID: item.entry.experimentID, instrumentID: item.instrumentID, routingID: item.routingID,
                        ahead: item.ahead) ?? false
                    return (index, dispatched)
                }
            }
            var outcomes = Array(repeating: false, count: reserved.count)
            for await (index, dispatched) in group { outcomes[index] = dispatched }
            return outcomes
        }
        for (item, dispatched) in zip(reserved, outcomes) {
            let entry = item.entry
            if dispatched {
                declined[entry.experimentID] = nil
            } else {
                await unreserve(item)
                // Still queued (e.g. its campaign was paused meanwhile): keep it for a later pass.
                if await item.campaign?.isQueued(entry.experimentID) ?? false, queue[entry.experimentID] == nil {
                    queue[entry.experimentID] = entry
                }
            }
        }
    }

    /// Gives back a slot (or a place ahead) taken for a dispatch that did not happen.
    private func unreserve(_ item: Reserved) async {
        scheduler.finished(experimentID: item.entry.experimentID, at: now)
        if item.ahead {
            _ = await registry.unhold(instrumentID: item.instrumentID, experimentID: item.entry.experimentID)
        } else if let promotion = await registry.release(instrumentID: item.instrumentID, experimentID: item.entry.experimentID) {
            await promotion.deliver(through: gateway)
        }
    }

    /// Slots left free while experiments wait, held ahead, on busy instruments (the queue ran short):
    /// such an experiment is withdrawn to the queue, and the next pass gives it to a free slot. The
    /// coordinator's tick kicks a pass every second, so a slot waits at most about that long.
    private func moveHeldToIdleSlots() async {
        guard !stopped else { return }
        var (idle, candidates) = await registry.idleSlotsAndHeld(minimumHold: .milliseconds(250))
        let holders = reservations.holders(at: now)
        for (instrumentID, entry) in candidates where !held.contains(entry.campaignID) && !moved.contains(entry.experimentID) && !idle.isEmpty {
            guard let index = idle.firstIndex(where: { slot in
                      slot.canRun(entry) && !(declined[entry.experimentID]?.contains(slot.instrumentID) ?? false)
                          && (holders[slot.instrumentID]?.contains(entry.project) ?? true)
                  }),
                  let taken = await registry.unhold(instrumentID: instrumentID, experimentID: entry.experimentID)
            else { continue }
            idle[index].freeSlots -= 1
            if idle[index].freeSlots == 0 { idle.remove(at: index) }
            await HeldAssignment.withdraw([taken], reason: "a slot is free elsewhere")
            moved.insert(entry.experimentID)  // after the withdrawal, which ends its charge (and clears this)
            again = true
        }
    }
}
