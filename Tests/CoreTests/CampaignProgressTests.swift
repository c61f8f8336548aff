import LabLoopCore
import Testing

@Suite struct CampaignProgressTests {
    /// Progress with `accepted` candidates, of which `states` are the live experiments' states.
    func progress(accepted: Int, states: [ExperimentState]) -> CampaignProgress {
        var progress = CampaignProgress()
        progress.candidatesAccepted = accepted
        for state in states { progress.move(from: nil, to: state) }
        return progress
    }

    @Test func candidatesWantedIsLimitedByParallelismAndBudget() {
        let spec = Fixtures.spec() // 10 experiments, 3 in parallel
        #expect(progress(accepted: 0, states: []).candidatesWanted(spec: spec) == 3)
        #expect(progress(accepted: 2, states: [.queued, .running]).candidatesWanted(spec: spec) == 1)
        // Finished experiments free their parallel slot.
        #expect(progress(accepted: 5, states: [.completed, .failed, .running]).candidatesWanted(spec: spec) == 2)
        // Budget: 9 accepted leaves room for one, whatever the parallelism.
        #expect(progress(accepted: 9, states: [.completed]).candidatesWanted(spec: spec) == 1)
        #expect(progress(accepted: 10, states: []).candidatesWanted(spec: spec) == 0)
        // Never negative, even when over both limits.
        let over = progress(accepted: 12, states: [.queued, .queued, .dispatched, .running, .awaitingApproval])
        #expect(over.candidatesWanted(spec: spec) == 0)
    }

    @Test func countsFollowMoves() {
        var progress = CampaignProgress()
        progress.move(from: nil, to: .awaitingApproval)
        progress.move(from: .awaitingApproval, to: .queued)
        progress.move(from: .queued, to: .dispatched)
        #expect(progress.active == 1)
        #expect(progress.atInstruments == 1)
        progress.move(from: .dispatched, to: .completed)
        #expect(progress.active == 0)
        #expect(progress.atInstruments == 0)
        #expect(progress.counts[.completed] == 1)
    }

    @Test func stopsWhenBudgetIsSpent() {
        let spec = Fixtures.spec()
        #expect(progress(accepted: 9, states: []).stopReason(spec: spec, nowUnixMs: 0) == nil)
        let reason = progress(accepted: 10, states: []).stopReason(spec: spec, nowUnixMs: 0)
        #expect(reason?.contains("budget") == true)
    }

    @Test(arguments: [Direction.maximize, .minimize])
    func stopsAtTargetOnlyWhenAsked(direction: Direction) {
        var spec = Fixtures.spec(direction: direction, target: 90)
        let objective = spec.objective
        let (short, reached) = direction == .maximize ? (89.0, 90.5) : (90.5, 89.0)
        var progress = CampaignProgress()
        progress.record(objective: short, experimentID: "e1", objective: objective)
        spec.stopAtTarget = true
        #expect(progress.stopReason(spec: spec, nowUnixMs: 0) == nil)
        progress.record(objective: reached, experimentID: "e2", objective: objective)
        #expect(progress.best == reached)
        #expect(progress.bestExperimentID == "e2")
        #expect(progress.stopReason(spec: spec, nowUnixMs: 0)?.contains("target 90 reached") == true)
        spec.stopAtTarget = false
        #expect(progress.stopReason(spec: spec, nowUnixMs: 0) == nil)
    }

    @Test func stopsAfterNoImprovementWindow() {
        var spec = Fixtures.spec()
        spec.noImprovementWindow = 3
        let objective = spec.objective
        var progress = CampaignProgress()
        progress.record(objective: 50, experimentID: "e1", objective: objective)
        progress.record(objective: 40, experimentID: "e2", objective: objective)
        progress.record(objective: 50, experimentID: "e3", objective: objective) // a tie is no improvement
        #expect(progress.completedSinceImprovement == 2)
        #expect(progress.stopReason(spec: spec, nowUnixMs: 0) == nil)
        progress.record(objective: 45, experimentID: "e4", objective: objective)
        #expect(progress.stopReason(spec: spec, nowUnixMs: 0)?.contains("no improvement in 3") == true)
        // An improvement resets the count.
        progress.record(objective: 51, experimentID: "e5", objective: objective)
        #expect(progress.completedSinceImprovement == 0)
        #expect(progress.stopReason(spec: spec, nowUnixMs: 0) == nil)
    }

    @Test func stopsAtDeadline() {
        var spec = Fixtures.spec()
        spec.deadlineUnixMs = 1_000
        let progress = CampaignProgress()
        #expect(progress.stopReason(spec: spec, nowUnixMs: 999) == nil)
        #expect(progress.stopReason(spec: spec, nowUnixMs: 1_000) == "deadline passed")
    }
}
