import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Testing

@Suite("Counting a campaign in the store")
struct CampaignTallyTests {
    @Test("tally(campaignID:objective:) counts and picks the best exactly as loading every experiment does", arguments: [
        Direction.maximize, .minimize,
    ])
    func tallyMatchesTheLoad(direction: Direction) async throws {
        try await withStore { store in
            // Ties on the best value (the first created must win), a failed result, a success without the
            // objective, one cancelled, one still queued, and a second campaign that must not be counted.
            let yields: [String: Double] = ["e1": 0.5, "e2": 0.9, "e3": 0.1, "e4": 0.9, "e5": 0.1]
            try await store.write { tx in
                try tx.seedCampaign("c1", experiments: ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"])
                try tx.seedCampaign("c2", experiments: ["x1"])
            }
            for id in ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "x1"] {
                try await store.write { tx in try tx.start(id, campaignID: id.hasPrefix("x") ? "c2" : "c1") }
            }
            for (id, yield) in yields.sorted(by: { $0.key < $1.key }) {
                try await self.record(store, Fixture.succeeded(id, yield: yield))
            }
            try await record(store, Fixture.failed("e6"))
            var noObjective = Fixture.succeeded("e7")
            noObjective.measurements = [Fixture.real("purity", 0.5)]
            try await record(store, noObjective)
            try await store.write { tx in
                try tx.moveExperiment(campaignID: "c1", experimentID: "e8", from: .queued, to: .cancelled,
                                      instrumentID: nil, reason: "test")
            }
            try await record(store, Fixture.succeeded("x1", yield: direction == .maximize ? 5 : -5), campaignID: "c2")

            let objective = Objective(measurement: "yield", direction: direction)
            let tally = try await store.tally(campaignID: "c1", objective: objective)
            // What a restart computes when it loads every experiment (CampaignActor.absorb).
            var loaded = CampaignProgress()
            for row in try await store.experiments(campaignID: "c1") {
                loaded.move(from: nil, to: row.state)
                if row.state == .completed, let value = row.objective {
                    loaded.record(objective: value, experimentID: row.id, objective: objective)
                }
            }
            #expect(tally.counts == loaded.counts)
            #expect(tally.counts == [.completed: 6, .failed: 1, .cancelled: 1, .queued: 1])
            #expect(tally.best?.experimentID == loaded.bestExperimentID)
            #expect(tally.best?.experimentID == (direction == .maximize ? "e2" : "e3"), "of equal values the first created wins")
            #expect(tally.best?.objective == loaded.best)
            #expect(tally.best?.parameters == Fixture.parameters)

            let none = try await store.tally(campaignID: "nope", objective: objective)
            #expect(none.counts.isEmpty && none.best == nil)
        }
    }

    @Test("campaignsWithUnfinishedExperiments finds campaigns with an experiment not in a terminal state")
    func unfinishedCampaigns() async throws {
        try await withStore { store in
            try await store.write { tx in
                try tx.seedCampaign("done", experiments: ["d1"])
                try tx.seedCampaign("queued", experiments: ["q1"])
                try tx.seedCampaign("running", experiments: ["r1"])
                try tx.seedCampaign("approval", experiments: [])
                try tx.insertExperiment(Fixture.proposed("a1", proposalID: "p-approval"), campaignID: "approval",
                                        retryOf: nil, state: .awaitingApproval)
                try tx.moveExperiment(campaignID: "done", experimentID: "d1", from: .queued, to: .cancelled,
                                      instrumentID: nil, reason: "test")
                try tx.start("r1", campaignID: "running")
            }
            let found = try await store.campaignsWithUnfinishedExperiments(["done", "queued", "running", "approval", "nope"])
            #expect(found == ["queued", "running", "approval"])
            #expect(try await store.campaignsWithUnfinishedExperiments([]).isEmpty)
        }
    }

    private func record(_ store: Store, _ result: Labloop_V1_ExperimentResult, campaignID: String = "c1") async throws {
        let recording = try await store.write { tx in
            try tx.recordResult(campaignID: campaignID, messageID: "m-\(result.experimentID)", instrumentID: "reactor-1",
                                result: result, from: .running, objective: "yield", proposalID: "p-\(campaignID)",
                                modelVersion: "v7", parameters: Fixture.parameters)
        }
        #expect(recording == .stored)
    }
}
