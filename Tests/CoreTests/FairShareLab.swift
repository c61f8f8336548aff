import LabLoopCore

/// A small discrete-event lab for the fair-share tests: campaigns with endless backlogs, instruments
/// that finish each experiment after its duration, and a scheduler that refills free slots at every
/// event. Time is simulated; nothing sleeps.
struct FairShareLab {
    /// A campaign that always has `depth` experiments queued from `joins` on.
    struct Backlog {
        var campaign: String
        var project: String
        /// Durations in seconds, drawn uniformly.
        var durations: [Double]
        var kind = "reactor"
        var priority = 0
        var joins = 0.0
    }

    struct Run {
        var experimentID: String
        var project: String
        var campaign: String
        var instrumentID: String
        var start: Double
        var end: Double
    }

    var scheduler: FairShareScheduler
    var instruments: [FreeInstrument]
    var backlogs: [Backlog]
    var reservations: [Reservation] = []
    var depth = 6
    private(set) var now = 0.0
    private(set) var runs: [Run] = []
    private(set) var queue: [QueuedExperiment] = []
    /// Passes after which a slot stayed free while a queued experiment it may run was waiting.
    private(set) var idleWhileRunnable = 0
    private var running: [Int] = []
    private var durations: [String: Double] = [:]
    private var made: [String: Int] = [:]
    private var order: UInt64 = 0
    private var random = SplitMix64(seed: 7)

    init(scheduler: FairShareScheduler, instruments: [FreeInstrument], backlogs: [Backlog]) {
        self.scheduler = scheduler
        self.instruments = instruments
        self.backlogs = backlogs
    }

    /// Runs passes until `dispatches` experiments have started in all, or nothing can happen.
    mutating func run(dispatches: Int) {
        while runs.count < dispatches, step() {}
    }

    /// One pass at `now`, then on to the next event (a finish or a campaign joining).
    mutating func step() -> Bool {
        refill()
        let free = instruments.compactMap { instrument -> FreeInstrument? in
            var slot = instrument
            slot.freeSlots -= running.count { runs[$0].instrumentID == instrument.instrumentID }
            return slot.freeSlots > 0 ? slot : nil
        }
        let assigned = scheduler.assign(queue: queue, free: free, now: now, reservations: reservations)
        for (experimentID, instrumentID) in assigned {
            let entry = queue.first { $0.experimentID == experimentID }!
            queue.removeAll { $0.experimentID == experimentID }
            runs.append(Run(experimentID: experimentID, project: entry.project, campaign: entry.campaignID,
                            instrumentID: instrumentID, start: now, end: now + durations[experimentID]!))
            running.append(runs.count - 1)
        }
        checkWorkConserving(free: free, assigned: assigned)
        let nextFinish = running.map { runs[$0].end }.min()
        let nextJoin = backlogs.map(\.joins).filter { $0 > now }.min()
        guard let next = [nextFinish, nextJoin].compactMap(\.self).min() else { return false }
        now = next
        for index in running.sorted(by: { runs[$0].end < runs[$1].end }) where runs[index].end <= now {
            scheduler.finished(experimentID: runs[index].experimentID, at: runs[index].end)
        }
        running.removeAll { runs[$0].end <= now }
        return true
    }

    /// Each project's fraction of the instrument time used within `start..<end`.
    func shares(from start: Double, to end: Double) -> [String: Double] {
        fractions(from: start, to: end, by: \.project)
    }

    /// Each campaign's fraction of the instrument time used within `start..<end`.
    func campaignShares(from start: Double, to end: Double) -> [String: Double] {
        fractions(from: start, to: end, by: \.campaign)
    }

    private func fractions(from start: Double, to end: Double, by owner: KeyPath<Run, String>) -> [String: Double] {
        var seconds: [String: Double] = [:]
        for run in runs {
            seconds[run[keyPath: owner], default: 0] += max(0, min(run.end, end) - max(run.start, start))
        }
        let total = seconds.values.reduce(0, +)
        return seconds.mapValues { $0 / total }
    }

    /// Busy instrument-seconds within `start..<end` over the slot-seconds available.
    func utilisation(from start: Double, to end: Double) -> Double {
        let busy = runs.reduce(0) { $0 + max(0, min($1.end, end) - max($1.start, start)) }
        return busy / (Double(instruments.reduce(0) { $0 + $1.freeSlots }) * (end - start))
    }

    private mutating func refill() {
        for backlog in backlogs where backlog.joins <= now {
            let queued = queue.count { $0.campaignID == backlog.campaign }
            for _ in queued..<depth {
                made[backlog.campaign, default: 0] += 1
                let id = "\(backlog.campaign)-\(made[backlog.campaign]!)"
                durations[id] = backlog.durations.randomElement(using: &random)!
                queue.append(QueuedExperiment(experimentID: id, campaignID: backlog.campaign,
                                              instrumentKind: backlog.kind, operation: "react", order: order,
                                              project: backlog.project, priority: backlog.priority))
                order += 1
            }
        }
    }

    private mutating func checkWorkConserving(free: [FreeInstrument], assigned: [(experimentID: String, instrumentID: String)]) {
        for instrument in free {
            let taken = assigned.count { $0.instrumentID == instrument.instrumentID }
            guard taken < instrument.freeSlots else { continue }
            let holders = reservations.filter { $0.instrumentID == instrument.instrumentID && $0.isActive(at: now) }
            if queue.contains(where: { entry in
                instrument.canRun(entry) && (holders.isEmpty || holders.contains { $0.project == entry.project })
            }) {
                idleWhileRunnable += 1
            }
        }
    }
}

extension FreeInstrument {
    /// A single-slot reactor (or other kind) that runs "react".
    static func reactor(_ id: String, kind: String = "reactor", slots: Int = 1) -> FreeInstrument {
        FreeInstrument(instrumentID: id, kind: kind, operations: ["react"], freeSlots: slots)
    }
}
