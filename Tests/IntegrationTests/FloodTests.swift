import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing
import ZeroMQ

/// What the coordinator's `health.json` says (the fields these tests read).
struct Health: Decodable {
    var store: String
    var refusals: [String: Int]
    var refusedTotal: Int
    var disconnects: Int
    var latestSeq: UInt64
    /// Heartbeats answered on the gateway's thread.
    var fastHeartbeats: Int

    static func read(_ lab: Lab) -> Health? {
        guard let data = try? Data(contentsOf: lab.dataDirectory.appendingPathComponent("health.json")) else { return nil }
        return try? JSONDecoder().decode(Health.self, from: data)
    }
}

/// Builds randomised bad messages of every kind from a raw agent.
struct BadMessages {
    var rng: SplitMix64
    let campaignID: String

    func envelope(_ peer: RawPeer, _ body: Labloop_V1_Envelope.OneOf_Body) -> Labloop_V1_Envelope { peer.envelope(body) }

    mutating func bytes(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }) }

    mutating func experimentID() -> String {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: "\(campaignID)-\(String(format: "%04d", Int.random(in: 1...40, using: &rng)))"  // the honest campaign's
        case 1: "cforeign0000-\(String(format: "%04d", Int.random(in: 1...9999, using: &rng)))"
        case 2: String(decoding: bytes(Int.random(in: 0...12, using: &rng)).map { 0x21 + $0 % 90 }, as: UTF8.self)
        default: ""
        }
    }

    mutating func badResult(_ peer: RawPeer) -> Labloop_V1_ExperimentResult {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = experimentID()
        result.attempt = UInt32.random(in: 0...3, using: &rng)
        result.outcome = [.succeeded, .failed, .unspecified, .UNRECOGNIZED(Int.random(in: 3...99, using: &rng))]
            .randomElement(using: &rng)!
        var measurement = Labloop_V1_NamedValue()
        measurement.name = ["yield", "", "yield"].randomElement(using: &rng)!
        measurement.value.real = [Double.nan, .infinity, -.infinity, 1e308, -3].randomElement(using: &rng)!
        result.measurements = [measurement]
        return result
    }

    mutating func badHello(_ peer: RawPeer) -> Labloop_V1_AgentHello {
        var hello = Labloop_V1_AgentHello()
        hello.instrumentID = Bool.random(using: &rng) ? peer.sender : "someone-else"
        hello.kind = "rogue"
        hello.capacity = [0, 10_001, UInt32.max].randomElement(using: &rng)!
        var operation = Labloop_V1_OperationCapability()
        operation.name = "noop"
        var limit = Labloop_V1_ParameterLimit()
        limit.name = "x"
        (limit.low, limit.high) = [(Double.nan, 1), (2, 1), (0, .infinity)].randomElement(using: &rng)!
        operation.limits = [limit]
        hello.operations = [operation]
        if Bool.random(using: &rng) { hello.capacity = 1 }  // then only the limit is wrong
        return hello
    }

    /// A valid hello of a kind no campaign uses, so the rogue is registered but never assigned work.
    static func harmlessHello(_ id: String) -> Labloop_V1_AgentHello {
        var hello = SecurityTests.agentHello(id)
        hello.kind = "rogue"
        hello.operations[0].name = "noop"
        return hello
    }

    /// One malformed or misdirected message: its frames (after the DEALER's routing).
    mutating func next(_ peer: RawPeer) -> [Data] {
        let valid = peer.envelope(.heartbeat(.init())).frame()
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: return [bytes(Int.random(in: 1...64, using: &rng))]
        case 1: return [valid.prefix(Int.random(in: 1..<valid.count, using: &rng))]
        case 2:
            var flipped = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                flipped[Int.random(in: 0..<flipped.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
            return [flipped]
        case 3:
            var envelope = peer.envelope(.heartbeat(.init()))
            envelope.protocolVersion = [0, 2, 99, UInt32.max].randomElement(using: &rng)!
            return [envelope.frame()]
        case 4: return [valid] + (0..<Int.random(in: 1...3, using: &rng)).map { _ in bytes(Int.random(in: 0...8, using: &rng)) }
        case 5: return [Data()]
        case 6:
            var envelope = peer.envelope(.heartbeat(.init()))
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: envelope.body = nil
            case 1: envelope.messageID = ""
            default: envelope.sender = ""
            }
            return [envelope.frame()]
        case 7:
            let bodies: [Labloop_V1_Envelope.OneOf_Body] = [.controlRequest(.init()), .catchUpRequest(.init()),
                                                          .proposals(.init()), .modelHello(.init())]
            return [peer.envelope(bodies.randomElement(using: &rng)!).frame()]
        case 8, 9: return [peer.envelope(.result(badResult(peer))).frame()]
        case 10:
            var accepted = Labloop_V1_AssignmentAccepted()
            accepted.experimentID = experimentID()
            return [peer.envelope(.assignmentAccepted(accepted)).frame()]
        case 11: return [peer.envelope(.agentHello(badHello(peer))).frame()]
        case 12:
            var spoofed = peer.envelope(.heartbeat(.init()))
            spoofed.sender = "honest"
            return [spoofed.frame()]
        default:
            // An unknown body type: an Envelope with only a field number no version defines.
            var envelope = peer.envelope(.heartbeat(.init()))
            envelope.body = nil
            var unknown = envelope.frame()
            unknown.append(contentsOf: [0xFA, 0x06, 0x02, 0x08, 0x01])  // field 111, length 2
            return [unknown]
        }
    }
}

@Suite("Floods of bad input from raw peers", .serialized)
struct FloodTests {
    @Test("10,000+ randomised malformed messages from two agent keys: the honest campaign completes, nothing invalid is stored")
    func flood() async throws {
        let seed = ProcessInfo.processInfo.environment["LABLOOP_FLOOD_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64.max)
        print("flood seed \(seed) (replay with LABLOOP_FLOOD_SEED=\(seed))")
        let lab = try Lab()
        var sent = 0
        var roundTrips: [Duration] = []
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("honest", capacity: 2, durationMs: 100)
            try await lab.startModel()
            let campaignID = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 30, parallel: 2))
            let context = ZMQContext()
            let peers = [
                try await RawPeer(context: context, endpoint: lab.endpoints.agents, sender: "rogue",
                                  security: try await lab.credentials("rogue", role: .agent)?.curve),
                try await RawPeer(context: context, endpoint: lab.endpoints.agents, sender: "rogue-2",
                                  security: try await lab.credentials("rogue-2", role: .agent)?.curve),
            ]
            for peer in peers {
                let welcomed = await peer.register(BadMessages.harmlessHello(peer.sender))
                try #require(welcomed, "seed \(seed): \(peer.sender), with a valid key and hello, was not welcomed")
            }
            let memoryBefore = residentMiB(lab.children[0].pid) ?? 0
            var memoryPeak = memoryBefore
            var messages = BadMessages(rng: SplitMix64(seed: seed), campaignID: campaignID)
            let started = ContinuousClock.now
            // Until the coordinator has counted 10,000 refusals (messages lost to disconnects do not count).
            while (Health.read(lab)?.refusedTotal ?? 0) < 10_000, sent < 60_000, ContinuousClock.now - started < .seconds(40) {
                for _ in 0..<500 {
                    let peer = peers[sent % 7 == 0 ? 1 : 0]
                    if peer.send(messages.next(peer)) { sent += 1 }
                    if sent % 50 == 0 {
                        // Now and then a valid hello again: a disconnect forgot the registration.
                        peer.send(.agentHello(BadMessages.harmlessHello(peer.sender)))
                    }
                }
                let before = ContinuousClock.now
                _ = try await lab.control(.listCampaigns(.init()))
                roundTrips.append(ContinuousClock.now - before)
                memoryPeak = max(memoryPeak, residentMiB(lab.children[0].pid) ?? 0)
                try await Task.sleep(for: .milliseconds(20))
            }
            let summary = try await lab.waitUntilFinished(campaignID, timeout: .seconds(120))
            #expect(CampaignState(summary.state) == .completed, "seed \(seed): \(summary.state) \(summary.stateReason)")
            try await Task.sleep(for: .milliseconds(1_500))  // one more health.json
            for peer in peers { await peer.close() }
            let health = try #require(Health.read(lab), "health.json missing")
            print("flood: sent \(sent) malformed messages; the coordinator refused \(health.refusedTotal) "
                  + "(\(health.refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), "
                  + "disconnected \(health.disconnects) times; control round trips during the flood: "
                  + "median \(roundTrips.sorted()[roundTrips.count / 2]), max \(roundTrips.max() ?? .zero) over \(roundTrips.count); "
                  + "coordinator memory \(Int(memoryBefore)) MiB before, peak \(Int(memoryPeak)) MiB")
            #expect(memoryPeak - memoryBefore < 200, "seed \(seed): the coordinator's memory grew by \(memoryPeak - memoryBefore) MiB")
            #expect(health.refusedTotal >= 10_000, "seed \(seed): only \(health.refusedTotal) refusals counted")
            #expect(health.disconnects >= 1, "seed \(seed): the repeat offender was never disconnected")
            for reason in ["malformed", "unsupported_version", "wrong_role", "invalid_value", "unauthorized", "result_rejected"] {
                #expect((health.refusals[reason] ?? 0) > 0, "seed \(seed): no '\(reason)' refusal counted: \(health.refusals)")
            }
            #expect(health.store == "ok")
            let log = lab.log("coordinator")
            let refusalLines = log.split(separator: "\n").filter { $0.contains("refused a message") }.count
            let disconnectLines = log.split(separator: "\n").filter { $0.contains("too much bad input") }.count
            let lines = log.split(separator: "\n").count
            print("flood: coordinator log \(lines) lines, \(refusalLines) about refused messages, \(disconnectLines) about disconnects")
            // One line per peer per 10 s interval: two keys over at most a minute, with room to spare.
            #expect(refusalLines <= 30, "seed \(seed): the log is flooded with \(refusalLines) refusal lines")
            #expect(disconnectLines <= 30, "seed \(seed): \(disconnectLines) disconnect lines")
            #expect(lines < 100, "seed \(seed): the log has \(lines) lines for \(sent) bad messages")
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        let dispatched = try invariants.checkHistories()
        #expect(dispatched == 30)
        try invariants.checkResultsLinked()
        try invariants.checkNothingInvalid(seed: seed)
        let fromRogues = try await invariants.db.read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM results WHERE instrument_id LIKE 'rogue%')
                     + (SELECT COUNT(*) FROM experiment_transitions WHERE instrument_id LIKE 'rogue%')
                """)
        }
        #expect(fromRogues == 0, "seed \(seed): the rogues changed experiments")
    }
}
