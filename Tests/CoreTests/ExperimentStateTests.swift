import LabLoopCore
import Testing

@Suite struct ExperimentStateTests {
    /// The whole transition table, written out independently of the implementation.
    static let legalMoves: Set<[ExperimentState]> = [
        [.awaitingApproval, .queued], [.awaitingApproval, .rejected], [.awaitingApproval, .cancelled],
        [.queued, .dispatched], [.queued, .cancelled],
        [.dispatched, .running], [.dispatched, .queued], [.dispatched, .completed], [.dispatched, .failed],
        [.dispatched, .cancelled], [.dispatched, .needsReview],
        [.running, .completed], [.running, .failed], [.running, .cancelled], [.running, .needsReview],
    ]

    @Test func canMoveMatchesTheTable() {
        for from in ExperimentState.allCases {
            for to in ExperimentState.allCases {
                #expect(from.canMove(to: to) == Self.legalMoves.contains([from, to]), "\(from) → \(to)")
            }
        }
    }

    @Test func nothingLeavesATerminalState() {
        let terminal = ExperimentState.allCases.filter(\.isTerminal)
        #expect(Set(terminal) == [.completed, .failed, .cancelled, .rejected, .needsReview])
        for state in terminal {
            #expect(ExperimentState.allCases.allSatisfy { !state.canMove(to: $0) }, "\(state) has a way out")
        }
    }

    @Test func onlyDispatchedAndRunningAreAtAnInstrument() {
        #expect(Set(ExperimentState.allCases.filter(\.isAtInstrument)) == [.dispatched, .running])
    }

    @Test(arguments: [
        [ExperimentState.queued, .dispatched, .running, .completed],
        [.awaitingApproval, .queued, .dispatched, .running, .failed],
        [.awaitingApproval, .rejected],
        [.queued, .dispatched, .queued, .dispatched, .completed],
        [.queued, .dispatched, .needsReview],
        [.queued],
    ])
    func legalHistories(path: [ExperimentState]) {
        #expect(ExperimentState.isLegalHistory(path))
    }

    @Test(arguments: [
        [ExperimentState](),
        [.dispatched, .running, .completed],
        [.running],
        [.queued, .running, .completed],
        [.queued, .dispatched, .running, .completed, .running],
        [.queued, .cancelled, .queued],
        [.awaitingApproval, .dispatched],
        [.queued, .queued],
    ])
    func illegalHistories(path: [ExperimentState]) {
        #expect(!ExperimentState.isLegalHistory(path))
    }

    @Test func rawValuesAreTheWireNames() {
        #expect(ExperimentState.awaitingApproval.rawValue == "awaiting_approval")
        #expect(ExperimentState.needsReview.rawValue == "needs_review")
        #expect(ExperimentState(rawValue: "running") == .running)
    }

    @Test func campaignStateMoves() {
        #expect(CampaignState.running.canMove(to: .paused))
        #expect(CampaignState.paused.canMove(to: .running))
        #expect(!CampaignState.running.canMove(to: .running))
        for state in CampaignState.allCases where state.isTerminal {
            #expect(CampaignState.allCases.allSatisfy { !state.canMove(to: $0) })
        }
    }
}
