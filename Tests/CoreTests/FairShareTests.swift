import LabLoopCore
import Testing

/// Shares over simulated time (see `FairShareLab`). Shares are fractions of all instrument time
/// used in the measured window; tolerances are absolute (0.05 = five percentage points).
@Suite struct FairShareTests {
    static let tolerance = 0.05

    func lab(weights: [String: Double], instruments: Int, backlogs: [FairShareLab.Backlog]) -> FairShareLab {
        FairShareLab(scheduler: FairShareScheduler(projectWeights: weights),
                     instruments: (1...instruments).map { .reactor("r\($0)") }, backlogs: backlogs)
    }

    static let threeProjects: [FairShareLab.Backlog] = [
        .init(campaign: "a", project: "A", durations: [1]),
        .init(campaign: "b", project: "B", durations: [3]),
        .init(campaign: "c", project: "C", durations: [1, 2, 3, 4, 5]),
    ]

    @Test func instrumentTimeFollowsTheWeights() {
        var lab = lab(weights: ["A": 1, "B": 1, "C": 2], instruments: 4, backlogs: Self.threeProjects)
        lab.run(dispatches: 600)
        let end = lab.runs.last!.start
        let shares = lab.shares(from: 0, to: end)
        #expect(abs(shares["A"]! - 0.25) <= Self.tolerance, "A \(shares)")
        #expect(abs(shares["B"]! - 0.25) <= Self.tolerance, "B \(shares)")
        #expect(abs(shares["C"]! - 0.50) <= Self.tolerance, "C \(shares)")
        // Time, not experiment count, is shared: A's one-second runs go three times as often as B's.
        let count = { (project: String) in lab.runs.count { $0.project == project } }
        #expect(count("A") > 2 * count("B"))
        #expect(lab.idleWhileRunnable == 0)
        #expect(lab.utilisation(from: 0, to: end) > 0.9999)
        // The scheduler's own report agrees (its window decays, the measurement above does not).
        for line in lab.scheduler.shares(now: end) {
            #expect(line.isActive)
            #expect(abs(line.received - line.entitlement) <= Self.tolerance, "\(line)")
        }
        #expect(lab.scheduler.shares(now: end).map(\.entitlement) == [0.25, 0.25, 0.5])
    }

    @Test func aLateProjectGetsItsShareFromThenOnWithoutABurst() {
        let join = 150.0
        var lab = lab(weights: ["A": 1, "B": 1, "C": 2, "D": 1], instruments: 4,
                      backlogs: Self.threeProjects + [.init(campaign: "d", project: "D", durations: [2], joins: join)])
        lab.run(dispatches: 900)
        let end = lab.runs.last!.start
        #expect(end > join + 250)
        let after = lab.shares(from: join, to: end)
        for (project, entitlement) in ["A": 0.2, "B": 0.2, "C": 0.4, "D": 0.2] {
            #expect(abs(after[project]! - entitlement) <= Self.tolerance, "\(project) \(after)")
        }
        // Right after joining it takes about its share, not the idle instruments' worth of catch-up.
        let firstSeconds = lab.shares(from: join, to: join + 10)
        #expect(firstSeconds["D"]! <= 0.3, "\(firstSeconds)")
        let firstDispatches = lab.runs.filter { $0.start >= join }.prefix(20)
        #expect(firstDispatches.count { $0.project == "D" } <= 6)
        // Before it joined the others split the lab 1:1:2.
        let before = lab.shares(from: 0, to: join)
        #expect(abs(before["C"]! - 0.5) <= Self.tolerance, "\(before)")
    }

    @Test func aSingleProjectUsesEveryInstrument() {
        var lab = lab(weights: [:], instruments: 4, backlogs: [
            .init(campaign: "fast", project: "P", durations: [1, 2]),
            .init(campaign: "slow", project: "P", durations: [1, 2, 3, 4, 5]),
        ])
        lab.run(dispatches: 400)
        let end = lab.runs.last!.start
        #expect(lab.utilisation(from: 0, to: end) > 0.9999)
        #expect(lab.idleWhileRunnable == 0)
        // Campaigns of one project share its time equally by default.
        let byCampaign = lab.campaignShares(from: 0, to: end)
        #expect(abs(byCampaign["fast"]! - 0.5) <= Self.tolerance, "\(byCampaign)")
    }

    @Test func aSmallWeightIsServedNotStarved() {
        var lab = lab(weights: ["heavy": 1, "light": 0.1], instruments: 2, backlogs: [
            .init(campaign: "h", project: "heavy", durations: [2]),
            .init(campaign: "l", project: "light", durations: [2]),
        ])
        lab.run(dispatches: 400)
        let end = lab.runs.last!.start
        let shares = lab.shares(from: 0, to: end)
        #expect(abs(shares["light"]! - 0.1 / 1.1) <= Self.tolerance, "\(shares)")
        // Served all along, not only at the start: some light run starts in every 60 s window.
        for window in stride(from: 0.0, to: end - 60, by: 60) {
            #expect(lab.runs.contains { $0.project == "light" && $0.start >= window && $0.start < window + 60 },
                    "no light run in \(window)..<\(window + 60)")
        }
    }
}
