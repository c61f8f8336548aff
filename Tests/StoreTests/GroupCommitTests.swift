import Foundation
import GRDB
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Synchronization
import Testing

@Suite("Group commit", .timeLimit(.minutes(1)))
struct GroupCommitTests {
    static func note(_ text: String) -> Labloop_V1_Event.OneOf_Kind {
        var change = Labloop_V1_CampaignStateChanged()
        change.reason = text
        return .campaignStateChanged(change)
    }

    @Test("200 concurrent writes get seqs 1...200, and onCommit sees each event (with its stored bytes) once, in order, before its writer resumes")
    func concurrentWrites() async throws {
        let log = CommitLog()
        try await withStore(onCommit: log.record) { store in
            let writes = try await withThrowingTaskGroup(of: (seq: UInt64, published: Bool).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let seq = try await store.write { tx in
                            try tx.appendEvent(campaignID: "c\(index % 3)", Self.note("write \(index)"))
                        }
                        return (seq, log.events.contains { $0.seq == seq })
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(writes.map(\.seq).sorted() == Array(1...200))
            let unpublished = writes.filter { !$0.published }.map(\.seq)
            #expect(unpublished.isEmpty, "writers resumed before onCommit saw seqs \(unpublished)")
            #expect(log.events.map(\.seq) == Array(1...200))
            #expect(log.batches.count < 200, "no two writes shared a commit")
            #expect(log.batches.allSatisfy { !$0.isEmpty })
            #expect(try await store.latestSeq() == 200)
            #expect(try await store.allEvents() == log.events)
            // Publishers send the stored bytes as they are: they must be exactly what the events table holds.
            let stored = try await store.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM events ORDER BY seq") }
            #expect(log.committed.map(\.payload) == stored)
            let reasons = Set(log.events.compactMap { event -> String? in
                guard case .campaignStateChanged(let change)? = event.kind else { return nil }
                return change.reason
            })
            #expect(reasons == Set((0..<200).map { "write \($0)" }))
        }
    }

    @Test("a change that throws is undone alone: the rest of its batch commits and seqs stay gap-free")
    func failingChangeInBatch() async throws {
        let log = CommitLog()
        try await withStore(onCommit: log.record) { store in
            let waiting = Arrivals()
            // The first write holds the writer until the next three have been submitted, so they share a batch.
            async let first: Void = store.write { tx in
                try tx.insertCampaign(id: "camp-a", spec: Fixture.spec("a"))
                waiting.blockUntil(3)
            }
            try await waitUntil("the first write to start") { waiting.blocked }

            async let good: Void = {
                waiting.arrive()
                try await store.write { tx in try tx.insertCampaign(id: "camp-b", spec: Fixture.spec("b")) }
            }()
            async let bad: StoreError? = {
                waiting.arrive()
                do throws(StoreError) {
                    try await store.write { tx in
                        try tx.insertCampaign(id: "camp-c", spec: Fixture.spec("c"))
                        try tx.moveCampaign(id: "camp-c", from: .paused, to: .running, reason: "not paused")
                    }
                    return nil
                } catch {
                    return error
                }
            }()
            async let alsoGood: Void = {
                waiting.arrive()
                try await store.write { tx in try tx.insertCampaign(id: "camp-d", spec: Fixture.spec("d")) }
            }()
            _ = try await (first, good, alsoGood)
            let failure = await bad

            #expect(failure?.code == .conflict)
            #expect(log.batches.map(\.count) == [1, 2], "the three writes after the first should share one batch")
            let events = try await store.allEvents()
            #expect(events.map(\.seq) == [1, 2, 3])
            #expect(events.first?.campaignID == "camp-a")
            #expect(Set(events.map(\.campaignID)) == ["camp-a", "camp-b", "camp-d"])
            #expect(events == log.events)
            #expect(Set(try await store.campaigns().map(\.id)) == ["camp-a", "camp-b", "camp-d"])

            let next = try await store.write { tx in try tx.appendEvent(campaignID: "camp-a", Self.note("after")) }
            #expect(next == 4)
        }
    }
}

/// Lets a change running on the store's writer wait until other writers have been submitted.
final class Arrivals: Sendable {
    private let state = Mutex((arrived: 0, blocked: false))

    func arrive() { state.withLock { $0.arrived += 1 } }
    var blocked: Bool { state.withLock { $0.blocked } }

    /// Blocks the calling thread (the store's writer queue, never the cooperative pool) until `count`
    /// writers arrived, plus a moment for their submissions to reach the committer.
    func blockUntil(_ count: Int) {
        state.withLock { $0.blocked = true }
        let deadline = Date(timeIntervalSinceNow: 10)
        while state.withLock({ $0.arrived }) < count, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.001)
        }
        Thread.sleep(forTimeInterval: 0.1)
    }
}
