import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Testing

@Suite("Reading the store")
struct StoreReadTests {
    @Test("events(after:limit:campaignID:), latestSeq(), campaigns() and experiments(campaignID:) return what was written")
    func readsReturnWrites() async throws {
        let log = CommitLog()
        try await withStore(onCommit: log.record) { store in
            #expect(try await store.latestSeq() == 0)
            #expect(try await store.allEvents().isEmpty)
            #expect(try await store.campaigns().isEmpty)

            try await store.write { tx in try tx.seedCampaign("c1", experiments: ["e1", "e2"]) }
            try await store.write { tx in try tx.seedCampaign("c2", experiments: ["e3"]) }
            try await store.write { tx in try tx.start("e2") }

            let all = try await store.allEvents()
            #expect(all == log.events)
            #expect(all.map(\.seq) == Array(1...UInt64(all.count)))
            #expect(try await store.latestSeq() == UInt64(all.count))

            #expect(try await store.events(after: 0, limit: 2) == Array(all.prefix(2)))
            #expect(try await store.events(after: 3, limit: 2) == Array(all[3..<5]))
            #expect(try await store.events(after: UInt64(all.count), limit: 10).isEmpty)

            let c2 = try await store.events(after: 0, limit: 100, campaignID: "c2")
            #expect(c2 == all.filter { $0.campaignID == "c2" })
            #expect(c2.count == 3)
            let c1Tail = try await store.events(after: c2[0].seq, limit: 1, campaignID: "c1")
            let nextOfC1 = all.first { $0.seq > c2[0].seq && $0.campaignID == "c1" }
            #expect(nextOfC1 != nil)
            #expect(c1Tail == nextOfC1.map { [$0] })
            #expect(try await store.events(after: 0, limit: 10, campaignID: "nope").isEmpty)

            let campaigns = try await store.campaigns()
            #expect(campaigns.map(\.id) == ["c1", "c2"])
            #expect(campaigns.map(\.spec) == [Fixture.spec("campaign c1"), Fixture.spec("campaign c2")])
            #expect(campaigns.allSatisfy { $0.state == .running && $0.submittedAt > 0 })

            let c1Experiments = try await store.experiments(campaignID: "c1")
            #expect(c1Experiments.map(\.id) == ["e1", "e2"])
            #expect(c1Experiments.map(\.state) == [.queued, .running])
            #expect(c1Experiments.allSatisfy { $0.campaignID == "c1" })
            #expect(try await store.experiments(campaignID: "c2").map(\.id) == ["e3"])
            #expect(try await store.experiments(campaignID: "nope").isEmpty)

            let recording = try await store.write { tx in
                try tx.recordResult(campaignID: "c1", messageID: "m1", instrumentID: "reactor-1",
                                    result: Fixture.succeeded("e2"), from: .running, objective: "yield",
                                    proposalID: "p-c1", modelVersion: "v7", parameters: Fixture.parameters)
            }
            #expect(recording == .stored)
            #expect(try await store.resultPayload(messageID: "m1") != nil)
            #expect(try await store.resultPayload(messageID: "m2") == nil)
            #expect(try await store.experiments(campaignID: "c1").map(\.objective) == [nil, 0.87])
        }
    }
}
