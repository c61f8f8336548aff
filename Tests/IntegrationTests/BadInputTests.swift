import Foundation
import LabLoopCore
import GRDB
import LabLoopPeer
import LabLoopProtocol
import Logging
import Testing
import ZeroMQ

@Suite("Bad input from raw peers", .serialized)
struct BadInputTests {
    /// The next ErrorReply on `link`, or nil within `timeout`.
    func nextError(_ link: PeerLink, timeout: Duration = .seconds(5)) async -> Labloop_V1_ErrorReply? {
        await withTaskGroup(of: Labloop_V1_ErrorReply?.self) { group in
            group.addTask {
                for await envelope in link.messages {
                    if case .error(let error)? = envelope.body { return error }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test("each malformed or misdirected message gets a reason; the coordinator keeps serving")
    func refusalsWithReasons() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            let context = ZMQContext()
            let logger = Logger(label: "test")
            let rogue = try await lab.credentials("rogue", role: .agent)
            try await withPeerLink(context: context, endpoint: lab.endpoints.agents, sender: "rogue", security: rogue?.curve,
                                   logger: logger) { link in
                link.send(frame: Data([0x01, 0x02, 0x03]))
                #expect(await nextError(link)?.code == .malformed)

                var future = Labloop_V1_Envelope.make(sender: "rogue", sessionSeq: 1, .heartbeat(.init()))
                future.protocolVersion = 2
                link.send(frame: future.frame())
                let version = await nextError(link)
                #expect(version?.code == .unsupportedVersion)
                #expect(version?.reason.contains("speaks 1") == true)

                link.send(.heartbeat(.init()))
                #expect(await nextError(link)?.code == .notRegistered)

                link.send(.controlRequest(.init()))
                #expect(await nextError(link)?.code == .wrongRole)

                var spoofed = Labloop_V1_AgentHello()
                spoofed.instrumentID = "someone-else"
                spoofed.capacity = 1
                link.send(.agentHello(spoofed))
                let hello = await nextError(link)
                #expect(hello?.code == .invalidValue)
                #expect(hello?.reason.contains("must be non-empty and equal the sender") == true)

                var result = Labloop_V1_ExperimentResult()
                result.experimentID = "c000-0001"
                link.send(.result(result))
                #expect(await nextError(link)?.code == .notRegistered)
            }
            // Still serving: a control request answers.
            let reply = try await lab.control(.listCampaigns(.init()))
            #expect(reply.campaigns.campaigns.isEmpty)
            #expect(lab.children[0].isRunning)
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        let written = try await invariants.db.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM instruments)")
        }
        #expect(written == 0, "refused messages must not write anything")
    }

    @Test("every named kind of bad input is refused with a readable reason and counted; nothing is stored from it")
    func namedCases() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            let peer = try await RawPeer(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: "named",
                                         security: try await lab.credentials("named", role: .agent)?.curve)
            #expect(await peer.register(BadMessages.harmlessHello("named")))
            func expectRefusal(_ frames: [Data], _ code: Labloop_V1_ErrorCode, _ words: String, _ what: String) async {
                peer.discardAnswers()
                peer.send(frames)
                let answer = await peer.nextAnswer()
                guard case .error(let error)? = answer?.body else {
                    Issue.record("\(what): expected an error reply, got \(String(describing: answer?.body))")
                    return
                }
                #expect(error.code == code, "\(what): \(error.reason)")
                #expect(error.reason.contains(words), "\(what): the reason '\(error.reason)' should say '\(words)'")
            }
            let valid = peer.envelope(.heartbeat(.init())).frame()
            await expectRefusal([Data()], .malformed, "empty frame", "empty frame")
            await expectRefusal([valid, Data("x".utf8)], .malformed, "got 2", "two frames")
            await expectRefusal([Data((0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })], .malformed, "not a protobuf", "random bytes")
            await expectRefusal([valid.prefix(valid.count - 3)], .malformed, "not a protobuf", "truncated protobuf")
            var unknown = peer.envelope(.heartbeat(.init()))
            unknown.body = nil
            await expectRefusal([unknown.frame() + Data([0xFA, 0x06, 0x02, 0x08, 0x01])], .malformed, "unknown body type", "unknown message type")
            var version = peer.envelope(.heartbeat(.init()))
            version.protocolVersion = 7
            await expectRefusal([version.frame()], .unsupportedVersion, "speaks 1", "wrong protocol version")
            await expectRefusal([peer.envelope(.controlRequest(.init())).frame()], .wrongRole, "not accepted on the agent socket", "wrong socket")
            var hello = BadMessages.harmlessHello("named")
            hello.capacity = 0
            await expectRefusal([peer.envelope(.agentHello(hello)).frame()], .invalidValue, "capacity 0", "capacity out of range")
            hello = BadMessages.harmlessHello("named")
            var limit = Labloop_V1_ParameterLimit()
            limit.name = "x"
            limit.low = .nan
            hello.operations[0].limits = [limit]
            await expectRefusal([peer.envelope(.agentHello(hello)).frame()], .invalidValue, "bounds must be finite", "NaN limit")
            var accepted = Labloop_V1_AssignmentAccepted()
            accepted.experimentID = "cforeign0000-0001"
            await expectRefusal([peer.envelope(.assignmentAccepted(accepted)).frame()], .unknownID, "unknown experiment", "foreign experiment id")
            // A result for an experiment never assigned to it (no such campaign here): a REJECTED ack says why.
            var result = Labloop_V1_ExperimentResult()
            result.experimentID = "cforeign0000-0001"
            result.outcome = .UNRECOGNIZED(42)
            var measurement = Labloop_V1_NamedValue()
            measurement.name = "yield"
            measurement.value.real = .nan
            result.measurements = [measurement]
            peer.discardAnswers()
            peer.send(.result(result))
            let ack = await peer.nextAnswer()
            guard case .resultAck(let resultAck)? = ack?.body else {
                Issue.record("expected a result ack, got \(String(describing: ack?.body))")
                return
            }
            #expect(resultAck.status == .rejected && resultAck.reason.contains("unknown experiment"), "\(resultAck)")
            // Oversized: libzmq drops the connection at its 4 MiB limit, so no reply is possible; the coordinator serves on.
            peer.send([Data(count: maxEnvelopeBytes + 1)])
            try await Task.sleep(for: .milliseconds(1_500))
            _ = try await lab.control(.listCampaigns(.init()))
            await peer.close()
            let health = try #require(Health.read(lab))
            for reason in ["malformed", "unsupported_version", "wrong_role", "invalid_value", "unknown_id", "result_rejected"] {
                #expect((health.refusals[reason] ?? 0) > 0, "no '\(reason)' counted: \(health.refusals)")
            }
            #expect(health.refusedTotal == 11, "\(health.refusals)")
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkNothingInvalid()
    }

    @Test("the assigned agent's result with NaN or an unknown outcome is rejected; the attempt fails; nothing is stored")
    func invalidResultsFromTheAssignedAgent() async throws {
        let lab = try Lab()
        var reasons: [String] = []
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startModel()
            let agent = try await RawPeer(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: "raw-reactor",
                                          security: try await lab.credentials("raw-reactor", role: .agent)?.curve)
            #expect(await agent.register(SecurityTests.agentHello("raw-reactor")))
            let other = try await RawPeer(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: "other",
                                          security: try await lab.credentials("other", role: .agent)?.curve)
            #expect(await other.register(BadMessages.harmlessHello("other")))
            let campaignID = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 2, parallel: 1))
            for outcome in [Labloop_V1_Outcome.succeeded, .UNRECOGNIZED(42)] {
                var assignment: Labloop_V1_Assignment?
                let deadline = ContinuousClock.now + .seconds(30)
                while assignment == nil, ContinuousClock.now < deadline {
                    agent.send(.heartbeat(.init()))  // stay alive (5 s liveness)
                    if case .assignment(let found)? = await agent.nextAnswer(timeout: .seconds(1))?.body { assignment = found }
                }
                let assigned = try #require(assignment, "no assignment arrived")
                var accepted = Labloop_V1_AssignmentAccepted()
                accepted.experimentID = assigned.experimentID
                // Another agent first: neither its acceptance nor its result touches someone else's experiment.
                other.discardAnswers()
                other.send(.assignmentAccepted(accepted))
                let stolenAccept = await other.nextAnswer()
                if case .error(let error)? = stolenAccept?.body {
                    #expect(error.code == .conflict || error.code == .invalidState, "\(error)")
                } else {
                    Issue.record("another agent's acceptance was not refused: \(String(describing: stolenAccept?.body))")
                }
                var stolen = Labloop_V1_ExperimentResult()
                stolen.experimentID = assigned.experimentID
                stolen.attempt = assigned.attempt
                stolen.outcome = .failed
                other.send(.result(stolen))
                if case .resultAck(let stolenAck)? = await other.nextAnswer()?.body {
                    #expect(stolenAck.status == .rejected && stolenAck.reason.contains("not assigned to other"), "\(stolenAck)")
                } else {
                    Issue.record("another agent's result was not answered REJECTED")
                }
                agent.send(.assignmentAccepted(accepted))
                var result = Labloop_V1_ExperimentResult()
                result.experimentID = assigned.experimentID
                result.attempt = assigned.attempt
                result.outcome = outcome
                var measurement = Labloop_V1_NamedValue()
                measurement.name = "yield"
                measurement.value.real = outcome == .succeeded ? .nan : 0.5
                result.measurements = [measurement]
                // Like an agent's outbox: the same message until it is answered (a result that arrives
                // while the acceptance is being committed gets no answer).
                let frame = agent.envelope(.result(result)).frame()
                var ack: Labloop_V1_ResultAck?
                while ack == nil, ContinuousClock.now < deadline {
                    agent.send([frame])
                    switch await agent.nextAnswer(timeout: .seconds(1))?.body {
                    case .resultAck(let found)?: ack = found
                    case .error(let error)?: Issue.record("an error instead of an ack: \(error.reason)")
                    default: agent.send(.heartbeat(.init()))
                    }
                }
                #expect(ack?.status == .rejected, "\(String(describing: ack))")
                reasons.append(ack?.reason ?? "")
            }
            _ = try await lab.waitUntilFinished(campaignID, timeout: .seconds(60))
            await agent.close()
            await other.close()
        }
        #expect(reasons.first?.contains("is not finite") == true, "\(reasons)")
        #expect(reasons.last?.contains("neither SUCCEEDED nor FAILED") == true, "\(reasons)")
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkNothingInvalid()
        try invariants.checkHistories()
        let (results, failed) = try await invariants.db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiment_transitions WHERE to_state = 'failed' AND reason LIKE 'invalid result:%'")!)
        }
        #expect(results == 0, "an invalid result was stored")
        #expect(failed == 2, "both attempts should have failed as invalid")
    }
}
