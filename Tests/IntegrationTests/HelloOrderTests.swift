import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing
import ZeroMQ

@Suite("Hello ordering", .serialized)
struct HelloOrderTests {
    /// Hellos of different agents are handled concurrently (so a thousand agents re-register quickly),
    /// but a message an agent sends right after its hello must still find it registered.
    @Test("many agents say hello at once; what each sends right after its hello finds it registered")
    func messageAfterHello() async throws {
        let lab = try Lab()
        let count = 24
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            var peers: [RawPeer] = []
            defer { for peer in peers { Task { await peer.close() } } }
            for index in 0..<count {
                let name = "burst-\(index)"
                let peer = try await RawPeer(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: name,
                                             security: try await lab.credentials(name, role: .agent)?.curve)
                peers.append(peer)
            }
            // Each connection is up (its handshake passed the allowlist) once a heartbeat is refused as
            // coming from an unregistered agent.
            let ready = await withTaskGroup(of: Bool.self) { group in
                for peer in peers {
                    group.addTask {
                        let deadline = ContinuousClock.now + .seconds(20)
                        while ContinuousClock.now < deadline {
                            peer.discardAnswers()
                            peer.send(.heartbeat(.init()))
                            if case .error(let error)? = await peer.nextAnswer(timeout: .seconds(1))?.body,
                               error.code == .notRegistered {
                                peer.discardAnswers()
                                return true
                            }
                        }
                        return false
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(ready == count, "only \(ready) of \(count) connections came up and were refused as unregistered")
            // Now every agent at once: hello, then straight away a message that needs the registration.
            var followers: [String: String] = [:]  // peer → the message id of its heartbeat after the hello
            for peer in peers {
                peer.send(.agentHello(BadMessages.harmlessHello(peer.sender)))
                followers[peer.sender] = peer.send(.heartbeat(.init()))
            }
            // A refusal would come within milliseconds; welcomes may take longer on a loaded machine.
            try await Task.sleep(for: .seconds(2))
            let deadline = ContinuousClock.now + .seconds(10)
            for peer in peers {
                var welcomed = false
                var refusals: [String] = []
                while let answer = await peer.nextAnswer(timeout: welcomed ? .milliseconds(20) : max(.milliseconds(20), deadline - ContinuousClock.now)) {
                    switch answer.body {
                    case .agentWelcome?: welcomed = true
                    // Only the answer to that heartbeat: a late refusal of a phase-one heartbeat is no evidence.
                    case .error(let error)? where answer.correlationID == followers[peer.sender]:
                        refusals.append("\(error.code): \(error.reason)")
                    default: break
                    }
                }
                #expect(welcomed, "\(peer.sender) was not welcomed")
                #expect(refusals.isEmpty, "\(peer.sender): the message after its hello was refused: \(refusals)")
            }
        }
    }
}
