import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing
import ZeroMQ

/// Dispatch ahead: the next experiment is committed to a busy instrument and leaves the moment a slot
/// frees. Driven by a scripted agent of capacity 1, so what it receives, and when, is exact.
@Suite("Dispatch ahead", .serialized)
struct DispatchAheadTests {
    /// One transition of an experiment, from the store.
    struct Move: Sendable {
        var experimentID: String
        var from: String?
        var to: String
        var instrumentID: String?
        var reason: String
        var id: Int64
    }

    static func moves(_ lab: Lab) async throws -> [Move] {
        let invariants = try StoreInvariants(path: lab.databasePath)
        return try await invariants.db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT experiment_id, from_state, to_state, instrument_id, reason, id FROM experiment_transitions ORDER BY id
                """).map { Move(experimentID: $0[0], from: $0[1], to: $0[2], instrumentID: $0[3], reason: $0[4], id: $0[5]) }
        }
    }

    /// Experiments dispatched ahead to `instrumentID`, still dispatched there and not among `received`
    /// (what the agent got): held, neither sent nor withdrawn.
    static func heldAhead(_ lab: Lab, on instrumentID: String, received: Inbox) async throws -> [String] {
        let all = try await moves(lab)
        let sent = Set(received.assignments.map(\.experimentID))
        let ahead = all.filter { $0.to == "dispatched" && $0.reason == "ahead" && $0.instrumentID == instrumentID }
        return ahead.map(\.experimentID).filter { id in
            !sent.contains(id) && all.last { $0.experimentID == id }?.to == "dispatched"
        }
    }

    static func result(for assignment: (messageID: String, experimentID: String, attempt: UInt32)) -> Labloop_V1_ExperimentResult {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = assignment.experimentID
        result.attempt = assignment.attempt
        result.outcome = .succeeded
        result.measurements = [Labloop_V1_NamedValue(name: "yield", real: 42)]
        return result
    }

    /// Says hello until welcomed: the first connection may race the allowlist and be refused, losing the hello.
    static func register(_ link: PeerLink, _ inbox: Inbox) async throws {
        try await waitUntil("the welcome", timeout: .seconds(30)) {
            link.send(.agentHello(SecurityTests.agentHello("raw-reactor")))
            try await Task.sleep(for: .seconds(1))
            return inbox.count { $0.isWelcome } > 0
        }
    }

    /// The scripted agent "raw-reactor" (capacity 1), registered, with everything it receives collected.
    static func withScriptedAgent(_ lab: Lab, _ body: @escaping @Sendable (PeerLink, Inbox) async throws -> Void) async throws {
        let credentials = try await lab.credentials("raw-reactor", role: .agent)
        try await withPeerLink(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: "raw-reactor",
                               security: credentials?.curve, logger: lab.logger) { link in
            let inbox = Inbox()
            let collector = Task { for await envelope in link.messages { inbox.add(envelope) } }
            defer { collector.cancel() }
            try await register(link, inbox)
            try await body(link, inbox)
        }
    }

    /// Submits a campaign, accepts the first assignment, and waits until the next experiment is held
    /// ahead for the (now full) agent. Returns the campaign, the running assignment and the held ids.
    static func startHolding(_ lab: Lab, _ link: PeerLink, _ inbox: Inbox, experiments: Int)
        async throws -> (campaignID: String, running: (messageID: String, experimentID: String, attempt: UInt32), held: [String]) {
        let id = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: experiments, parallel: 2))
        try await waitUntil("the first assignment", timeout: .seconds(30)) { !inbox.assignments.isEmpty }
        let running = inbox.assignments[0]
        var accepted = Labloop_V1_AssignmentAccepted()
        accepted.experimentID = running.experimentID
        link.send(.assignmentAccepted(accepted))
        var held: [String] = []
        try await waitUntil("an experiment dispatched ahead", timeout: .seconds(30)) {
            held = try await heldAhead(lab, on: "raw-reactor", received: inbox)
            return !held.isEmpty
        }
        return (id, running, held)
    }

    @Test("the next experiment waits committed at the busy agent, unsent; it leaves on the result; pause and a goodbye withdraw it unsent")
    func heldSentAndWithdrawn() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: ["--liveness-ms", "60000"])
            try await lab.startModel()
            try await Self.withScriptedAgent(lab) { link, inbox in
                // The agent (capacity 1) gets one experiment; the second waits for it, committed, unsent.
                let (id, first, held) = try await Self.startHolding(lab, link, inbox, experiments: 20)
                #expect(held.count == 1, "one place ahead per instrument by default: \(held)")
                try await Task.sleep(for: .seconds(3))  // longer than the 2 s resend interval
                #expect(Set(inbox.assignments.map(\.experimentID)) == [first.experimentID],
                        "only the first experiment may reach a full agent; the held one is neither sent nor resent")

                // The result frees the slot: the held assignment leaves at once.
                let resultID = link.send(.result(Self.result(for: first)))
                try await waitUntil("the held assignment", timeout: .seconds(10)) {
                    inbox.assignments.contains { $0.experimentID == held[0] }
                }
                try await waitUntil("the result acknowledged", timeout: .seconds(10)) {
                    inbox.count { $0.correlationID == resultID && $0.resultAckStatus == .stored } == 1
                }
                let second = try #require(inbox.assignments.first { $0.experimentID == held[0] })
                var accepted = Labloop_V1_AssignmentAccepted()
                accepted.experimentID = second.experimentID
                link.send(.assignmentAccepted(accepted))

                // Pause while the next one is held: it goes back to the queue and never reaches the agent.
                var next: [String] = []
                try await waitUntil("the next experiment dispatched ahead", timeout: .seconds(30)) {
                    next = try await Self.heldAhead(lab, on: "raw-reactor", received: inbox)
                    return !next.isEmpty
                }
                var pause = Labloop_V1_PauseCampaign()
                pause.campaignID = id
                _ = try await lab.control(.pause(pause))
                try await waitUntil("the held experiment withdrawn", timeout: .seconds(10)) {
                    try await Self.heldAhead(lab, on: "raw-reactor", received: inbox).isEmpty
                }
                let withdrawn = try await Self.moves(lab).filter { $0.experimentID == next[0] }
                #expect(withdrawn.map(\.to) == ["queued", "dispatched", "queued"], "\(withdrawn.map(\.to))")
                #expect(withdrawn.last?.reason.contains("campaign paused") == true, "\(withdrawn.last?.reason ?? "")")

                // Resumed, the same experiment is placed ahead again; a goodbye withdraws it (never sent)
                // while the one the agent accepted goes for review.
                var resume = Labloop_V1_ResumeCampaign()
                resume.campaignID = id
                _ = try await lab.control(.resume(resume))
                try await waitUntil("an experiment dispatched ahead after the resume", timeout: .seconds(30)) {
                    !(try await Self.heldAhead(lab, on: "raw-reactor", received: inbox).isEmpty)
                }
                let heldAtGoodbye = try await Self.heldAhead(lab, on: "raw-reactor", received: inbox)
                var goodbye = Labloop_V1_Disconnect()
                goodbye.reason = "test"
                link.send(.disconnect(goodbye))
                try await waitUntil("the goodbye applied", timeout: .seconds(10)) {
                    try await experimentState(lab, state: "needs_review") == [second.experimentID]
                }
                try await waitUntil("the held experiment withdrawn", timeout: .seconds(10)) {
                    try await Self.heldAhead(lab, on: "raw-reactor", received: inbox).isEmpty
                }
                for experimentID in heldAtGoodbye {
                    let last = try await Self.moves(lab).last { $0.experimentID == experimentID }
                    #expect(last?.to == "queued" && last?.reason.contains("instrument disconnected") == true,
                            "\(experimentID): \(String(describing: last))")
                }
                let sent = Set(inbox.assignments.map(\.experimentID))
                #expect(sent == [first.experimentID, second.experimentID], "a withdrawn experiment reached the agent: \(sent)")
            }
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories(allowActive: true)
    }

    @Test("an experiment held at a busy instrument moves to one that comes free while the queue is empty")
    func heldMovesToAFreeInstrument() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: ["--liveness-ms", "60000"])
            try await lab.startModel()
            try await Self.withScriptedAgent(lab) { link, inbox in
                // Two experiments at most: one runs at the scripted agent, the other is held for it.
                let (id, first, held) = try await Self.startHolding(lab, link, inbox, experiments: 2)
                // A second instrument comes free: the held experiment goes there instead of waiting.
                try await lab.startReactor("reactor-b", capacity: 1, durationMs: 20)
                try await waitUntil("the held experiment completed on reactor-b", timeout: .seconds(30)) {
                    try await experimentState(lab, state: "completed") == held
                }
                let path = try await Self.moves(lab).filter { $0.experimentID == held[0] }
                #expect(path.map(\.to) == ["queued", "dispatched", "queued", "dispatched", "running", "completed"],
                        "\(path.map(\.to))")
                #expect(path.last?.instrumentID == "reactor-b")
                #expect(path[2].reason.contains("a slot is free elsewhere"), "\(path[2].reason)")
                #expect(!inbox.assignments.contains { $0.experimentID == held[0] }, "the moved experiment reached the busy agent too")
                let resultID = link.send(.result(Self.result(for: first)))
                try await waitUntil("the result acknowledged", timeout: .seconds(10)) {
                    inbox.count { $0.correlationID == resultID && $0.resultAckStatus == .stored } == 1
                }
                let summary = try await lab.waitUntilFinished(id, timeout: .seconds(30))
                #expect(CampaignState(summary.state) == .completed)
            }
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories()
    }

    @Test("after a crash a held experiment is sent again; the full agent's decline does not keep it off that instrument, or ends it once the campaign is cancelled; SIGTERM withdraws it")
    func heldAcrossRestarts() async throws {
        let lab = try Lab()
        try await withLabAllowingKills(lab, killed: ["coordinator-1", "coordinator-3"]) {
            let first = try await lab.startCoordinator(name: "coordinator-1", extra: ["--liveness-ms", "60000"])
            try await lab.startModel()
            try await Self.withScriptedAgent(lab) { link, inbox in
                let (id, running, held) = try await Self.startHolding(lab, link, inbox, experiments: 6)
                try await waitUntil("the acceptance committed", timeout: .seconds(10)) {
                    try await experimentState(lab, state: "running") == [running.experimentID]
                }

                // A crash: nobody knows whether the held one left, so it is sent again although the agent is full.
                first.signal(SIGKILL)
                _ = await first.wait(timeout: .seconds(5))
                /// Starts the coordinator again; the agent says hello listing the experiment it runs.
                func restart(_ name: String) async throws -> ChildProcess {
                    let coordinator = try await lab.startCoordinator(name: name, extra: ["--liveness-ms", "60000"])
                    var hello = SecurityTests.agentHello("raw-reactor")
                    hello.inFlight = [running.experimentID]
                    let welcomes = inbox.count { $0.isWelcome }
                    try await waitUntil("the welcome after the restart", timeout: .seconds(30)) {
                        link.send(.agentHello(hello))
                        try await Task.sleep(for: .seconds(1))
                        return inbox.count { $0.isWelcome } > welcomes
                    }
                    return coordinator
                }
                let second = try await restart("coordinator-2")
                try await waitUntil("the held experiment sent again", timeout: .seconds(10)) {
                    inbox.assignments.contains { $0.experimentID == held[0] }
                }
                var declined = Labloop_V1_AssignmentDeclined()
                declined.experimentID = held[0]
                declined.reason = "at capacity"
                link.send(.assignmentDeclined(declined))
                // "No room" is not "cannot run it": the only capable instrument gets it again, ahead.
                try await waitUntil("the declined experiment dispatched ahead to the same instrument again", timeout: .seconds(15)) {
                    let path = try await Self.moves(lab).filter { $0.experimentID == held[0] }
                    guard let decline = path.lastIndex(where: { $0.reason.contains("declined by raw-reactor") }) else { return false }
                    return path[(decline + 1)...].contains { $0.to == "dispatched" && $0.instrumentID == "raw-reactor" }
                }

                // SIGTERM while it is held: it goes back to the queue, so the next start does not resend it.
                #expect(await second.stop(grace: .seconds(10)) == 0)
                let last = try await Self.moves(lab).last { $0.experimentID == held[0] }
                #expect(last?.to == "queued" && last?.reason.contains("coordinator shutting down") == true,
                        "\(String(describing: last))")

                // Held again after the next start, then a crash: sent again; the campaign is cancelled before
                // the agent declines it, so the decline ends it instead of queueing it in a finished campaign.
                let third = try await restart("coordinator-3")
                try await waitUntil("the experiment dispatched ahead again", timeout: .seconds(15)) {
                    let last = try await Self.moves(lab).last { $0.experimentID == held[0] }
                    return last?.to == "dispatched" && last?.reason == "ahead"
                }
                third.signal(SIGKILL)
                _ = await third.wait(timeout: .seconds(5))
                let copies = inbox.assignments.filter { $0.experimentID == held[0] }.count
                _ = try await restart("coordinator-4")
                try await waitUntil("the held experiment sent again", timeout: .seconds(10)) {
                    inbox.assignments.filter { $0.experimentID == held[0] }.count > copies
                }
                var cancel = Labloop_V1_CancelCampaign()
                cancel.campaignID = id
                _ = try await lab.control(.cancel(cancel))
                link.send(.assignmentDeclined(declined))
                try await waitUntil("the declined experiment of the cancelled campaign cancelled", timeout: .seconds(15)) {
                    try await experimentState(lab, state: "cancelled").contains(held[0])
                }
            }
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        try invariants.checkHistories(allowActive: true)
    }
}
