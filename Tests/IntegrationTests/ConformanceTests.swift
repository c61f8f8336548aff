import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

/// The protocol is the contract: peers written from Docs/protocol.md in Python and C run a campaign
/// with the Swift coordinator, and the store holds the same invariants as with the Swift peers.
@Suite("Peers in Python and C against the coordinator", .serialized)
struct ConformanceTests {
    static let campaignFile = Repository.file("Docs/examples/toy-reactor.yaml")

    @Test("Python and C agents with the Python model service run a campaign; the store holds")
    func pythonAndCPeers() async throws {
        try await requirePeerTools()
        let simulator = try await CPeerBuild.shared.simulatedInstrument()
        let lab = try Lab()
        let peers = PeerLauncher(lab: lab)
        let summary = try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await peers.pythonAgent("py-reactor", durationMs: 150)
            try await peers.cAgent("c-reactor", simulator: simulator, durationMs: 150)
            try await peers.pythonModel()
            try await waitUntil("both agents registered", timeout: .seconds(30)) {
                try await connectedInstruments(lab) == ["c-reactor", "py-reactor"]
            }
            let id = try await submitToyReactor(lab)
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        } // every process exited 0 on SIGTERM: the C agent under valgrind had no leak or memory error
        #expect(CampaignState(summary.state) == .completed, "state: \(summary.state) \(summary.stateReason)")
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        #expect(try invariants.checkHistories() == 16, "every one of the 16 experiments should have been dispatched")
        try invariants.checkResultsLinked()
        let (instruments, models, learned, integerParameters) = try await invariants.db.read { db in
            (try String.fetchAll(db, sql: "SELECT DISTINCT instrument_id FROM results ORDER BY 1"),
             try String.fetchAll(db, sql: "SELECT DISTINCT model_id || ' ' || substr(model_version, 1, 9) FROM proposals"),
             try Int.fetchOne(db, sql: "SELECT MAX(training_observations) FROM proposals") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE parameters LIKE '%\"integer\"%'") ?? 0)
        }
        #expect(instruments == ["c-reactor", "py-reactor"], "both the Python and the C agent should have run experiments")
        #expect(models == ["numpy-model numpy-ucb"], "every proposal should come from the Python model service")
        #expect(learned > 0, "the model service should have learned from recorded results (event stream and catch-up)")
        #expect(integerParameters == 16, "the integer parameter must travel as an integer value")
    }

    @Test("killing the Python agent mid-campaign and restarting it keeps every acknowledged result")
    func pythonAgentKilledMidCampaign() async throws {
        try await requirePeerTools()
        let lab = try Lab()
        let peers = PeerLauncher(lab: lab)
        let summary = try await withLabAllowingKills(lab, killed: ["py-reactor"]) {
            try await lab.startCoordinator()
            let agent = try await peers.pythonAgent("py-reactor", durationMs: 200)
            try await peers.pythonModel()
            let id = try await submitToyReactor(lab)
            try await waitUntil("4 results recorded", timeout: .seconds(60)) { try await completed(lab, id) >= 4 }
            agent.signal(SIGKILL)
            _ = await agent.wait(timeout: .seconds(5))
            try await peers.pythonAgent("py-reactor", logName: "py-reactor-restarted", durationMs: 200)
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        }
        #expect(CampaignState(summary.state) == .completed, "state: \(summary.state) \(summary.stateReason)")
        let acknowledged = try await checkStoreKeepsAcknowledged(lab, logs: ["py-reactor", "py-reactor-restarted"])
        #expect(acknowledged.count >= 4, "the agent logs too few acknowledgements: \(acknowledged.count)")
    }

    @Test("results only in the killed Python agent's outbox reach the store after both restart")
    func outboxResentAfterRestart() async throws {
        try await requirePeerTools()
        let lab = try Lab()
        let peers = PeerLauncher(lab: lab)
        let outbox = peers.outbox("py-reactor")
        var atKill: Set<String> = []
        let summary = try await withLabAllowingKills(lab, killed: ["py-reactor"]) {
            let coordinator = try await lab.startCoordinator()
            let agent = try await peers.pythonAgent("py-reactor", durationMs: 1000)
            let model = try await peers.pythonModel()
            let id = try await submitToyReactor(lab)
            try await waitUntil("4 results recorded, 2 experiments running", timeout: .seconds(60)) {
                let done = try await completed(lab, id), busy = try await running(lab, "py-reactor")
                return done >= 4 && busy == 2
            }
            // The coordinator goes away while the agent runs two experiments: their results can only be kept
            // in the outbox. The agent is killed with them there; nothing else holds them.
            let modelStatus = await model.stop(), coordinatorStatus = await coordinator.stop()
            #expect(modelStatus == 0 && coordinatorStatus == 0, "the model and the coordinator should stop cleanly")
            try FileManager.default.copyItem(at: lab.directory.appendingPathComponent("coordinator.log"),
                                             to: lab.directory.appendingPathComponent("coordinator-before-restart.log"))
            try await waitUntil("results in the outbox", timeout: .seconds(10)) { !outboxFiles(outbox).isEmpty }
            try await Task.sleep(for: .milliseconds(1200)) // both experiments have finished by now
            atKill = outboxFiles(outbox)
            agent.signal(SIGKILL)
            _ = await agent.wait(timeout: .seconds(5))
            try await lab.startCoordinator()
            try await peers.pythonAgent("py-reactor", logName: "py-reactor-restarted", durationMs: 200)
            try await peers.pythonModel()
            return try await lab.waitUntilFinished(id, timeout: .seconds(120))
        }
        #expect(CampaignState(summary.state) == .completed, "state: \(summary.state) \(summary.stateReason)")
        #expect(!atKill.isEmpty, "the agent should have been killed with results in its outbox")
        #expect(outboxFiles(outbox).isEmpty, "every result in the outbox should have been acknowledged by the end")
        let restarted = lab.log("py-reactor-restarted")
        #expect(restarted.contains("\(atKill.count) unacknowledged results in the outbox will be resent"), "the outbox was not read")
        let storedByResend = Set(restarted.matches(of: /message_id=(\S+) status=ACK_STATUS_STORED/).map { String($0.output.1) })
        #expect(atKill.isSubset(of: storedByResend), "results in the outbox at the kill were lost: \(atKill.subtracting(storedByResend))")
        _ = try await checkStoreKeepsAcknowledged(lab, logs: ["py-reactor", "py-reactor-restarted"])
    }
}

@Suite("Peer libraries in Python and C")
struct PeerLibraryTests {
    @Test("the Python SDK's unit tests pass (keys, CURVE with ZAP, outbox, gap fill, agent)")
    func pythonUnitTests() async throws {
        let result = try await runCommand("python3", ["-m", "unittest", "discover", "-s",
                                                      Repository.python.appendingPathComponent("tests").path])
        #expect(result.status == 0, "python3 -m unittest failed:\n\(result.output.suffix(6000))")
    }

    @Test("the C agent library's tests pass under valgrind (keys, CURVE with ZAP, outbox, agent, no leaks)")
    func cLibraryTests() async throws {
        try await requirePeerTools()
        let result = try await CPeerBuild.shared.test()
        #expect(result.status == 0, "make -C Instruments/c test failed:\n\(result.output.suffix(6000))")
    }

    @Test("the committed Python and C protobuf code is what the generators make from Proto/")
    func generatedCodeIsCurrent() async throws {
        let result = try await runCommand(Repository.file("Proto/generate-peers.sh").path, ["--check"])
        #expect(result.status == 0, "\(result.output)")
    }
}

private func submitToyReactor(_ lab: Lab) async throws -> String {
    let submitted = try await labloop(["campaign", "submit", "--data", lab.directory.path, ConformanceTests.campaignFile.path])
    guard submitted.status == 0 else { throw LabError("campaign submit failed: \(submitted.stderr)") }
    return submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
