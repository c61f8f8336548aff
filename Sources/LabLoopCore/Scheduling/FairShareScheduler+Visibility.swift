/// Reports for people: who received what, and why each queued experiment waits.
extension FairShareScheduler {
    /// Each project's decayed instrument time against its entitlement, sorted by project.
    /// Activity is as of the last `assign` (queued work) and now (running work).
    public func shares(now: Double) -> [ProjectShare] {
        let now = max(now, clock)
        let names = Set(projects.keys).union(projectWeights.keys).sorted()
        let usage = Dictionary(uniqueKeysWithValues: names.map {
            ($0, projects[$0]?.usage.seconds(at: now, decayRate: decayRate) ?? 0)
        })
        let active = Set(names.filter { projects[$0].map { $0.isActive || $0.usage.running > 0 } ?? false })
        let activeWeight = active.reduce(0) { $0 + weight(of: $1) }
        let totalUsage = usage.values.reduce(0, +)
        return names.map { name in
            ProjectShare(project: name, weight: weight(of: name), isActive: active.contains(name),
                         entitlement: active.contains(name) ? weight(of: name) / activeWeight : 0,
                         received: totalUsage > 0 ? usage[name, default: 0] / totalUsage : 0,
                         usage: usage[name, default: 0], running: projects[name]?.usage.running ?? 0)
        }
    }

    /// Why each queued experiment that `assign` would not start now is waiting; those it would
    /// start are absent. Works on a copy: nothing is recorded.
    ///
    /// Call it with the queue and free slots left after a pass, or with those a pass would see.
    /// `registered` lists every connected instrument (its `freeSlots` are ignored); the free ones
    /// count as registered too. `.paused` and `.awaitingApproval` are the caller's to add.
    public func waitingReasons(queue: [QueuedExperiment], free: [FreeInstrument], registered: [FreeInstrument],
                               now: Double, reservations: [Reservation] = [],
                               declined: [String: Set<String>] = [:]) -> [String: WaitingReason] {
        var after = self
        let now = after.observe(now)
        after.refreshActivity(queue: queue, now: now)
        let holders = reservations.holders(at: now)
        var slots = PlannedSlot.slots(free: free, holders: holders)
        let starts = after.plan(queue: queue, slots: &slots, now: now, declined: declined)
        let started = Set(starts.map { queue[$0.experiment].experimentID })
        let waiting = queue.filter { !started.contains($0.experimentID) }

        var instruments = Dictionary(registered.map { ($0.instrumentID, $0) }, uniquingKeysWith: { first, _ in first })
        for instrument in free where instruments[instrument.instrumentID] == nil { instruments[instrument.instrumentID] = instrument }
        let sorted = instruments.values.sorted { $0.instrumentID < $1.instrumentID }

        // Who would start first if only this instrument freed up, after this pass.
        var nextInLine: [String: QueuedExperiment?] = [:]
        func firstWhenFree(_ instrument: FreeInstrument) -> QueuedExperiment? {
            if let known = nextInLine[instrument.instrumentID] { return known }
            var probe = after
            var single = PlannedSlot.slots(free: [Self.oneSlot(of: instrument)], holders: holders)
            let first = probe.plan(queue: waiting, slots: &single, now: now, declined: declined).first
                .map { waiting[$0.experiment] }
            nextInLine[instrument.instrumentID] = first
            return first
        }

        var reasons: [String: WaitingReason] = [:]
        for entry in waiting {
            let capable = sorted.filter {
                $0.canRun(entry) && !(declined[entry.experimentID]?.contains($0.instrumentID) ?? false)
            }
            guard !capable.isEmpty else {
                reasons[entry.experimentID] = .noCapableInstrument
                continue
            }
            let allowed = capable.filter { holders[$0.instrumentID]?.contains(entry.project) ?? true }
            guard !allowed.isEmpty else {
                let owners = capable.reduce(into: Set<String>()) { $0.formUnion(holders[$1.instrumentID] ?? []) }
                reasons[entry.experimentID] = .reserved(forProjects: owners.sorted())
                continue
            }
            let allowedIDs = Set(allowed.map(\.instrumentID))
            // Free slots it could have used went to others this pass: the last of them beat it.
            if let rival = starts.last(where: { allowedIDs.contains(slots[$0.slot].instrument.instrumentID) }) {
                reasons[entry.experimentID] = Self.reason(entry, behind: queue[rival.experiment])
                continue
            }
            let rivals = allowed.compactMap(firstWhenFree)
            if let rival = rivals.first, !rivals.contains(where: { $0.experimentID == entry.experimentID }) {
                reasons[entry.experimentID] = Self.reason(entry, behind: rival)
            } else {
                reasons[entry.experimentID] = .noCapableInstrumentFree
            }
        }
        return reasons
    }

    static func reason(_ entry: QueuedExperiment, behind rival: QueuedExperiment) -> WaitingReason {
        if rival.project != entry.project { return .overShare(behindProject: rival.project) }
        if rival.campaignID != entry.campaignID { return .behindCampaign(rival.campaignID) }
        return .behindExperiment(rival.experimentID)
    }

    static func oneSlot(of instrument: FreeInstrument) -> FreeInstrument {
        var single = instrument
        single.freeSlots = 1
        return single
    }
}
