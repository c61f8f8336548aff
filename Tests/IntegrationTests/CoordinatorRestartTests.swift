import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Synchronization
import Testing
import ZeroMQ

@Suite("Assignments, shutdown and restart", .serialized)
struct CoordinatorRestartTests {
    @Test("an assignment left unanswered is sent again with the same message id until it is accepted")
    func assignmentRetransmitted() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: ["--liveness-ms", "60000"])
            try await lab.startModel()
            let credentials = try await lab.credentials("raw-reactor", role: .agent)
            let id = try await withPeerLink(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: "raw-reactor",
                                            security: credentials?.curve, logger: lab.logger) { link in
                let inbox = Inbox()
                let collector = Task { for await envelope in link.messages { inbox.add(envelope) } }
                defer { collector.cancel() }
                link.send(.agentHello(SecurityTests.agentHello("raw-reactor")))
                try await waitUntil("the welcome", timeout: .seconds(20)) { inbox.count { $0.isWelcome } == 1 }
                let id = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 1, parallel: 1))
                // Say nothing: the assignment must come again, under the same message id.
                try await waitUntil("the assignment twice", timeout: .seconds(30)) { inbox.assignments.count >= 2 }
                let copies = inbox.assignments
                #expect(Set(copies.map(\.messageID)).count == 1, "every copy must keep the message id")
                #expect(Set(copies.map(\.experimentID)).count == 1, "every copy must name the same experiment")
                guard let assignment = copies.first else { return id }
                // A hello that does not list it (as after a reconnect) gets it sent again, to this agent:
                // it is never requeued for another instrument while it may be on its way here.
                link.send(.agentHello(SecurityTests.agentHello("raw-reactor")))
                try await waitUntil("the assignment after the hello", timeout: .seconds(10)) {
                    inbox.assignments.count > copies.count
                }
                #expect(try await experimentState(lab, state: "queued").isEmpty, "a dispatched experiment must not be requeued")
                var accepted = Labloop_V1_AssignmentAccepted()
                accepted.experimentID = assignment.experimentID
                link.send(.assignmentAccepted(accepted))
                try await Task.sleep(for: .milliseconds(500))
                let afterAccept = inbox.assignments.count
                try await Task.sleep(for: .seconds(3))  // longer than the 2 s resend interval
                #expect(inbox.assignments.count == afterAccept, "an accepted assignment must not be sent again")
                var result = Labloop_V1_ExperimentResult()
                result.experimentID = assignment.experimentID
                result.attempt = assignment.attempt
                result.outcome = .succeeded
                result.measurements = [Labloop_V1_NamedValue(name: "yield", real: 42)]
                let resultID = link.send(.result(result))
                try await waitUntil("the result acknowledged", timeout: .seconds(20)) {
                    inbox.count { $0.correlationID == resultID && $0.resultAckStatus == .stored } == 1
                }
                return id
            }
            let summary = try await lab.waitUntilFinished(id, timeout: .seconds(30))
            #expect(CampaignState(summary.state) == .completed)
        }
        #expect(lab.log("coordinator").contains("assignment resent"))
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories()
    }

    @Test("after a restart, an experiment whose agent never comes back waits out the grace period, then needs review")
    func graceExpires() async throws {
        let lab = try Lab()
        let grace = Duration.seconds(4)
        try await withLabAllowingKills(lab, killed: ["coordinator-1", "slow"]) {
            let first = try await lab.startCoordinator(name: "coordinator-1")
            let slow = try await lab.startReactor("slow", capacity: 1, durationMs: 60_000)
            try await lab.startModel()
            let id = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 1, parallel: 1))
            var victim = ""
            try await waitUntil("an experiment running", timeout: .seconds(60)) {
                victim = try await experimentState(lab, state: "running").first ?? ""
                return !victim.isEmpty
            }
            first.signal(SIGKILL)
            slow.signal(SIGKILL)
            _ = await first.wait(timeout: .seconds(5))
            _ = await slow.wait(timeout: .seconds(5))
            let restarted = ContinuousClock.now
            try await lab.startCoordinator(name: "coordinator-2", extra: ["--recovery-grace-ms", "4000"])
            try await waitUntil("\(victim) marked needs_review", timeout: .seconds(30)) {
                try await experimentState(lab, state: "needs_review").contains(victim)
            }
            let decidedAfter = ContinuousClock.now - restarted
            #expect(decidedAfter >= grace, "decided after \(decidedAfter), before the grace period of \(grace)")
            let summary = try await lab.waitUntilFinished(id, timeout: .seconds(30))
            #expect(CampaignState(summary.state) == .completed)
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkHistories()
        let reason = try await invariants.db.read { db in
            try String.fetchOne(db, sql: "SELECT reason FROM experiment_transitions WHERE to_state = 'needs_review'") ?? ""
        }
        #expect(reason.contains("did not report it after a restart"), "reason: \(reason)")
    }

    @Test("SIGTERM: the coordinator finishes what it started, tells agents and models, exits 0; a restart resumes")
    func gracefulShutdown() async throws {
        let lab = try Lab()
        let summary = try await withLabProcesses(lab) {
            let first = try await lab.startCoordinator(name: "coordinator-1")
            try await lab.startReactor("reactor-a", capacity: 2, durationMs: 300)
            try await lab.startReactor("reactor-b", capacity: 2, durationMs: 300)
            try await lab.startModel()
            let id = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 24, parallel: 4))
            try await waitUntil("6 results", timeout: .seconds(60)) { try await storedResults(lab) >= 6 }
            let status = await first.stop(grace: .seconds(10))
            #expect(status == 0, "SIGTERM must end the coordinator with status 0")
            let log = lab.log("coordinator-1")
            #expect(log.contains("agents_told=2") && log.contains("models_told=1"), "the coordinator should tell its peers: \(log.suffix(1500))")
            let peers = ["reactor-a", "reactor-b", "model"]
            func untold() -> [String] { peers.filter { !lab.log($0).contains("the coordinator said goodbye") } }
            do {
                try await waitUntil("agents and model told", timeout: .seconds(10)) { untold().isEmpty }
            } catch {
                Issue.record("not told goodbye: \(untold()); coordinator log: \(log.suffix(1500))")
                throw error
            }
            try await lab.startCoordinator(name: "coordinator-2")
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        }
        #expect(CampaignState(summary.state) == .completed, "state: \(summary.state) \(summary.stateReason)")
        try await checkStoreKeepsAcknowledged(lab, logs: ["reactor-a", "reactor-b"])
        let invariants = try StoreInvariants(path: lab.databasePath)
        let (needsReview, completed) = try await invariants.db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE state = 'needs_review'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE state = 'completed'")!)
        }
        #expect(needsReview == 0, "agents came back within the grace period: nothing should need review")
        #expect(completed == 24)
    }
}

@Suite("Quarantine", .serialized)
struct QuarantineTests {
    @Test("an instrument failing 3 times in a row is quarantined, across a restart, until an operator clears it")
    func failingInstrumentQuarantined() async throws {
        let lab = try Lab()
        let spec = ClosedLoopTests.retryingCampaign(experiments: 30, parallel: 2)
        let options = ["--quarantine-after", "3"]
        let summary = try await withLabProcesses(lab) {
            let first = try await lab.startCoordinator(name: "coordinator-1", extra: options)
            try await lab.startReactor("broken", capacity: 1, durationMs: 50, extra: ["--fail-rate", "1"])
            try await lab.startReactor("healthy", capacity: 1, durationMs: 300)
            try await lab.startModel()
            let id = try await lab.submit(spec)
            try await waitUntil("broken quarantined", timeout: .seconds(60)) { try await isDraining(lab, "broken") }
            try await Task.sleep(for: .seconds(1))
            #expect(try await resultCount(lab, from: "broken") == 3, "a quarantined instrument must get no more work")
            // The quarantine outlives a restart.
            #expect(await first.stop() == 0)
            try await lab.startCoordinator(name: "coordinator-2", extra: options)
            try await waitUntil("broken back", timeout: .seconds(30)) {
                try await connectedInstruments(lab).contains("broken")
            }
            #expect(try await isDraining(lab, "broken"), "the quarantine should hold after a restart")
            let cleared = try await labloop(["instruments", "drain", "--undo", "broken", "--data", lab.directory.path])
            #expect(cleared.status == 0, "\(cleared.stderr)")
            try await waitUntil("broken quarantined again", timeout: .seconds(60)) {
                let failures = try await resultCount(lab, from: "broken")
                let draining = try await isDraining(lab, "broken")
                return failures >= 6 && draining
            }
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        }
        #expect(CampaignState(summary.state) == .completed)
        let audit = try await labloop(["audit", "--data", lab.directory.path])
        #expect(audit.stdout.contains("quarantine"), "the audit log should show the quarantine: \(audit.stdout)")
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkHistories()
        #expect(try await resultCount(lab, from: "broken") == 6)
    }

    private func isDraining(_ lab: Lab, _ instrumentID: String) async throws -> Bool {
        try await lab.control(.listInstruments(.init())).instruments.instruments.first { $0.instrumentID == instrumentID }?.draining ?? false
    }

    private func resultCount(_ lab: Lab, from instrumentID: String) async throws -> Int {
        let invariants = try StoreInvariants(path: lab.databasePath)
        return try await invariants.db.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE instrument_id = ?", arguments: [instrumentID])!
        }
    }
}

/// Experiments in `state`, read from the store.
func experimentState(_ lab: Lab, state: String) async throws -> [String] {
    let invariants = try StoreInvariants(path: lab.databasePath)
    return try await invariants.db.read { db in
        try String.fetchAll(db, sql: "SELECT id FROM experiments WHERE state = ?", arguments: [state])
    }
}

/// Everything a raw test peer received, collected by one task and read by the test.
final class Inbox: Sendable {
    private let envelopes = Mutex<[Labloop_V1_Envelope]>([])

    func add(_ envelope: Labloop_V1_Envelope) { envelopes.withLock { $0.append(envelope) } }

    func count(where matches: (Labloop_V1_Envelope) -> Bool) -> Int {
        envelopes.withLock { $0.filter(matches).count }
    }

    var assignments: [(messageID: String, experimentID: String, attempt: UInt32)] {
        envelopes.withLock { all in
            all.compactMap { envelope in
                guard case .assignment(let assignment)? = envelope.body else { return nil }
                return (envelope.messageID, assignment.experimentID, assignment.attempt)
            }
        }
    }
}

extension Labloop_V1_Envelope {
    var isWelcome: Bool {
        if case .agentWelcome? = body { return true }
        return false
    }

    var resultAckStatus: Labloop_V1_AckStatus? {
        if case .resultAck(let ack)? = body { return ack.status }
        return nil
    }
}
