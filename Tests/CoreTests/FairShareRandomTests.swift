import LabLoopCore
import Testing

/// Random queues, instruments, reservations and refusals over many passes of one scheduler.
@Suite struct FairShareRandomTests {
    @Test func everyPassIsLegalAndWorkConserving() {
        var random = SplitMix64(seed: 2025)
        var scheduler = FairShareScheduler(projectWeights: ["P1": 1, "P2": 2, "P3": 0.5], halfLife: 120)
        let kinds = ["reactor", "hplc"]
        let operations = ["react", "analyse", "clean"]
        var now = 0.0
        var running: [String] = []
        for pass in 0..<300 {
            now += Double.random(in: 0...5, using: &random)
            let ending = running.filter { _ in Bool.random(using: &random) }
            for id in ending { scheduler.finished(experimentID: id, at: now) }
            running.removeAll { ending.contains($0) }
            let queue = (0..<Int.random(in: 0...12, using: &random)).map { index in
                let campaign = ["a", "b", "c", "d"].randomElement(using: &random)!
                return QueuedExperiment(experimentID: "e\(pass)-\(index)", campaignID: campaign,
                                        instrumentKind: (kinds + [""]).randomElement(using: &random)!,
                                        operation: operations.randomElement(using: &random)!,
                                        order: UInt64.random(in: 0...100, using: &random),
                                        project: ["a": "P1", "b": "P1", "c": "P2", "d": "P3"][campaign]!,
                                        priority: Int.random(in: 0...1, using: &random))
            }
            let free = (0..<Int.random(in: 0...4, using: &random)).map { index in
                FreeInstrument(instrumentID: "i\(index)", kind: kinds.randomElement(using: &random)!,
                               operations: Set(operations.filter { _ in Bool.random(using: &random) }),
                               freeSlots: Int.random(in: 0...3, using: &random))
            }
            let reservations = free.filter { _ in Int.random(in: 0..<4, using: &random) == 0 }.map {
                Reservation(instrumentID: $0.instrumentID, project: ["P1", "P2", "P3"].randomElement(using: &random)!,
                            start: now - 1, end: now + 1)
            }
            let declined = Dictionary(uniqueKeysWithValues: queue.filter { _ in Bool.random(using: &random) }
                .map { ($0.experimentID, Set(["i0"])) })
            let assigned = scheduler.assign(queue: queue, free: free, now: now, reservations: reservations,
                                            declined: declined)
            running += assigned.map(\.experimentID)
            check(assigned, queue: queue, free: free, reservations: reservations, declined: declined)
        }
    }

    func check(_ assigned: [(experimentID: String, instrumentID: String)], queue: [QueuedExperiment],
               free: [FreeInstrument], reservations: [Reservation], declined: [String: Set<String>]) {
        let experiments = Dictionary(uniqueKeysWithValues: queue.map { ($0.experimentID, $0) })
        var remaining = Dictionary(uniqueKeysWithValues: free.map { ($0.instrumentID, $0.freeSlots) })
        func allowed(_ experiment: QueuedExperiment, on instrument: FreeInstrument) -> Bool {
            let holders = reservations.filter { $0.instrumentID == instrument.instrumentID }.map(\.project)
            return instrument.canRun(experiment) && !(declined[experiment.experimentID]?.contains(instrument.instrumentID) ?? false)
                && (holders.isEmpty || holders.contains(experiment.project))
        }
        #expect(Set(assigned.map(\.experimentID)).count == assigned.count, "an experiment was assigned twice")
        for (experimentID, instrumentID) in assigned {
            guard let experiment = experiments[experimentID],
                  let instrument = free.first(where: { $0.instrumentID == instrumentID }) else {
                Issue.record("unknown experiment or instrument in \(experimentID) → \(instrumentID)")
                continue
            }
            #expect(allowed(experiment, on: instrument), "\(experimentID) may not run on \(instrumentID)")
            remaining[instrumentID, default: 0] -= 1
        }
        #expect(remaining.values.allSatisfy { $0 >= 0 }, "more work than free slots")
        let done = Set(assigned.map(\.experimentID))
        for experiment in queue where !done.contains(experiment.experimentID) {
            let idle = free.filter { remaining[$0.instrumentID, default: 0] > 0 && allowed(experiment, on: $0) }
            #expect(idle.isEmpty, "\(experiment.experimentID) waits while \(idle.map(\.instrumentID)) could run it")
        }
        // Within a campaign, interchangeable experiments of equal priority leave in arrival order.
        for later in assigned.compactMap({ experiments[$0.experimentID] }) {
            let skipped = queue.filter {
                $0.campaignID == later.campaignID && $0.order < later.order && !done.contains($0.experimentID)
                    && $0.instrumentKind == later.instrumentKind && $0.operation == later.operation
                    && $0.priority == later.priority && declined[$0.experimentID] == declined[later.experimentID]
            }
            #expect(skipped.isEmpty, "\(later.experimentID) overtook \(skipped.map(\.experimentID))")
        }
    }
}
