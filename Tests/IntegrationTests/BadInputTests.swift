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
}
