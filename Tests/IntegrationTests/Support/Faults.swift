import Foundation
import GRDB
import LabLoopCore
import LabLoopProtocol
import Testing

/// Helpers for the fault tests: polling the coordinator, reading what agents saw acknowledged,
/// and running labs in which some processes are killed on purpose.

func completed(_ lab: Lab, _ campaignID: String) async throws -> Int {
    try await count(lab, campaignID, .completed)
}

/// How many of the campaign's experiments are in `state`, as the coordinator reports.
func count(_ lab: Lab, _ campaignID: String, _ state: Labloop_V1_ExperimentState) async throws -> Int {
    var get = Labloop_V1_GetCampaign()
    get.campaignID = campaignID
    let summary = try await lab.control(.getCampaign(get)).campaign
    return Int(summary.experiments.first { $0.state == state }?.count ?? 0)
}

func connectedInstruments(_ lab: Lab) async throws -> [String] {
    try await lab.control(.listInstruments(Labloop_V1_ListInstruments())).instruments.instruments
        .filter(\.connected).map(\.instrumentID).sorted()
}

func running(_ lab: Lab, _ instrumentID: String) async throws -> Int {
    let instruments = try await lab.control(.listInstruments(Labloop_V1_ListInstruments())).instruments.instruments
    return Int(instruments.first { $0.instrumentID == instrumentID }?.running ?? 0)
}

/// Message ids an agent's log shows acknowledged as stored or duplicate (the Swift, Python and C
/// agents all log `result acknowledged … message_id=M status=S`), with the status.
func acknowledgedResults(inLog log: String) -> [String: String] {
    var acknowledged: [String: String] = [:]
    for line in log.split(separator: "\n") where line.contains("result acknowledged") {
        guard let id = line.firstMatch(of: /message_id=(\S+)/)?.output.1,
              let status = line.firstMatch(of: /status=(\S+)/)?.output.1 else { continue }
        let lower = status.lowercased()
        if lower.hasSuffix("stored") || lower.hasSuffix("duplicate") { acknowledged[String(id)] = String(lower) }
    }
    return acknowledged
}

/// The store invariants, and every result the agents logged as acknowledged is in the store.
/// Returns the acknowledged message ids.
@discardableResult
func checkStoreKeepsAcknowledged(_ lab: Lab, logs: [String]) async throws -> Set<String> {
    let invariants = try StoreInvariants(path: lab.databasePath)
    try invariants.checkContiguousSeq()
    try invariants.checkHistories()
    try invariants.checkResultsLinked()
    let stored = try await invariants.db.read { db in Set(try String.fetchAll(db, sql: "SELECT message_id FROM results")) }
    let acknowledged = logs.reduce(into: Set<String>()) { ids, name in ids.formUnion(acknowledgedResults(inLog: lab.log(name)).keys) }
    #expect(acknowledged.subtracting(stored).isEmpty, "acknowledged results missing from the store: \(acknowledged.subtracting(stored))")
    return acknowledged
}

func waitUntil(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw LabError("timed out waiting for \(what)")
}

/// Message ids of the results in an outbox directory (each file is `<message id>.envelope`).
func outboxFiles(_ outbox: URL) -> Set<String> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
    return Set(names.filter { $0.hasSuffix(".envelope") }.map { String($0.dropLast(".envelope".count)) })
}

/// Like `withLabProcesses`, for tests that kill some of the lab's processes on purpose: those may
/// exit by signal, every other process must exit 0 on SIGTERM.
func withLabAllowingKills<T>(_ lab: Lab, killed: Set<String>, _ body: () async throws -> T) async throws -> T {
    try await withLabAllowingKills(lab, killed: { killed.contains($0) }, body)
}

func withLabAllowingKills<T>(_ lab: Lab, killed: (String) -> Bool, _ body: () async throws -> T) async throws -> T {
    try await LabLock.exclusively {
        do {
            let value = try await body()
            let statuses = await lab.stopAll()
            for (name, status) in statuses where !killed(name) {
                #expect(status == 0, "\(name) exited with \(status) on SIGTERM: \(lab.log(name).suffix(2000))")
            }
            return value
        } catch {
            await lab.stopAll()
            Issue.record("coordinator log:\n\(lab.log("coordinator").suffix(4000))")
            throw error
        }
    }
}
