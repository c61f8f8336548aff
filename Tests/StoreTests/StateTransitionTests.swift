import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Testing

/// Expects `change` to fail with a `.conflict` and to leave the event log as it was.
func expectConflict(
    _ store: Store, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ change: @escaping @Sendable (StoreTransaction) throws -> Void
) async throws {
    let before = try await store.latestSeq()
    do throws(StoreError) {
        try await store.write(change)
        Issue.record("\(what) succeeded", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .conflict, "\(what): \(error)", sourceLocation: sourceLocation)
    }
    #expect(try await store.latestSeq() == before, "\(what) appended events", sourceLocation: sourceLocation)
}

@Suite("Campaign and experiment state")
struct StateTransitionTests {
    @Test("a campaign moves only from the state it is in, and only along legal moves")
    func campaignMoves() async throws {
        try await withStore { store in
            try await store.write { tx in try tx.insertCampaign(id: "c1", spec: Fixture.spec("c1")) }
            let inserted = try await store.campaigns()
            #expect(inserted.map(\.id) == ["c1"])
            #expect(inserted.first?.state == .running)
            #expect(inserted.first?.spec == Fixture.spec("c1"))

            try await expectConflict(store, "moving a running campaign as if paused") { tx in
                try tx.moveCampaign(id: "c1", from: .paused, to: .cancelled, reason: "")
            }
            try await expectConflict(store, "moving an unknown campaign") { tx in
                try tx.moveCampaign(id: "nope", from: .running, to: .paused, reason: "")
            }
            try await expectConflict(store, "inserting a campaign id twice") { tx in
                try tx.insertCampaign(id: "c1", spec: Fixture.spec("again"))
            }

            try await store.write { tx in try tx.moveCampaign(id: "c1", from: .running, to: .paused, reason: "operator") }
            try await expectConflict(store, "paused -> paused") { tx in
                try tx.moveCampaign(id: "c1", from: .paused, to: .paused, reason: "")
            }
            try await store.write { tx in try tx.moveCampaign(id: "c1", from: .paused, to: .completed, reason: "budget spent") }
            try await expectConflict(store, "reviving a completed campaign") { tx in
                try tx.moveCampaign(id: "c1", from: .completed, to: .running, reason: "")
            }

            let campaign = try #require(try await store.campaigns().first)
            #expect(campaign.state == .completed)
            #expect(campaign.stateReason == "budget spent")

            let events = try await store.allEvents()
            #expect(events.map(\.seq) == [1, 2, 3])
            #expect(events.allSatisfy { $0.campaignID == "c1" })
            guard case .campaignSubmitted(let submitted)? = events[0].kind else {
                Issue.record("expected CampaignSubmitted, got \(events[0])")
                return
            }
            #expect(submitted.spec == Fixture.spec("c1"))
            let moves = events.dropFirst().compactMap { event -> Labloop_V1_CampaignStateChanged? in
                if case .campaignStateChanged(let change)? = event.kind { change } else { nil }
            }
            #expect(moves.map(\.from) == [.running, .paused])
            #expect(moves.map(\.to) == [.paused, .completed])
            #expect(moves.map(\.reason) == ["operator", "budget spent"])
        }
    }

    @Test("an experiment moves along the legal path and each move records a transition with its event's seq")
    func experimentMoves() async throws {
        try await withStore { store in
            try await store.write { tx in try tx.seedCampaign("c1", experiments: ["e1"]) }
            try await store.write { tx in
                try tx.moveExperiment(campaignID: "c1", experimentID: "e1", from: .queued, to: .dispatched,
                                      instrumentID: "reactor-1", reason: "")
            }
            try await store.write { tx in
                try tx.moveExperiment(campaignID: "c1", experimentID: "e1", from: .dispatched, to: .running,
                                      instrumentID: nil, reason: "started")
            }

            try await expectConflict(store, "running -> queued, an illegal move") { tx in
                try tx.moveExperiment(campaignID: "c1", experimentID: "e1", from: .running, to: .queued,
                                      instrumentID: nil, reason: "")
            }
            try await expectConflict(store, "moving a running experiment as if queued") { tx in
                try tx.moveExperiment(campaignID: "c1", experimentID: "e1", from: .queued, to: .dispatched,
                                      instrumentID: "reactor-2", reason: "")
            }
            try await expectConflict(store, "moving an unknown experiment") { tx in
                try tx.moveExperiment(campaignID: "c1", experimentID: "nope", from: .queued, to: .dispatched,
                                      instrumentID: nil, reason: "")
            }
            try await expectConflict(store, "an experiment of an unknown proposal") { tx in
                try tx.insertExperiment(Fixture.proposed("e9", proposalID: "nope"), campaignID: "c1", retryOf: nil,
                                        state: .queued)
            }

            // Seqs: 1 campaign submitted, 2 experiment proposed, 3-5 the three states.
            let transitions = try await store.transitions(of: "e1")
            #expect(transitions == [
                Transition(from: nil, to: "queued", instrumentID: nil, reason: "", seq: 3),
                Transition(from: "queued", to: "dispatched", instrumentID: "reactor-1", reason: "", seq: 4),
                Transition(from: "dispatched", to: "running", instrumentID: nil, reason: "started", seq: 5),
            ])

            let events = try await store.allEvents()
            #expect(events.map(\.seq) == [1, 2, 3, 4, 5])
            guard case .experimentProposed(let proposed)? = events[1].kind else {
                Issue.record("expected ExperimentProposed, got \(events[1])")
                return
            }
            #expect(proposed == Fixture.proposed("e1", proposalID: "p-c1"))
            let changes = events.compactMap { event -> (UInt64, Labloop_V1_ExperimentStateChanged)? in
                if case .experimentStateChanged(let change)? = event.kind { (event.seq, change) } else { nil }
            }
            #expect(changes.map(\.0) == transitions.map(\.seq))
            #expect(changes.map { ExperimentState($0.1.from)?.rawValue } == transitions.map(\.from))
            #expect(changes.map { ExperimentState($0.1.to)?.rawValue } == transitions.map(\.to))
            #expect(changes.allSatisfy { $0.1.experimentID == "e1" })
            #expect(changes.map(\.1.instrumentID) == ["", "reactor-1", ""])

            let experiment = try #require(try await store.experiments(campaignID: "c1").first)
            #expect(experiment.id == "e1")
            #expect(experiment.state == .running)
            #expect(experiment.instrumentID == "reactor-1")
            #expect(experiment.proposalID == "p-c1")
            #expect(experiment.candidateID == "cand-e1")
            #expect(experiment.attempt == 1)
            #expect(experiment.retryOf == nil)
            #expect(experiment.parameters == Fixture.parameters)
            #expect(experiment.predictedMean == 0.42)
            #expect(experiment.predictedStd == nil)
            #expect(experiment.modelID == "model-1")
            #expect(experiment.modelVersion == "v7")
            #expect(experiment.objective == nil)
        }
    }
}
