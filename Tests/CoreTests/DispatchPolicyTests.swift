import LabLoopCore
import Testing

@Suite struct DispatchPolicyTests {
    func queued(_ id: String, campaign: String, order: UInt64, kind: String = "reactor",
                operation: String = "react") -> QueuedExperiment {
        QueuedExperiment(experimentID: id, campaignID: campaign, instrumentKind: kind, operation: operation, order: order)
    }

    func reactor(_ id: String, slots: Int, kind: String = "reactor", operations: Set<String> = ["react"]) -> FreeInstrument {
        FreeInstrument(instrumentID: id, kind: kind, operations: operations, freeSlots: slots)
    }

    @Test func campaignsTakeTurns() {
        let queue = ["a1", "a2", "a3"].enumerated().map { queued($1, campaign: "A", order: UInt64($0)) }
            + ["b1", "b2", "b3"].enumerated().map { queued($1, campaign: "B", order: UInt64($0)) }
        let assigned = DispatchPolicy.assign(queue: queue, free: [reactor("r1", slots: 4)])
        #expect(assigned.map(\.experimentID) == ["a1", "b1", "a2", "b2"])
        #expect(assigned.allSatisfy { $0.instrumentID == "r1" })
    }

    @Test func roundRobinStartsAfterLastServedCampaign() {
        let queue = ["A", "B", "C"].map { queued("\($0.lowercased())1", campaign: $0, order: 0) }
        let free = [reactor("r1", slots: 2)]
        #expect(DispatchPolicy.assign(queue: queue, free: free, lastServedCampaign: "A").map(\.experimentID) == ["b1", "c1"])
        #expect(DispatchPolicy.assign(queue: queue, free: free, lastServedCampaign: "B").map(\.experimentID) == ["c1", "a1"])
        // Past the last campaign it wraps around to the first.
        #expect(DispatchPolicy.assign(queue: queue, free: free, lastServedCampaign: "C").map(\.experimentID) == ["a1", "b1"])
    }

    @Test func eachCampaignIsServedInArrivalOrder() {
        let queue = [queued("late", campaign: "A", order: 9), queued("early", campaign: "A", order: 1),
                     queued("middle", campaign: "A", order: 5)]
        let assigned = DispatchPolicy.assign(queue: queue, free: [reactor("r1", slots: 2)])
        #expect(assigned.map(\.experimentID) == ["early", "middle"])
    }

    @Test func instrumentsMustMatchKindAndOperation() {
        let queue = [
            queued("wrong-kind", campaign: "A", order: 0, kind: "hplc"),
            queued("wrong-operation", campaign: "A", order: 1, operation: "clean"),
            queued("any-kind", campaign: "A", order: 2, kind: ""),
        ]
        let assigned = DispatchPolicy.assign(queue: queue, free: [reactor("r1", slots: 5)])
        #expect(assigned.map(\.experimentID) == ["any-kind"])
        let hplc = FreeInstrument(instrumentID: "h1", kind: "hplc", operations: ["react"], freeSlots: 1)
        #expect(DispatchPolicy.assign(queue: queue, free: [hplc]).map(\.experimentID) == ["wrong-kind"])
    }

    @Test func blockedHeadDoesNotHoldBackRunnableWork() {
        // A's first experiment has no instrument; its second must still go (work-conserving).
        let queue = [queued("stuck", campaign: "A", order: 0, operation: "analyse"),
                     queued("ready", campaign: "A", order: 1)]
        let assigned = DispatchPolicy.assign(queue: queue, free: [reactor("r1", slots: 1)])
        #expect(assigned.map(\.experimentID) == ["ready"])
    }

    @Test func fullInstrumentsGetNothingAndEmptyInputsGiveNothing() {
        let queue = [queued("a1", campaign: "A", order: 0)]
        #expect(DispatchPolicy.assign(queue: queue, free: [reactor("r1", slots: 0)]).isEmpty)
        #expect(DispatchPolicy.assign(queue: queue, free: []).isEmpty)
        #expect(DispatchPolicy.assign(queue: [], free: [reactor("r1", slots: 3)]).isEmpty)
    }

    /// Random queues and instruments: every assignment is legal, no slot is overfilled, and no
    /// slot stays free while a queued experiment it could run is left waiting.
    @Test func randomScenariosAreLegalAndWorkConserving() {
        var rng = SplitMix64(seed: 2024)
        let kinds = ["reactor", "hplc"]
        let operations = ["react", "analyse", "clean"]
        for _ in 0..<300 {
            let queue = (0..<Int.random(in: 0...12, using: &rng)).map { index in
                queued("e\(index)", campaign: ["A", "B", "C"].randomElement(using: &rng)!,
                       order: UInt64.random(in: 0...100, using: &rng),
                       kind: (kinds + [""]).randomElement(using: &rng)!,
                       operation: operations.randomElement(using: &rng)!)
            }
            let free = (0..<Int.random(in: 0...4, using: &rng)).map { index in
                FreeInstrument(instrumentID: "i\(index)", kind: kinds.randomElement(using: &rng)!,
                               operations: Set(operations.filter { _ in Bool.random(using: &rng) }),
                               freeSlots: Int.random(in: 0...3, using: &rng))
            }
            let assigned = DispatchPolicy.assign(queue: queue, free: free, lastServedCampaign: "B")
            check(assigned, queue: queue, free: free)
        }
    }

    func check(_ assigned: [(experimentID: String, instrumentID: String)], queue: [QueuedExperiment],
               free: [FreeInstrument]) {
        let experiments = Dictionary(uniqueKeysWithValues: queue.map { ($0.experimentID, $0) })
        var remaining = Dictionary(uniqueKeysWithValues: free.map { ($0.instrumentID, $0.freeSlots) })
        #expect(Set(assigned.map(\.experimentID)).count == assigned.count, "an experiment was assigned twice")
        for (experimentID, instrumentID) in assigned {
            guard let experiment = experiments[experimentID],
                  let instrument = free.first(where: { $0.instrumentID == instrumentID }) else {
                Issue.record("unknown experiment or instrument in \(experimentID) → \(instrumentID)")
                continue
            }
            #expect(instrument.canRun(experiment))
            remaining[instrumentID, default: 0] -= 1
        }
        #expect(remaining.values.allSatisfy { $0 >= 0 }, "more work than free slots")
        #expect(assigned.count <= free.reduce(0) { $0 + max($1.freeSlots, 0) })
        let done = Set(assigned.map(\.experimentID))
        for experiment in queue where !done.contains(experiment.experimentID) {
            let idle = free.filter { remaining[$0.instrumentID, default: 0] > 0 && $0.canRun(experiment) }
            #expect(idle.isEmpty, "\(experiment.experimentID) waits while \(idle.map(\.instrumentID)) could run it")
        }
        // Within a campaign, interchangeable experiments leave in arrival order.
        for later in assigned.compactMap({ experiments[$0.experimentID] }) {
            let skipped = queue.filter {
                $0.campaignID == later.campaignID && $0.order < later.order && !done.contains($0.experimentID)
                    && $0.instrumentKind == later.instrumentKind && $0.operation == later.operation
            }
            #expect(skipped.isEmpty, "\(later.experimentID) overtook \(skipped.map(\.experimentID))")
        }
    }
}
