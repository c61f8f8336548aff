import Foundation
import GRDB
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Synchronization

/// Runs `body` with the path of a fresh temporary directory, and removes the directory afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-store-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Opens `path`, runs `body`, and closes the store however `body` ends.
func withStore<T>(
    at path: String, onCommit: @escaping @Sendable ([CommittedEvent]) -> Void = { _ in },
    _ body: (Store) async throws -> T
) async throws -> T {
    let store = try Store(path: path, onCommit: onCommit)
    do {
        let value = try await body(store)
        await store.close()
        return value
    } catch {
        await store.close()
        throw error
    }
}

/// Opens a store on a file in a fresh temporary directory, runs `body`, closes the store and removes the directory.
func withStore<T>(
    onCommit: @escaping @Sendable ([CommittedEvent]) -> Void = { _ in },
    _ body: (Store) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        try await withStore(at: directory + "/labloop.sqlite", onCommit: onCommit, body)
    }
}

/// Waits until `condition` holds, checking every millisecond, or throws after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// What the store handed to `onCommit`, one entry per call.
final class CommitLog: Sendable {
    private let calls = Mutex<[[CommittedEvent]]>([])

    func record(_ events: [CommittedEvent]) { calls.withLock { $0.append(events) } }
    var committed: [CommittedEvent] { calls.withLock { $0.flatMap { $0 } } }
    var batches: [[Labloop_V1_Event]] { calls.withLock { $0.map { $0.map(\.event) } } }
    var events: [Labloop_V1_Event] { batches.flatMap { $0 } }
}

/// A row of `experiment_transitions`.
struct Transition: Sendable, Equatable, CustomStringConvertible {
    var from: String?
    var to: String
    var instrumentID: String?
    var reason: String
    var seq: UInt64

    var description: String { "\(from ?? "nil") -> \(to) @\(seq) [\(instrumentID ?? "nil")] \(reason)" }
}

extension Store {
    func transitions(of experimentID: String) async throws -> [Transition] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT from_state, to_state, instrument_id, reason, seq FROM experiment_transitions
                WHERE experiment_id = ? ORDER BY id
                """, arguments: [experimentID]).map { row in
                Transition(from: row["from_state"], to: row["to_state"], instrumentID: row["instrument_id"],
                           reason: row["reason"], seq: UInt64(row["seq"] as Int64))
            }
        }
    }

    func count(_ table: String) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Every committed event, oldest first.
    func allEvents() async throws -> [Labloop_V1_Event] {
        try await events(after: 0, limit: 100_000)
    }
}

enum Fixture {
    static func spec(_ name: String) -> Labloop_V1_CampaignSpec {
        var spec = Labloop_V1_CampaignSpec()
        spec.name = name
        spec.project = "store-tests"
        spec.objective.measurement = "yield"
        spec.objective.direction = .maximize
        spec.budget.maxExperiments = 10
        spec.budget.maxParallel = 2
        return spec
    }

    static func real(_ name: String, _ value: Double) -> Labloop_V1_NamedValue {
        var named = Labloop_V1_NamedValue()
        named.name = name
        named.value.kind = .real(value)
        return named
    }

    static func integer(_ name: String, _ value: Int64) -> Labloop_V1_NamedValue {
        var named = Labloop_V1_NamedValue()
        named.name = name
        named.value.kind = .integer(value)
        return named
    }

    static let parameters = [real("temperature", 71.5), integer("residence_s", 120)]

    static func proposed(_ experimentID: String, proposalID: String) -> Labloop_V1_ExperimentProposed {
        var proposed = Labloop_V1_ExperimentProposed()
        proposed.experimentID = experimentID
        proposed.attempt = 1
        proposed.proposalID = proposalID
        proposed.candidateID = "cand-\(experimentID)"
        proposed.modelID = "model-1"
        proposed.modelVersion = "v7"
        proposed.parameters = parameters
        proposed.predictedMean = 0.42
        return proposed
    }

    static func succeeded(_ experimentID: String, yield: Double = 0.87) -> Labloop_V1_ExperimentResult {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = experimentID
        result.attempt = 1
        result.outcome = .succeeded
        result.measurements = [real("yield", yield), real("purity", 0.99)]
        result.startedUnixMs = 1_700_000_000_000
        result.finishedUnixMs = 1_700_000_060_000
        return result
    }

    static func failed(_ experimentID: String) -> Labloop_V1_ExperimentResult {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = experimentID
        result.attempt = 1
        result.outcome = .failed
        result.failure.kind = "hardware"
        result.failure.message = "pump stalled"
        return result
    }
}

extension StoreTransaction {
    /// A campaign with one proposal, `p-<campaignID>`, and each of `experiments` queued.
    func seedCampaign(_ campaignID: String = "c1", experiments: [String]) throws {
        try insertCampaign(id: campaignID, spec: Fixture.spec("campaign \(campaignID)"))
        try insertProposal(id: "p-\(campaignID)", campaignID: campaignID, requestID: "r-\(campaignID)",
                           messageID: "proposal-message-\(campaignID)", modelID: "model-1", modelVersion: "v7",
                           trainingObservations: 3)
        for experimentID in experiments {
            try insertExperiment(Fixture.proposed(experimentID, proposalID: "p-\(campaignID)"), campaignID: campaignID,
                                 retryOf: nil, state: .queued)
        }
    }

    /// Moves a queued experiment to `running` on `instrumentID`.
    func start(_ experimentID: String, campaignID: String = "c1", on instrumentID: String = "reactor-1") throws {
        try moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .queued, to: .dispatched,
                           instrumentID: instrumentID, reason: "")
        try moveExperiment(campaignID: campaignID, experimentID: experimentID, from: .dispatched, to: .running,
                           instrumentID: nil, reason: "")
    }
}
