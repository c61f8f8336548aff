import Foundation
import GRDB
import LabLoopCore
import LabLoopFailpoints
import LabLoopPeer
import LabLoopProtocol
import Testing

/// Agents die: mid-experiment (the coordinator declares them lost), and as the acknowledgement of a
/// result arrives (the outbox resends it after a restart).
@Suite("Agents killed", .serialized)
struct AgentKillTests {
    /// Liveness short enough to keep the tests quick.
    static let serveOptions = ["--liveness-ms", "2000", "--heartbeat-ms", "500"]

    static func branin(experiments: Int, maxAttempts: Int) -> CampaignSpec {
        var spec = CampaignSpec(
            name: "branin", space: ParameterSpace(parameters: [
                .init(name: "x1", domain: .continuous(low: -5, high: 10, unit: "", scale: .linear)),
                .init(name: "x2", domain: .continuous(low: 0, high: 15, unit: "", scale: .linear)),
            ]),
            objective: Objective(measurement: "value", direction: .minimize), operation: "evaluate",
            maxExperiments: experiments, maxParallel: 2, strategy: "space-filling")
        spec.instrumentKind = "benchmark-function"
        spec.maxAttempts = maxAttempts
        return spec
    }

    @Test("a killed agent's non-repeatable experiment goes to needs_review and is never re-run")
    func nonRepeatableLost() async throws {
        let lab = try Lab()
        var spec = ClosedLoopTests.reactorCampaign(experiments: 4, parallel: 2)
        spec.maxAttempts = 3  // the policy would allow a retry: only `repeatable: false` forbids it
        let lost = try await loseExperiment(lab, spec) {
            try await lab.startReactor("quick", capacity: 1, durationMs: 50)
            return try await lab.startReactor("slow", capacity: 1, durationMs: 60_000)
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        let (state, reason, retries, results) = try await invariants.db.read { db in
            (try String.fetchOne(db, sql: "SELECT state FROM experiments WHERE id = ?", arguments: [lost]),
             try String.fetchOne(db, sql: """
                SELECT reason FROM experiment_transitions WHERE experiment_id = ? ORDER BY id DESC LIMIT 1
                """, arguments: [lost]) ?? "",
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE retry_of = ?", arguments: [lost])!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE experiment_id = ?", arguments: [lost])!)
        }
        #expect(state == "needs_review", "the lost experiment is \(state ?? "missing")")
        #expect(reason.contains("lost"), "the reason should say the instrument was lost: \(reason)")
        #expect(retries == 0, "a non-repeatable experiment must not be re-run")
        #expect(results == 0)
    }

    @Test("a killed agent's repeatable experiment goes to needs_review and is re-run as a new attempt within the policy",
          arguments: [1, 2])
    func repeatableLost(maxAttempts: Int) async throws {
        let lab = try Lab()
        let lost = try await loseExperiment(lab, Self.branin(experiments: 4, maxAttempts: maxAttempts)) {
            try await lab.startBenchmarkAgent("quick", function: "branin", durationMs: 50)
            return try await lab.startBenchmarkAgent("slow", function: "branin", durationMs: 60_000)
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        let (state, retries) = try await invariants.db.read { db in
            (try String.fetchOne(db, sql: "SELECT state FROM experiments WHERE id = ?", arguments: [lost]),
             try Row.fetchAll(db, sql: """
                SELECT r.attempt, r.state, r.parameters = p.parameters AS same, r.candidate_id = p.candidate_id AS candidate
                FROM experiments r JOIN experiments p ON p.id = r.retry_of WHERE r.retry_of = ?
                """, arguments: [lost]).map { row in
                    (attempt: row["attempt"] as Int, state: row["state"] as String, same: row["same"] as Bool,
                     candidate: row["candidate"] as Bool)
                })
        }
        #expect(state == "needs_review", "the lost experiment is \(state ?? "missing")")
        if maxAttempts == 1 {
            #expect(retries.isEmpty, "max_attempts 1 allows no new attempt")
        } else {
            #expect(retries.count == 1, "exactly one new attempt should be queued")
            if let retry = retries.first {
                #expect(retry.attempt == 2)
                #expect(retry.state == "completed", "the new attempt should run to completion")
                #expect(retry.same && retry.candidate, "a new attempt repeats the same candidate")
            }
        }
    }

    @Test("an agent killed as its result's acknowledgement arrives resends it from the outbox with the same id: stored once")
    func killedBeforeAcknowledgement() async throws {
        let lab = try Lab()
        let outbox = lab.outbox("reactor-a")
        var atKill: Set<String> = []
        try await withLabAllowingKills(lab, killed: ["reactor-a"]) {
            try await lab.startCoordinator()
            let agent = try await lab.startReactor("reactor-a", capacity: 1, durationMs: 50,
                                                   environment: [Failpoint.environmentVariable: Failpoint.agentResultAckArriving.rawValue])
            try await lab.startModel()
            let id = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 4, parallel: 1))
            let status = await agent.wait(timeout: .seconds(60))
            #expect(status == SIGKILL, "the agent should have died at the failpoint, exited \(String(describing: status))")
            #expect(lab.log("reactor-a").contains("failpoint agent-result-ack-arriving hit"))
            atKill = outboxFiles(outbox)
            #expect(atKill.count == 1, "the acknowledged result should still be in the outbox: \(atKill)")
            // The coordinator stored it (that is what it acknowledged).
            #expect(try await storedMessageIDs(lab).isSuperset(of: atKill))
            try await lab.startReactor("reactor-a", logName: "reactor-a-restarted", capacity: 1, durationMs: 50)
            let summary = try await lab.waitUntilFinished(id, timeout: .seconds(60))
            #expect(CampaignState(summary.state) == .completed)
            try await waitUntil("the outbox emptied", timeout: .seconds(10)) { outboxFiles(outbox).isEmpty }
        }
        let restarted = lab.log("reactor-a-restarted")
        #expect(restarted.contains("1 unacknowledged results in the outbox will be resent"), "the outbox was not read")
        let acknowledged = acknowledgedResults(inLog: restarted)
        for messageID in atKill {
            #expect(acknowledged[messageID] == "duplicate", "the resent result should be acknowledged as a duplicate: \(acknowledged)")
        }
        try await checkStoreKeepsAcknowledged(lab, logs: ["reactor-a", "reactor-a-restarted"])
        let invariants = try StoreInvariants(path: lab.databasePath)
        let sql = "SELECT COUNT(*) FROM results WHERE message_id IN (\(atKill.map { "'\($0)'" }.joined(separator: ",")))"
        let copies = try await invariants.db.read { db in try Int.fetchOne(db, sql: sql)! }
        #expect(copies == atKill.count, "each resent result must be stored exactly once")
    }

    /// Runs `spec` with a coordinator, a model and the agents `startAgents` starts (it returns the one
    /// named "slow"), kills "slow" while it runs an experiment, and lets the campaign complete. Checks
    /// the store's seqs and histories; returns the lost experiment.
    private func loseExperiment(_ lab: Lab, _ spec: CampaignSpec,
                                startAgents: () async throws -> ChildProcess) async throws -> String {
        let lost = try await withLabAllowingKills(lab, killed: ["slow"]) {
            try await lab.startCoordinator(extra: Self.serveOptions)
            let slow = try await startAgents()
            try await lab.startModel()
            let id = try await lab.submit(spec)
            let victim = try await killWhileRunning(lab, slow, on: "slow")
            let summary = try await lab.waitUntilFinished(id, timeout: .seconds(60))
            #expect(CampaignState(summary.state) == .completed)
            return victim
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories()
        return lost
    }

    /// Waits until `instrumentID` runs an experiment (accepted: `running` in the store), kills its agent
    /// and waits until the coordinator has declared the experiment lost. Returns the experiment id.
    private func killWhileRunning(_ lab: Lab, _ agent: ChildProcess, on instrumentID: String) async throws -> String {
        var victim = ""
        try await waitUntil("an experiment running on \(instrumentID)", timeout: .seconds(60)) {
            victim = try await experiments(lab, on: instrumentID, in: "running").first ?? ""
            return !victim.isEmpty
        }
        agent.signal(SIGKILL)
        _ = await agent.wait(timeout: .seconds(5))
        try await waitUntil("\(victim) marked needs_review", timeout: .seconds(30)) {
            try await experiments(lab, on: instrumentID, in: "needs_review").contains(victim)
        }
        return victim
    }

    private func experiments(_ lab: Lab, on instrumentID: String, in state: String) async throws -> [String] {
        let invariants = try StoreInvariants(path: lab.databasePath)
        return try await invariants.db.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM experiments WHERE instrument_id = ? AND state = ?",
                                arguments: [instrumentID, state])
        }
    }
}
