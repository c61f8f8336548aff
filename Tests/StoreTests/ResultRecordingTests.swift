import Foundation
import GRDB
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import SwiftProtobuf
import Testing

@Suite("Recording results")
struct ResultRecordingTests {
    /// Records `result` for campaign c1, sent by reactor-1 as `messageID`, with the experiment running.
    static func record(_ store: Store, _ result: Labloop_V1_ExperimentResult, messageID: String,
                       from: ExperimentState = .running) async throws -> StoreTransaction.ResultRecording {
        try await store.write { tx in
            try tx.recordResult(campaignID: "c1", messageID: messageID, instrumentID: "reactor-1", result: result,
                                from: from, objective: "yield", proposalID: "p-c1", modelVersion: "v7",
                                parameters: Fixture.parameters)
        }
    }

    struct ResultRow: Sendable, Equatable {
        var messageID: String
        var experimentID: String
        var outcome: String
        var measurements: [Labloop_V1_NamedValue]
        var objective: Double?
        var failureKind: String?
        var failureMessage: String?
        var startedAt: Int64?
        var finishedAt: Int64?
    }

    static func results(_ store: Store) async throws -> [ResultRow] {
        try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM results ORDER BY id").map { row in
                ResultRow(messageID: row["message_id"], experimentID: row["experiment_id"], outcome: row["outcome"],
                          measurements: try NamedValuesJSON.decode(row["measurements"]), objective: row["objective"],
                          failureKind: row["failure_kind"], failureMessage: row["failure_message"],
                          startedAt: row["started_at"], finishedAt: row["finished_at"])
            }
        }
    }

    @Test("a stored result completes its experiment and appends ResultRecorded, then the state change")
    func stored() async throws {
        try await withStore { store in
            try await store.write { tx in
                try tx.seedCampaign("c1", experiments: ["e1"])
                try tx.start("e1")
            }
            let before = try await store.latestSeq()
            let result = Fixture.succeeded("e1")
            #expect(try await Self.record(store, result, messageID: "m1") == .stored)

            let experiment = try #require(try await store.experiments(campaignID: "c1").first)
            #expect(experiment.state == .completed)
            #expect(experiment.objective == 0.87)

            #expect(try await Self.results(store) == [
                ResultRow(messageID: "m1", experimentID: "e1", outcome: "succeeded", measurements: result.measurements,
                          objective: 0.87, failureKind: nil, failureMessage: nil,
                          startedAt: 1_700_000_000_000, finishedAt: 1_700_000_060_000),
            ])
            let payload = try #require(try await store.resultPayload(messageID: "m1"))
            #expect(try Labloop_V1_ExperimentResult(serializedBytes: payload) == result)
            #expect(try await store.resultPayload(messageID: "m-unknown") == nil)

            let events = try await store.events(after: before, limit: 10)
            #expect(events.map(\.seq) == [before + 1, before + 2])
            guard case .resultRecorded(let recorded)? = events.first?.kind else {
                Issue.record("expected ResultRecorded, got \(events)")
                return
            }
            #expect(recorded.experimentID == "e1")
            #expect(recorded.attempt == 1)
            #expect(recorded.outcome == .succeeded)
            #expect(recorded.parameters == Fixture.parameters)
            #expect(recorded.measurements == result.measurements)
            #expect(recorded.instrumentID == "reactor-1")
            #expect(recorded.proposalID == "p-c1")
            #expect(recorded.modelVersion == "v7")
            #expect(!recorded.hasFailure)
            let last = try #require(try await store.transitions(of: "e1").last)
            #expect(last == Transition(from: "running", to: "completed", instrumentID: "reactor-1", reason: "",
                                       seq: before + 2))
        }
    }

    @Test("a failed result fails its experiment with the failure as the reason and no objective")
    func failed() async throws {
        try await withStore { store in
            try await store.write { tx in
                try tx.seedCampaign("c1", experiments: ["e1"])
                try tx.start("e1")
            }
            #expect(try await Self.record(store, Fixture.failed("e1"), messageID: "m1") == .stored)
            let experiment = try #require(try await store.experiments(campaignID: "c1").first)
            #expect(experiment.state == .failed)
            #expect(experiment.objective == nil)
            let row = try #require(try await Self.results(store).first)
            #expect(row.outcome == "failed")
            #expect(row.objective == nil)
            #expect(row.failureKind == "hardware")
            #expect(row.failureMessage == "pump stalled")
            #expect(row.startedAt == nil)
            let last = try #require(try await store.transitions(of: "e1").last)
            #expect(last.to == "failed")
            #expect(last.reason == "hardware: pump stalled")
            let recorded = try await store.allEvents().compactMap { event -> Labloop_V1_ResultRecorded? in
                if case .resultRecorded(let recorded)? = event.kind { recorded } else { nil }
            }
            #expect(recorded.map(\.failure) == [Fixture.failed("e1").failure])
        }
    }

    @Test("a repeated message is a duplicate; a reused message id or a second result for the experiment is a conflict")
    func duplicatesAndConflicts() async throws {
        try await withStore { store in
            try await store.write { tx in
                try tx.seedCampaign("c1", experiments: ["e1"])
                try tx.start("e1")
            }
            let result = Fixture.succeeded("e1")
            #expect(try await Self.record(store, result, messageID: "m1") == .stored)
            let seq = try await store.latestSeq()
            let rows = try await Self.results(store)
            let transitions = try await store.transitions(of: "e1")

            // The experiment is completed now, so only the dedup check can answer these.
            #expect(try await Self.record(store, result, messageID: "m1", from: .running) == .duplicate)
            #expect(try await Self.record(store, result, messageID: "m1", from: .completed) == .duplicate)

            let changed = Fixture.succeeded("e1", yield: 0.5)
            guard case .conflict = try await Self.record(store, changed, messageID: "m1") else {
                Issue.record("the same message id with other content was not a conflict")
                return
            }
            guard case .conflict = try await Self.record(store, result, messageID: "m2") else {
                Issue.record("a second message for the same experiment was not a conflict")
                return
            }
            guard case .conflict = try await Self.record(store, changed, messageID: "m3") else {
                Issue.record("a second, different result for the same experiment was not a conflict")
                return
            }

            #expect(try await store.latestSeq() == seq)
            #expect(try await Self.results(store) == rows)
            #expect(try await store.transitions(of: "e1") == transitions)
            #expect(try await store.resultPayload(messageID: "m2") == nil)
            let payload = try #require(try await store.resultPayload(messageID: "m1"))
            #expect(try Labloop_V1_ExperimentResult(serializedBytes: payload) == result)
        }
    }

    @Test("a result for an experiment that is not in the stated state writes nothing")
    func wrongState() async throws {
        try await withStore { store in
            try await store.write { tx in try tx.seedCampaign("c1", experiments: ["e1"]) }
            let seq = try await store.latestSeq()
            do {
                _ = try await Self.record(store, Fixture.succeeded("e1"), messageID: "m1", from: .running)
                Issue.record("recorded a result for a queued experiment as if running")
            } catch let error as StoreError {
                #expect(error.code == .conflict)
            }
            #expect(try await store.latestSeq() == seq)
            #expect(try await store.count("results") == 0)
            #expect(try await store.resultPayload(messageID: "m1") == nil)
            #expect(try await store.experiments(campaignID: "c1").first?.state == .queued)
        }
    }
}
