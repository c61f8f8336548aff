import LabLoopCore
import Testing

/// Reservations, and the reasons `waitingReasons` gives.
@Suite struct FairShareVisibilityTests {
    func queued(_ id: String, project: String, campaign: String? = nil, order: UInt64 = 0, kind: String = "reactor",
                priority: Int = 0) -> QueuedExperiment {
        QueuedExperiment(experimentID: id, campaignID: campaign ?? project.lowercased(), instrumentKind: kind,
                         operation: "react", order: order, project: project, priority: priority)
    }

    /// r1 is A's from 10 s to 20 s.
    let window = [Reservation(instrumentID: "r1", project: "A", start: 10, end: 20)]

    func assigned(_ scheduler: FairShareScheduler, _ queue: [QueuedExperiment], free: [FreeInstrument],
                  at now: Double) -> [String] {
        var copy = scheduler
        return copy.assign(queue: queue, free: free, now: now, reservations: window).map { "\($0.experimentID)→\($0.instrumentID)" }
    }

    @Test func aReservedInstrumentIdlesRatherThanRunOtherProjectsWork() {
        let scheduler = FairShareScheduler()
        let others = [queued("b1", project: "B")]
        #expect(assigned(scheduler, others, free: [.reactor("r1")], at: 5) == ["b1→r1"])
        #expect(assigned(scheduler, others, free: [.reactor("r1")], at: 10).isEmpty)
        #expect(assigned(scheduler, others, free: [.reactor("r1")], at: 19.9).isEmpty)
        #expect(assigned(scheduler, others, free: [.reactor("r1")], at: 20) == ["b1→r1"])
        #expect(scheduler.waitingReasons(queue: others, free: [.reactor("r1")], registered: [.reactor("r1")], now: 15,
                                         reservations: window) == ["b1": .reserved(forProjects: ["A"])])
    }

    @Test func theHolderGetsItsReservedInstrumentEvenWhenOverItsShare() {
        var scheduler = FairShareScheduler()
        let queue = [queued("a1", project: "A"), queued("b1", project: "B")]
        // A ran 0–15 s on r2 while B waited (r2 refused B's work), so A is well over its share.
        _ = scheduler.assign(queue: queue, free: [.reactor("r2")], now: 0, declined: ["b1": ["r2"]])
        scheduler.finished(experimentID: "a1", at: 15)
        let next = [queued("a2", project: "A", order: 1), queued("b1", project: "B")]
        #expect(assigned(scheduler, next, free: [.reactor("r1")], at: 15) == ["a2→r1"])
        // With an open instrument free too, A takes its reserved one and leaves the open one to B.
        #expect(assigned(scheduler, next, free: [.reactor("r1"), .reactor("r2")], at: 15).sorted() == ["a2→r1", "b1→r2"])
    }

    @Test func reservationsHoldInSimulatedTime() {
        // Two instruments; r1 is A's from 100 s to 200 s. B's work never starts on r1 in the window,
        // and r1 idles there only when A has nothing queued (A's backlog is endless, so never).
        var lab = FairShareLab(scheduler: FairShareScheduler(), instruments: [.reactor("r1"), .reactor("r2")], backlogs: [
            .init(campaign: "a", project: "A", durations: [1, 2, 3]),
            .init(campaign: "b", project: "B", durations: [2]),
        ])
        lab.reservations = [Reservation(instrumentID: "r1", project: "A", start: 100, end: 200)]
        lab.run(dispatches: 300)
        let onR1InWindow = lab.runs.filter { $0.instrumentID == "r1" && $0.start >= 100 && $0.start < 200 }
        #expect(!onR1InWindow.isEmpty)
        #expect(onR1InWindow.allSatisfy { $0.project == "A" })
        #expect(lab.idleWhileRunnable == 0)
    }

    @Test func reasonsForEachKindOfWait() {
        var scheduler = FairShareScheduler(halfLife: .infinity)
        let busy = FreeInstrument.reactor("busy")
        let registered = [busy, .reactor("free1"), .reactor("h1", kind: "hplc"), .reactor("r9")]
        // A ran for 1000 s while B waited all along.
        let history = [queued("a0", project: "A"), queued("b1", project: "B", order: 1),
                       queued("b2", project: "B", order: 2)]
        _ = scheduler.assign(queue: history, free: [busy], now: 0, declined: ["b1": ["busy"], "b2": ["busy"]])
        scheduler.finished(experimentID: "a0", at: 1000)
        _ = scheduler.assign(queue: [queued("a-hold", project: "A"), queued("b1", project: "B", order: 1),
                                     queued("b2", project: "B", order: 2)],
                             free: [busy], now: 1000, declined: ["b1": ["busy"], "b2": ["busy"]])
        let reservations = [Reservation(instrumentID: "h1", project: "C", start: 0, end: 5000)]
        let queue = [
            queued("spectro", project: "A", kind: "spectrometer"),             // nothing can run it
            queued("refused", project: "A", kind: "hplc"),                     // the only HPLC refused it...
            queued("hplc", project: "B", order: 3, kind: "hplc"),              // ...and the HPLC is C's now
            queued("a1", project: "A", order: 4),
            queued("b1", project: "B", order: 1),
            queued("b2", project: "B", order: 2),
            queued("b-urgent", project: "B", campaign: "b-urgent", order: 5, priority: 9),
        ]
        let free = [FreeInstrument.reactor("free1"), .reactor("r9")]
        let reasons = scheduler.waitingReasons(queue: queue, free: free, registered: registered, now: 1000,
                                               reservations: reservations, declined: ["refused": ["h1"]])
        // b-urgent and b1 start on free1 and r9 (priority first); the rest wait.
        #expect(reasons["b-urgent"] == nil && reasons["b1"] == nil)
        #expect(reasons["spectro"] == .noCapableInstrument)
        #expect(reasons["refused"] == .noCapableInstrument)
        #expect(reasons["hplc"] == .reserved(forProjects: ["C"]))
        #expect(reasons["a1"] == .overShare(behindProject: "B"))
        #expect(reasons["b2"] == .behindExperiment("b1"))
        #expect(reasons.count == 5)
    }

    @Test func reasonsAfterAPassLookAtWhoIsNextInLine() {
        var scheduler = FairShareScheduler(halfLife: .infinity)
        let registered = [FreeInstrument.reactor("r1")]
        let queue = [
            queued("p-routine", project: "P", campaign: "routine", order: 0),
            queued("p-urgent", project: "P", campaign: "urgent", order: 1, priority: 3),
            queued("p-urgent2", project: "P", campaign: "urgent", order: 2, priority: 3),
        ]
        #expect(scheduler.assign(queue: queue, free: registered, now: 0).map(\.experimentID) == ["p-urgent"])
        let left = Array(queue.filter { $0.experimentID != "p-urgent" })
        let reasons = scheduler.waitingReasons(queue: left, free: [], registered: registered, now: 1)
        #expect(reasons == ["p-urgent2": .noCapableInstrumentFree, "p-routine": .behindCampaign("urgent")])
    }
}
