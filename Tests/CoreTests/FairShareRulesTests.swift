import LabLoopCore
import Testing

/// The rules of `FairShareScheduler`, one pass at a time.
@Suite struct FairShareRulesTests {
    func queued(_ id: String, project: String, campaign: String? = nil, order: UInt64 = 0, kind: String = "reactor",
                priority: Int = 0) -> QueuedExperiment {
        QueuedExperiment(experimentID: id, campaignID: campaign ?? project.lowercased(), instrumentKind: kind,
                         operation: "react", order: order, project: project, priority: priority)
    }

    /// A scheduler in which `project` has run one experiment from 0 to `seconds` while `waiting`
    /// was queued all along (active, so not lifted when it is finally served).
    func scheduler(charging project: String, seconds: Double, campaign: String? = nil,
                   waiting: [QueuedExperiment] = [], weights: [String: Double] = [:]) -> FairShareScheduler {
        var scheduler = FairShareScheduler(projectWeights: weights)
        let refused = Dictionary(uniqueKeysWithValues: waiting.map { ($0.experimentID, Set(["past"])) })
        let assigned = scheduler.assign(queue: [queued("past", project: project, campaign: campaign)] + waiting,
                                        free: [.reactor("past")], now: 0, declined: refused)
        #expect(assigned.map(\.experimentID) == ["past"])
        scheduler.finished(experimentID: "past", at: seconds)
        return scheduler
    }

    func ids(_ assigned: [(experimentID: String, instrumentID: String)]) -> [String] {
        assigned.map { "\($0.experimentID)→\($0.instrumentID)" }
    }

    @Test func theProjectFurthestBelowItsShareGoesFirst() {
        let queue = [queued("a1", project: "A"), queued("b1", project: "B", order: 1)]
        var scheduler = scheduler(charging: "A", seconds: 100, waiting: queue)
        #expect(ids(scheduler.assign(queue: queue, free: [.reactor("r1")], now: 100)) == ["b1→r1"])
    }

    @Test func weightsScaleTheShare() {
        // A used 100 s with weight 4 (25 per unit of weight), B 50 s with weight 1 (50): A goes first.
        var scheduler = FairShareScheduler(projectWeights: ["A": 4], halfLife: .infinity)
        let past = [queued("a0", project: "A"), queued("b0", project: "B")]
        _ = scheduler.assign(queue: past, free: [.reactor("r1"), .reactor("r2")], now: 0)
        scheduler.finished(experimentID: "b0", at: 50)
        scheduler.finished(experimentID: "a0", at: 100)
        let queue = [queued("a1", project: "A"), queued("b1", project: "B")]
        #expect(ids(scheduler.assign(queue: queue, free: [.reactor("r1")], now: 150)) == ["a1→r1"])
    }

    @Test func slotsFilledInOnePassAreSpreadByExpectedTime() {
        // Nothing has accrued yet at t = 0; expected durations keep one project from taking every slot.
        var scheduler = FairShareScheduler(projectWeights: ["C": 2])
        let queue = ["A", "B", "C"].flatMap { project in
            (0..<3).map { queued("\(project.lowercased())\($0)", project: project, order: UInt64($0)) }
        }
        let assigned = scheduler.assign(queue: queue, free: (1...4).map { .reactor("r\($0)") }, now: 0)
        #expect(assigned.map(\.experimentID).sorted() == ["a0", "b0", "c0", "c1"])
    }

    @Test func capabilityBeatsShare() {
        // Only A's work fits the HPLC; it runs A's work although A is far over its share.
        let queue = [queued("a1", project: "A", kind: "hplc"), queued("b1", project: "B")]
        var scheduler = scheduler(charging: "A", seconds: 1000, waiting: queue)
        #expect(ids(scheduler.assign(queue: queue, free: [.reactor("x", kind: "hplc")], now: 1000)) == ["a1→x"])
    }

    @Test func versatileWorkLeavesTheSpecialisedSlotToWorkThatNeedsIt() {
        // a1 runs anywhere and goes first; it takes the reactor, so b1 can still have the HPLC.
        let queue = [queued("a1", project: "A", kind: ""), queued("b1", project: "B", kind: "hplc")]
        var scheduler = scheduler(charging: "B", seconds: 100, waiting: queue)
        let assigned = scheduler.assign(queue: queue, free: [.reactor("h", kind: "hplc"), .reactor("r")], now: 100)
        #expect(ids(assigned) == ["a1→r", "b1→h"])
    }

    @Test func priorityOrdersCampaignsWithinAProjectOnly() {
        let queue = [
            queued("routine1", project: "P", campaign: "routine", order: 0),
            queued("urgent1", project: "P", campaign: "urgent", order: 1, priority: 5),
            queued("urgent2", project: "P", campaign: "urgent", order: 2, priority: 5),
        ]
        let other = queued("q1", project: "Q", order: 3)
        var scheduler = scheduler(charging: "P", seconds: 100, campaign: "routine", waiting: queue + [other])
        // Within P the urgent campaign goes first, in arrival order.
        var copy = scheduler
        #expect(copy.assign(queue: queue, free: [.reactor("r1", slots: 2)], now: 100).map(\.experimentID)
            == ["urgent1", "urgent2"])
        // Across projects priority counts for nothing: Q, below its share, goes before P's urgent work.
        let assigned = scheduler.assign(queue: queue + [other], free: [.reactor("r1")], now: 100)
        #expect(assigned.map(\.experimentID) == ["q1"])
    }

    @Test func campaignsOfAProjectShareEquallyAtEqualPriority() {
        let queue = [queued("f1", project: "P", campaign: "first", order: 0),
                     queued("s1", project: "P", campaign: "second", order: 1)]
        var scheduler = scheduler(charging: "P", seconds: 100, campaign: "first", waiting: queue)
        #expect(scheduler.assign(queue: queue, free: [.reactor("r1")], now: 100).map(\.experimentID) == ["s1"])
    }

    @Test func declinedInstrumentsAreNotOfferedAgain() {
        var scheduler = FairShareScheduler()
        let queue = [queued("a1", project: "A"), queued("a2", project: "A", order: 1)]
        let assigned = scheduler.assign(queue: queue, free: [.reactor("r1")], now: 0, declined: ["a1": ["r1"]])
        #expect(ids(assigned) == ["a2→r1"])
    }

    @Test func usageDecaysWithTheHalfLife() {
        var scheduler = FairShareScheduler(halfLife: 100)
        _ = scheduler.assign(queue: [queued("a1", project: "A")], free: [.reactor("r1")], now: 0)
        scheduler.finished(experimentID: "a1", at: 50)
        let atFinish = scheduler.shares(now: 50).first!.usage
        // ∫₀⁵⁰ 2^(-(50-s)/100) ds = (100 / ln 2)(1 - 2^(-1/2))
        #expect(abs(atFinish - 100 / 0.693_147_180_559_945 * (1 - 0.707_106_781_186_547_6)) < 1e-9)
        #expect(abs(scheduler.shares(now: 150).first!.usage - atFinish / 2) < 1e-9)
        // Running time counts as it accrues.
        _ = scheduler.assign(queue: [queued("a2", project: "A")], free: [.reactor("r1")], now: 150)
        #expect(scheduler.shares(now: 160).first!.usage > atFinish / 2)
    }

    @Test func aJoiningProjectIsLiftedToTheLeastServedActiveOne() {
        var scheduler = FairShareScheduler(halfLife: .infinity)
        let a = (0..<2).map { queued("a\($0)", project: "A", order: UInt64($0)) }
        let b = (0..<2).map { queued("b\($0)", project: "B", order: UInt64($0)) }
        _ = scheduler.assign(queue: a + b, free: [.reactor("r1"), .reactor("r2")], now: 0)
        scheduler.finished(experimentID: "a0", at: 100)
        scheduler.finished(experimentID: "b0", at: 200)
        // At 200, A has 100 s and B 200 s; C joins with nothing and starts level with A, not 100 s behind.
        let c = queued("c0", project: "C", order: 9)
        _ = scheduler.assign(queue: [a[1], b[1], c], free: [], now: 200)
        let usage = Dictionary(uniqueKeysWithValues: scheduler.shares(now: 200).map { ($0.project, $0.usage) })
        #expect(usage == ["A": 100, "B": 200, "C": 100])
        // From then on A and C alternate: neither has a backlog of credit.
        let assigned = scheduler.assign(queue: [a[1], b[1], c], free: [.reactor("r1", slots: 2)], now: 200)
        #expect(assigned.map(\.experimentID).sorted() == ["a1", "c0"])
    }

    @Test func sharesReportEntitlementsOfActiveProjectsOnly() {
        var scheduler = FairShareScheduler(projectWeights: ["A": 1, "B": 3, "idle": 5])
        let queue = [queued("a1", project: "A"), queued("b1", project: "B"), queued("b2", project: "B", order: 1)]
        _ = scheduler.assign(queue: queue, free: [.reactor("r1"), .reactor("r2")], now: 0)
        let report = scheduler.shares(now: 10)
        #expect(report.map(\.project) == ["A", "B", "idle"])
        #expect(report.map(\.entitlement) == [0.25, 0.75, 0])
        #expect(report.map(\.received) == [0.5, 0.5, 0])
        #expect(report.map(\.running) == [1, 1, 0])
        #expect(report.map(\.isActive) == [true, true, false])
    }

    @Test func theOldRoundRobinPolicyIgnoresTheNewFields() {
        let queue = [queued("a1", project: "A", priority: 9), queued("b1", project: "B", order: 1)]
        #expect(DispatchPolicy.assign(queue: queue, free: [.reactor("r1", slots: 2)]).map(\.experimentID) == ["a1", "b1"])
    }
}
