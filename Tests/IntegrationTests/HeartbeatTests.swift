import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing
import ZeroMQ

/// Registered agents' and models' heartbeats are answered on the coordinator's gateway thread (the
/// fast path); they must still count as signs of life, and stop counting once they stop.
@Suite("Heartbeats", .serialized)
struct HeartbeatTests {
    /// Liveness short enough to keep the tests quick.
    static let serveOptions = ["--liveness-ms", "2000", "--heartbeat-ms", "500"]
    /// Beating for this long outlives the liveness timeout three times over.
    static let beating = Duration.seconds(6)

    @Test("an agent's heartbeats, answered on the gateway's thread, keep it alive and its last-seen current; once they stop it is lost")
    func agentLiveness() async throws {
        try await Self.withUnregisteredPeer("beating", role: .agent) { lab, peer in
            #expect(await peer.register(BadMessages.harmlessHello("beating")))
            let registered = try #require(try await Self.instrument("beating", lab))
            #expect(registered.connected)

            let sent = try await Self.beat(peer, for: Self.beating)
            let summary = try #require(try await Self.instrument("beating", lab))
            #expect(summary.connected, "an agent that kept sending heartbeats was declared lost")
            #expect(summary.lastSeenUnixMs >= registered.lastSeenUnixMs + 4_000,
                    "last seen moved from \(registered.lastSeenUnixMs) only to \(summary.lastSeenUnixMs) in \(Self.beating) of heartbeats")
            try await Self.checkAnswers(peer, sent: sent, lab: lab)
            #expect(!lab.log("coordinator").contains("instrument lost"))

            // Silence: lost within the liveness timeout and a sweep, and forgotten by the fast path too.
            try await waitUntil("the silent agent declared lost", timeout: .seconds(10)) {
                try await Self.instrument("beating", lab)?.connected == false
            }
            #expect(lab.log("coordinator").contains("instrument lost"))
            #expect(await Self.refusedAsUnregistered(peer), "a heartbeat after being declared lost must get NOT_REGISTERED")
        }
    }

    @Test("a model server's heartbeats, answered on the gateway's thread, keep it registered; once they stop it is lost")
    func modelLiveness() async throws {
        try await Self.withUnregisteredPeer("beating-model", role: .model) { lab, peer in
            var hello = Labloop_V1_ModelHello()
            hello.modelID = "beating-model"
            hello.strategies = ["space-filling"]
            var welcomed = false
            let deadline = ContinuousClock.now + .seconds(20)
            while !welcomed, ContinuousClock.now < deadline {
                peer.discardAnswers()
                peer.send(.modelHello(hello))
                if case .modelWelcome? = await peer.nextAnswer(timeout: .seconds(1))?.body { welcomed = true }
            }
            try #require(welcomed, "the model server was not welcomed")

            let sent = try await Self.beat(peer, for: Self.beating)
            #expect(!lab.log("coordinator").contains("model server lost"), "a model that kept sending heartbeats was declared lost")
            try await Self.checkAnswers(peer, sent: sent, lab: lab)

            try await waitUntil("the silent model declared lost", timeout: .seconds(10)) {
                lab.log("coordinator").contains("model server lost")
            }
            #expect(await Self.refusedAsUnregistered(peer), "a heartbeat after being declared lost must get NOT_REGISTERED")
        }
    }

    /// Starts a coordinator with short liveness and a raw peer named `name` on `role`'s socket, checks
    /// that its heartbeat before any hello gets `NOT_REGISTERED`, and runs `body`.
    private static func withUnregisteredPeer(_ name: String, role: PeerRole,
                                             _ body: (Lab, RawPeer) async throws -> Void) async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: serveOptions)
            let endpoint = role == .model ? lab.endpoints.models : lab.endpoints.agents
            let peer = try await RawPeer(context: ZMQContext(), endpoint: endpoint, sender: name,
                                         security: try await lab.credentials(name, role: role)?.curve)
            defer { Task { await peer.close() } }
            #expect(await refusedAsUnregistered(peer), "a heartbeat before the hello must get NOT_REGISTERED")
            try await body(lab, peer)
        }
    }

    /// Sends a heartbeat every 400 ms for `duration`; returns their message ids.
    private static func beat(_ peer: RawPeer, for duration: Duration) async throws -> [String] {
        _ = peer.takeHeartbeats()
        var sent: [String] = []
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            sent.append(peer.send(.heartbeat(.init())))
            try await Task.sleep(for: .milliseconds(400))
        }
        return sent
    }

    /// Every heartbeat got the coordinator's reply (correlated, with the latest seq and its own
    /// session seqs), and each was answered on the gateway's thread.
    private static func checkAnswers(_ peer: RawPeer, sent: [String], lab: Lab) async throws {
        var replies: [Labloop_V1_Envelope] = []
        try await waitUntil("a reply to every heartbeat", timeout: .seconds(5)) {
            replies += peer.takeHeartbeats()
            return replies.count >= sent.count
        }
        #expect(replies.map(\.correlationID) == sent, "the replies do not answer the heartbeats, in order")
        #expect(replies.allSatisfy { $0.sender == "coordinator" })
        #expect(zip(replies, replies.dropFirst()).allSatisfy { $0.sessionSeq < $1.sessionSeq }, "session seqs must increase")
        var health: Health?
        try await waitUntil("health.json counting the heartbeats", timeout: .seconds(5)) {
            health = Health.read(lab)
            return (health?.fastHeartbeats ?? 0) >= sent.count
        }
        for reply in replies {
            guard case .heartbeat(let beat)? = reply.body else { continue }
            #expect(beat.latestSeq == health?.latestSeq, "a reply's latest_seq is not the coordinator's latest published seq")
        }
    }

    /// Sends heartbeats until one is refused as unregistered (the first connection may race the allowlist).
    private static func refusedAsUnregistered(_ peer: RawPeer) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            peer.discardAnswers()
            let id = peer.send(.heartbeat(.init()))
            if let answer = await peer.nextAnswer(timeout: .seconds(1)), answer.correlationID == id {
                guard case .error(let error)? = answer.body else { return false }
                return error.code == .notRegistered
            }
        }
        return false
    }

    private static func instrument(_ id: String, _ lab: Lab) async throws -> Labloop_V1_InstrumentSummary? {
        try await lab.control(.listInstruments(.init())).instruments.instruments.first { $0.instrumentID == id }
    }
}
