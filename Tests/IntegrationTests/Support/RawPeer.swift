import Foundation
import LabLoopProtocol
import Synchronization
import ZeroMQ

/// The resident memory of process `pid` in MiB (from /proc), or nil.
func residentMiB(_ pid: Int32) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kB = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kB / 1024
}

/// A bare DEALER on a coordinator socket that sends any frames at all, for bad-input tests.
final class RawPeer: Sendable {
    let loop: SocketLoop
    let sender: String
    private let seq = Atomic<UInt64>(0)
    /// Error replies, acks and welcomes received and not yet taken (the newest 1,000).
    private let answers = Answers()
    /// Heartbeat replies received and not yet taken (the newest 1,000), apart: most tests ignore them.
    private let heartbeats = Answers()

    private final class Answers: Sendable {
        let list = Mutex<[Labloop_V1_Envelope]>([])
        func withLock<T>(_ body: (inout [Labloop_V1_Envelope]) -> T) -> T { list.withLock { body(&$0) } }
        func keep(_ envelope: Labloop_V1_Envelope) {
            list.withLock { list in
                list.append(envelope)
                if list.count > 1_000 { list.removeFirst(list.count - 1_000) }
            }
        }
    }
    private let pump: Task<Void, Never>

    init(context: ZMQContext, endpoint: String, sender: String, security: CurveSecurity?) async throws {
        var options = SocketOptions()
        options.curve = security
        options.lingerMs = 0
        options.reconnectIntervalMs = 100
        options.reconnectIntervalMaxMs = 200
        options.sendHighWaterMark = 100_000
        loop = try await SocketLoop.start(name: "raw-\(sender)", context: context, sockets: [
            SocketSpec(name: "raw", type: .dealer, attachment: .connect(endpoint), options: options),
        ])
        self.sender = sender
        let (inbound, answers, heartbeats) = (loop.inbound, answers, heartbeats)
        pump = Task {
            for await item in inbound {
                guard case .message(_, let frames, _) = item, frames.count == 1,
                      let envelope = try? Labloop_V1_Envelope.decode(frame: frames[0]) else { continue }
                switch envelope.body {
                case .error?, .resultAck?, .agentWelcome?, .modelWelcome?, .assignment?: answers.keep(envelope)
                case .heartbeat?: heartbeats.keep(envelope)
                default: continue
                }
            }
        }
    }

    /// Sends raw frames; false when the local outbox is full.
    @discardableResult
    func send(_ frames: [Data]) -> Bool { loop.send(frames, on: 0) }

    func envelope(_ body: Labloop_V1_Envelope.OneOf_Body) -> Labloop_V1_Envelope {
        .make(sender: sender, sessionSeq: seq.add(1, ordering: .relaxed).newValue, body)
    }

    @discardableResult
    func send(_ body: Labloop_V1_Envelope.OneOf_Body) -> String {
        let envelope = envelope(body)
        send([envelope.frame()])
        return envelope.messageID
    }

    /// The heartbeat replies received since the last call.
    func takeHeartbeats() -> [Labloop_V1_Envelope] { heartbeats.withLock { list in defer { list = [] }; return list } }

    /// The next ErrorReply, ResultAck, AgentWelcome, ModelWelcome or Assignment, or nil within `timeout`.
    func nextAnswer(timeout: Duration = .seconds(5)) async -> Labloop_V1_Envelope? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let first = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return first }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Forgets answers received so far.
    func discardAnswers() { answers.withLock { $0.removeAll() } }

    /// Sends a valid hello until welcomed (the first connection may race the allowlist).
    func register(_ hello: Labloop_V1_AgentHello, within timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            discardAnswers()
            send(.agentHello(hello))
            if case .agentWelcome? = await nextAnswer(timeout: .seconds(1))?.body { return true }
        }
        return false
    }

    func close() async {
        await loop.shutdown()
        pump.cancel()
    }
}
