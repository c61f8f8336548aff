/// One free instrument as a pass sees it.
struct PlannedSlot: Sendable {
    var instrument: FreeInstrument
    var remaining: Int
    /// Projects holding an active reservation on the instrument; nil when it is not reserved.
    var holders: Set<String>?

    static func slots(free: [FreeInstrument], holders: [String: Set<String>]) -> [PlannedSlot] {
        free.filter { $0.freeSlots > 0 }
            .sorted { $0.instrumentID < $1.instrumentID }
            .map { PlannedSlot(instrument: $0, remaining: $0.freeSlots, holders: holders[$0.instrumentID]) }
    }

    /// Whether the slot may take `entry`, leaving aside whether this instrument declined it before:
    /// the same for every slot with the same `Signature`.
    func acceptsApartFromDeclines(_ entry: QueuedExperiment) -> Bool {
        instrument.canRun(entry) && (holders?.contains(entry.project) ?? true)
    }

    /// What decides which experiments a slot accepts, apart from declines: slots that share it (a rack of
    /// identical instruments) accept the same experiments.
    private struct Signature: Hashable {
        var kind: String
        var operations: Set<String>
        var limits: [String: ParameterLimits]
        var holders: Set<String>?
    }

    /// For each queued experiment, the indices of the slots that accept it and whose instrument has not
    /// declined it. Judged once per group of alike slots, so a pass over a thousand identical free
    /// instruments does not check each experiment's limits a thousand times.
    static func candidates(for queue: [QueuedExperiment], in slots: [PlannedSlot],
                           declined: [String: Set<String>]) -> [[Int]] {
        var groupOf: [Signature: Int] = [:]
        var groups: [(example: PlannedSlot, members: [Int])] = []
        for index in slots.indices {
            let slot = slots[index]
            let signature = Signature(kind: slot.instrument.kind, operations: slot.instrument.operations,
                                      limits: slot.instrument.limits, holders: slot.holders)
            if let group = groupOf[signature] {
                groups[group].members.append(index)
            } else {
                groupOf[signature] = groups.count
                groups.append((slot, [index]))
            }
        }
        return queue.map { entry in
            let refused = declined[entry.experimentID]
            var accepted: [Int] = []
            for group in groups where group.example.acceptsApartFromDeclines(entry) {
                if let refused {
                    accepted += group.members.filter { !refused.contains(slots[$0].instrument.instrumentID) }
                } else {
                    accepted += group.members
                }
            }
            return accepted.sorted()
        }
    }
}

extension FairShareScheduler {
    struct PlannedStart: Sendable, Hashable {
        /// Index into the queue.
        var experiment: Int
        /// Index into the slots.
        var slot: Int
    }

    /// Fills `slots` one start at a time, recording each start; the order of the result is the
    /// order of preference.
    mutating func plan(queue: [QueuedExperiment], slots: inout [PlannedSlot], now: Double,
                       declined: [String: Set<String>]) -> [PlannedStart] {
        // Which slots each experiment may use never changes during a pass; only their room does.
        let candidates = PlannedSlot.candidates(for: queue, in: slots, declined: declined)
        // How many waiting experiments each slot could take, to keep versatile slots for last.
        var demand = [Int](repeating: 0, count: slots.count)
        var byProject: [String: [Int]] = [:]
        // For each experiment, how many of its slots still have room; for each slot, who may use it.
        // Room only shrinks during a pass, so an experiment left with none drops out for good.
        var open = [Int](repeating: 0, count: queue.count)
        var users = [[Int]](repeating: [], count: slots.count)
        for index in queue.indices where !candidates[index].isEmpty {
            byProject[queue[index].project, default: []].append(index)
            for slot in candidates[index] {
                demand[slot] += 1
                users[slot].append(index)
                if slots[slot].remaining > 0 { open[index] += 1 }
            }
        }
        var starts: [PlannedStart] = []
        while true {
            for project in Array(byProject.keys) {
                byProject[project]!.removeAll { open[$0] <= 0 }
                if byProject[project]!.isEmpty { byProject[project] = nil }
            }
            guard !byProject.isEmpty else { break }
            let outstanding = outstanding(at: now)
            let project = Self.lowest(byProject.keys) { projectKey($0, at: now, outstanding) }
            let index = choose(among: byProject[project]!, of: queue, at: now, outstanding)
            let slot = candidates[index].filter { slots[$0].remaining > 0 }.min { first, second in
                // The project's own reserved slot first, leaving open slots to others; then the
                // slot fewest others could use; then by instrument ID.
                let reserved = (slots[first].holders != nil, slots[second].holders != nil)
                if reserved.0 != reserved.1 { return reserved.0 }
                if demand[first] != demand[second] { return demand[first] < demand[second] }
                return first < second
            }!
            slots[slot].remaining -= 1
            if slots[slot].remaining == 0 { for user in users[slot] { open[user] -= 1 } }
            for other in candidates[index] { demand[other] -= 1 }
            open[index] = 0  // started: out of the running
            start(queue[index], at: now)
            starts.append(PlannedStart(experiment: index, slot: slot))
        }
        return starts
    }

    /// Within one project: the highest priority, then the campaign furthest below its share, then
    /// the earliest arrival.
    func choose(among indices: [Int], of queue: [QueuedExperiment], at now: Double, _ outstanding: Outstanding) -> Int {
        let top = indices.map { queue[$0].priority }.max()!
        let atTop = indices.filter { queue[$0].priority == top }
        let campaign = Self.lowest(Set(atTop.map { queue[$0].campaignID })) { campaignKey($0, at: now, outstanding) }
        return atTop.filter { queue[$0].campaignID == campaign }.min { first, second in
            let (a, b) = (queue[first], queue[second])
            return a.order != b.order ? a.order < b.order : a.experimentID < b.experimentID
        }!
    }

    /// The name with the lowest key; ties go to the smaller name, so passes are reproducible.
    static func lowest(_ names: some Sequence<String>, key: (String) -> Double) -> String {
        var best: (name: String, key: Double)?
        for name in names {
            let value = key(name)
            if let current = best, current.key < value || (current.key == value && current.name < name) { continue }
            best = (name, value)
        }
        return best!.name
    }
}
