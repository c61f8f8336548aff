import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

@Suite("Closed loop across processes", .serialized)
struct ClosedLoopTests {
    static func reactorCampaign(experiments: Int, parallel: Int) -> CampaignSpec {
        var spec = CampaignSpec(
            name: "integration", space: ParameterSpace(parameters: [
                .init(name: "temperature", domain: .continuous(low: 30, high: 150, unit: "°C", scale: .linear)),
                .init(name: "residence_time", domain: .continuous(low: 0.5, high: 30, unit: "min", scale: .log)),
                .init(name: "concentration", domain: .continuous(low: 0.1, high: 2.0, unit: "mol/L", scale: .linear)),
                .init(name: "catalyst", domain: .categorical(["Pd", "Pt", "Ni", "Cu"])),
            ]),
            objective: Objective(measurement: "yield", direction: .maximize), operation: "react",
            maxExperiments: experiments, maxParallel: parallel, strategy: "space-filling")
        spec.instrumentKind = "flow-reactor"
        spec.seed = 3
        return spec
    }

    /// A reactor campaign that retries transient failures, up to 3 attempts.
    static func retryingCampaign(experiments: Int, parallel: Int) -> CampaignSpec {
        var spec = reactorCampaign(experiments: experiments, parallel: parallel)
        spec.maxAttempts = 3
        spec.retryableFailures = ["transient"]
        return spec
    }

    @Test("a campaign runs to its budget over coordinator, two agents and a model server; the store holds")
    func wholeCampaign() async throws {
        let lab = try Lab()
        let summary = try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("reactor-a")
            try await lab.startReactor("reactor-b")
            try await lab.startModel()
            let id = try await lab.submit(Self.reactorCampaign(experiments: 24, parallel: 4))
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        }
        #expect(CampaignState(summary.state) == .completed, "state: \(summary.state) \(summary.stateReason)")
        #expect(summary.hasBestObjective)
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        let dispatched = try invariants.checkHistories()
        #expect(dispatched == 24, "every one of the 24 experiments should have been dispatched")
        try invariants.checkResultsLinked()
        let instruments = try await invariants.db.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT instrument_id FROM results ORDER BY 1")
        }
        #expect(instruments == ["reactor-a", "reactor-b"], "both reactors should have run experiments")
        for child in lab.children { #expect(!child.isRunning, "\(child.name) is still running") }
    }

    @Test("two campaigns run at once on shared instruments")
    func concurrentCampaigns() async throws {
        let lab = try Lab()
        let summaries = try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("reactor-a", capacity: 1)
            try await lab.startReactor("reactor-b", capacity: 1)
            try await lab.startModel()
            let first = try await lab.submit(Self.reactorCampaign(experiments: 8, parallel: 2))
            let second = try await lab.submit(Self.reactorCampaign(experiments: 8, parallel: 2))
            return [try await lab.waitUntilFinished(first, timeout: .seconds(120)),
                    try await lab.waitUntilFinished(second, timeout: .seconds(120))]
        }
        for summary in summaries {
            #expect(CampaignState(summary.state) == .completed)
            #expect(summary.experiments.first { $0.state == .completed }?.count == 8)
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories()
        try invariants.checkResultsLinked()
    }
}

/// Runs `body`, then stops every process of `lab` whatever happened, and checks none is left.
func withLabProcesses<T>(_ lab: Lab, _ body: () async throws -> T) async throws -> T {
    try await LabLock.exclusively { try await runLabProcesses(lab, body) }
}

private func runLabProcesses<T>(_ lab: Lab, _ body: () async throws -> T) async throws -> T {
    do {
        let value = try await body()
        let statuses = await lab.stopAll()
        for (name, status) in statuses { #expect(status == 0, "\(name) exited with \(status) on SIGTERM: \(lab.log(name).suffix(2000))") }
        return value
    } catch {
        await lab.stopAll()
        Issue.record("coordinator log:\n\(lab.log("coordinator").suffix(4000))")
        throw error
    }
}

@Suite("Failures and retries across processes", .serialized)
struct RetryTests {
    @Test("transient failures are retried as new attempts within the policy; the budget counts candidates")
    func transientFailuresRetry() async throws {
        let lab = try Lab()
        let spec = ClosedLoopTests.retryingCampaign(experiments: 16, parallel: 4)
        let summary = try await withLabProcesses(lab) {
            // Flaky on purpose: five failures in a row must not quarantine them here.
            try await lab.startCoordinator(extra: ["--quarantine-after", "0"])
            try await lab.startReactor("flaky-a", extra: ["--fail-rate", "0.35", "--seed", "11"])
            try await lab.startReactor("flaky-b", extra: ["--fail-rate", "0.35", "--seed", "12"])
            try await lab.startModel()
            let id = try await lab.submit(spec)
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        }
        #expect(CampaignState(summary.state) == .completed)
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories()
        try invariants.checkResultsLinked()
        let (firstAttempts, retries, badRetries, tooMany, failedResults) = try await invariants.db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE attempt = 1")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE attempt > 1")!,
             // A retry points at a failed attempt of the same candidate, one attempt earlier.
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM experiments r JOIN experiments p ON p.id = r.retry_of
                WHERE r.attempt > 1 AND (p.state != 'failed' OR p.candidate_id != r.candidate_id
                    OR p.proposal_id != r.proposal_id OR r.attempt != p.attempt + 1 OR r.parameters != p.parameters)
                """)!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE attempt > 3")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE outcome = 'failed' AND failure_kind = 'transient'")!)
        }
        #expect(firstAttempts == 16, "the budget counts candidates, not attempts")
        #expect(failedResults > 0, "with a 35 % fault rate some experiments must fail")
        #expect(retries > 0, "failed transient attempts must be retried")
        #expect(badRetries == 0, "every retry must follow a failed attempt of the same candidate")
        #expect(tooMany == 0, "no candidate may exceed max_attempts")
    }
}
