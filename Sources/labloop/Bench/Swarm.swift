import Foundation
import LabLoopProtocol
import Synchronization
import ZeroMQ

/// Many simulated instrument agents in one process: DEALER sockets spread over a few SocketLoop
/// threads (each with its own context, as libzmq caps sockets per context), each socket with its
/// own CURVE key. Agents register, heartbeat at the coordinator's interval, accept every
/// assignment and report a result at once (or after `duration`), timing acknowledgements and cycles.
final class Swarm: Sendable {
    struct Member: Sendable {
        var id: String
        var key: CurveKeyPair
    }

    /// Per-agent state, touched by its loop's consumer and the heartbeat and result tasks.
    private struct AgentState {
        var registered = false
        var lastHello: ContinuousClock.Instant?
        var seq: UInt64 = 0
        var unacked: [String: Unacked] = [:]
        var lastResultAt: ContinuousClock.Instant?
        var running = 0
    }

    /// A result sent and not yet acknowledged: resent every `resendInterval`, as the agent SDK does.
    private struct Unacked {
        var firstSent: ContinuousClock.Instant
        var lastSent: ContinuousClock.Instant
        var frame: Data
    }

    static let resendInterval = Duration.seconds(2)

    struct Totals: Sendable {
        var welcomed = 0
        var registered = 0
        var stored = 0
        var rejected = 0
        var resent = 0
        var acks = Latencies()
        var cycles = Latencies()
    }

    private let loops: [SocketLoop]
    private let contexts: [ZMQContext]
    private let members: [Member]
    private let perLoop: Int
    /// One lock per loop, over that loop's agents.
    private final class Chunk: Sendable {
        let lock: Mutex<[AgentState]>
        init(count: Int) { lock = Mutex(Array(repeating: AgentState(), count: count)) }
    }

    private let states: [Chunk]
    private let totals = Mutex(Totals())
    private let capacity: Int
    private let duration: Duration
    let heartbeat: Duration

    private init(loops: [SocketLoop], contexts: [ZMQContext], members: [Member], perLoop: Int, capacity: Int,
                 duration: Duration, heartbeat: Duration) {
        self.loops = loops
        self.contexts = contexts
        self.members = members
        self.perLoop = perLoop
        self.capacity = capacity
        self.duration = duration
        self.heartbeat = heartbeat
        states = stride(from: 0, to: members.count, by: perLoop).map { start in
            Chunk(count: min(perLoop, members.count - start))
        }
    }

    static func connect(members: [Member], endpoint: String, serverKey: String, capacity: Int,
                        duration: Duration = .zero, heartbeat: Duration = .seconds(1), perLoop: Int = 250) async throws -> Swarm {
        var loops: [SocketLoop] = []
        var contexts: [ZMQContext] = []
        for (chunk, start) in stride(from: 0, to: members.count, by: perLoop).enumerated() {
            let context = ZMQContext()
            let specs = members[start..<min(start + perLoop, members.count)].map { member in
                var options = SocketOptions()
                options.lingerMs = 0
                options.curve = .client(serverKey: serverKey, publicKey: member.key.publicKey, secretKey: member.key.secretKey)
                // Reconnect quickly after a coordinator restart, as a lab would configure agents.
                options.reconnectIntervalMs = 100
                options.reconnectIntervalMaxMs = 1_000
                return SocketSpec(name: member.id, type: .dealer, attachment: .connect(endpoint), options: options)
            }
            loops.append(try await SocketLoop.start(name: "bench-agents-\(chunk)", context: context, sockets: Array(specs),
                                                    outboxLimit: 1_000_000, inboundLimit: 100_000))
            contexts.append(context)
        }
        return Swarm(loops: loops, contexts: contexts, members: members, perLoop: perLoop, capacity: capacity,
                     duration: duration, heartbeat: heartbeat)
    }

    var snapshot: Totals { totals.withLock { $0 } }

    /// Clears the counters and histograms (after a warm-up).
    func resetTotals() {
        totals.withLock { totals in
            totals = Totals(welcomed: totals.welcomed, registered: totals.registered)
        }
    }

    /// Marks every agent unregistered and counts registrations from zero (before a restart).
    func forgetRegistrations() {
        for state in states { state.lock.withLock { agents in for index in agents.indices { agents[index].registered = false } } }
        totals.withLock { $0.registered = 0 }
    }

    /// Pumps every loop and heartbeats until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for (chunk, loop) in loops.enumerated() {
                group.addTask { await self.consume(chunk, loop) }
                group.addTask { await self.beat(chunk, loop) }
            }
        }
    }

    func shutdown() async {
        for loop in loops { await loop.shutdown() }
    }

    private func member(_ chunk: Int, _ socket: Int) -> Member { members[chunk * perLoop + socket] }

    private func send(_ chunk: Int, _ socket: Int, _ body: Labloop_V1_Envelope.OneOf_Body, correlationID: String = "",
                      messageID: String = UUID().uuidString) {
        let seq = states[chunk].lock.withLock { agents -> UInt64 in
            agents[socket].seq += 1
            return agents[socket].seq
        }
        let envelope = Labloop_V1_Envelope.make(sender: member(chunk, socket).id, sessionSeq: seq,
                                                correlationID: correlationID, messageID: messageID, body)
        loops[chunk].send([envelope.frame()], on: socket)
    }

    private func hello(_ chunk: Int, _ socket: Int) {
        let due = states[chunk].lock.withLock { agents -> Bool in
            if let last = agents[socket].lastHello, ContinuousClock.now - last < .milliseconds(500) { return false }
            agents[socket].lastHello = .now
            return true
        }
        guard due else { return }
        var hello = Labloop_V1_AgentHello()
        hello.instrumentID = member(chunk, socket).id
        hello.kind = BenchCampaign.kind
        hello.capacity = UInt32(capacity)
        var operation = Labloop_V1_OperationCapability()
        operation.name = BenchCampaign.operation
        operation.measurements = [BenchCampaign.measurement]
        operation.repeatable = true
        hello.operations = [operation]
        hello.software = "labloop-bench"
        send(chunk, socket, .agentHello(hello))
    }

    /// Heartbeats every registered agent at the coordinator's interval; says hello for the others;
    /// resends results not acknowledged within `resendInterval`.
    private func beat(_ chunk: Int, _ loop: SocketLoop) async {
        let count = states[chunk].lock.withLock { $0.count }
        for socket in 0..<count { hello(chunk, socket) }
        var lastBeat = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            let now = ContinuousClock.now
            let resend = states[chunk].lock.withLock { agents -> [(Int, Data)] in
                var frames: [(Int, Data)] = []
                for socket in agents.indices where agents[socket].registered {
                    for (key, entry) in agents[socket].unacked where now - entry.lastSent >= Self.resendInterval {
                        agents[socket].unacked[key]?.lastSent = now
                        frames.append((socket, entry.frame))
                    }
                }
                return frames
            }
            if !resend.isEmpty { totals.withLock { $0.resent += resend.count } }
            for (socket, frame) in resend { loop.send([frame], on: socket) }
            guard now - lastBeat >= heartbeat else { continue }
            lastBeat = now
            for socket in 0..<count {
                if states[chunk].lock.withLock({ $0[socket].registered }) {
                    send(chunk, socket, .heartbeat(Labloop_V1_Heartbeat()))
                } else {
                    hello(chunk, socket)
                }
            }
        }
    }

    private func consume(_ chunk: Int, _ loop: SocketLoop) async {
        for await item in loop.inbound {
            guard case .message(let socket, let frames, _) = item, frames.count == 1,
                  let envelope = try? Labloop_V1_Envelope.decode(frame: frames[0]) else { continue }
            let now = ContinuousClock.now
            switch envelope.body {
            case .agentWelcome?:
                let first = states[chunk].lock.withLock { agents -> Bool in
                    defer { agents[socket].registered = true }
                    return !agents[socket].registered
                }
                totals.withLock { totals in
                    totals.welcomed += 1
                    if first { totals.registered += 1 }
                }
            case .assignment(let assignment)?:
                let cycle = states[chunk].lock.withLock { agents -> Duration? in
                    agents[socket].running += 1
                    defer { agents[socket].lastResultAt = nil }
                    return agents[socket].lastResultAt.map { now - $0 }
                }
                if let cycle { totals.withLock { $0.cycles.record(cycle) } }
                var accepted = Labloop_V1_AssignmentAccepted()
                accepted.experimentID = assignment.experimentID
                send(chunk, socket, .assignmentAccepted(accepted))
                if duration == .zero {
                    report(chunk, socket, assignment)
                } else {
                    Task {
                        try? await Task.sleep(for: self.duration)
                        self.report(chunk, socket, assignment)
                    }
                }
            case .resultAck(let ack)?:
                let sentAt = states[chunk].lock.withLock { $0[socket].unacked.removeValue(forKey: envelope.correlationID)?.firstSent }
                totals.withLock { totals in
                    if let sentAt { totals.acks.record(now - sentAt) }
                    if ack.status == .rejected { totals.rejected += 1 } else { totals.stored += 1 }
                }
            case .error(let error)?:
                if error.code == .notRegistered {
                    states[chunk].lock.withLock { $0[socket].registered = false }
                    hello(chunk, socket)
                }
            default:
                break
            }
        }
    }

    private func report(_ chunk: Int, _ socket: Int, _ assignment: Labloop_V1_Assignment) {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = assignment.experimentID
        result.attempt = assignment.attempt
        result.outcome = .succeeded
        result.measurements = [Labloop_V1_NamedValue(name: BenchCampaign.measurement, real: Double.random(in: 0..<1))]
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        result.startedUnixMs = nowMs
        result.finishedUnixMs = nowMs
        let (frame, seq) = states[chunk].lock.withLock { agents -> (Data, UInt64) in
            agents[socket].seq += 1
            let envelope = Labloop_V1_Envelope.make(sender: member(chunk, socket).id, sessionSeq: agents[socket].seq, .result(result))
            let frame = envelope.frame()
            let sentAt = ContinuousClock.now
            agents[socket].running -= 1
            agents[socket].unacked[envelope.messageID] = Unacked(firstSent: sentAt, lastSent: sentAt, frame: frame)
            // The cycle is timed from the result to the next assignment while the agent is then idle.
            agents[socket].lastResultAt = agents[socket].running == 0 ? sentAt : nil
            return (frame, agents[socket].seq)
        }
        _ = seq
        loops[chunk].send([frame], on: socket)
    }
}
