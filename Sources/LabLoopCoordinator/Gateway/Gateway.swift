import Foundation
import LabLoopProtocol
import Logging
import Synchronization
import ZeroMQ

/// A message from a peer that passed framing checks.
struct InboundMessage: Sendable {
    var role: Role
    var routingID: Data
    var envelope: Labloop_V1_Envelope
}

/// The coordinator's network edge: one I/O thread owning the agent, model, control and catch-up
/// ROUTERs and the event PUB. Decodes and checks frames there; everything else happens in actors.
final class Gateway: Sendable {
    let loop: SocketLoop
    let logger: Logger
    private let sessionSeq = Atomic<UInt64>(0)
    private let publishedSeq = Atomic<UInt64>(0)
    let rejected = Atomic<Int>(0)

    init(context: ZMQContext, endpoints: CoordinatorConfig.Endpoints, logger: Logger) async throws {
        var routerOptions = SocketOptions()
        routerOptions.routerMandatory = true
        var pubOptions = SocketOptions()
        pubOptions.sendHighWaterMark = 100_000
        let specs = [
            SocketSpec(name: "agents", type: .router, attachment: .bind(endpoints.agents), options: routerOptions),
            SocketSpec(name: "models", type: .router, attachment: .bind(endpoints.models), options: routerOptions),
            SocketSpec(name: "control", type: .router, attachment: .bind(endpoints.control), options: routerOptions),
            SocketSpec(name: "events", type: .pub, attachment: .bind(endpoints.events), options: pubOptions),
            SocketSpec(name: "catch-up", type: .router, attachment: .bind(endpoints.catchUp), options: routerOptions),
        ]
        loop = try await SocketLoop.start(name: "gateway", context: context, sockets: specs)
        self.logger = logger
    }

    /// The endpoints actually bound, by role.
    var boundEndpoints: CoordinatorConfig.Endpoints {
        var bound = CoordinatorConfig.Endpoints()
        bound.agents = loop.endpoints[Role.agent.rawValue]
        bound.models = loop.endpoints[Role.model.rawValue]
        bound.control = loop.endpoints[Role.control.rawValue]
        bound.events = loop.endpoints[Role.events.rawValue]
        bound.catchUp = loop.endpoints[Role.catchUp.rawValue]
        return bound
    }

    var latestPublishedSeq: UInt64 { publishedSeq.load(ordering: .relaxed) }

    /// After a restart: the latest seq already in the store.
    func resumePublishing(after seq: UInt64) {
        publishedSeq.store(seq, ordering: .relaxed)
    }

    /// Sends `body` to the peer with `routingID` on `role`'s socket.
    @discardableResult
    func send(_ body: Labloop_V1_Envelope.OneOf_Body, to routingID: Data, on role: Role,
              correlationID: String = "", messageID: String = UUID().uuidString) -> Bool {
        let seq = sessionSeq.add(1, ordering: .relaxed).newValue
        let envelope = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: seq, correlationID: correlationID,
                                                messageID: messageID, body)
        let sent = loop.send([routingID, envelope.frame()], on: role.rawValue)
        if !sent {
            logger.warning("outbox full: message dropped", metadata: ["role": "\(role)", "body": "\(envelope.bodyName)"])
        }
        return sent
    }

    func sendError(_ error: WireError, to routingID: Data, on role: Role, correlationID: String) {
        var reply = Labloop_V1_ErrorReply()
        reply.code = error.code
        reply.reason = error.reason
        send(.error(reply), to: routingID, on: role, correlationID: correlationID)
    }

    /// Publishes committed events in seq order. Topic `ev/<campaign id>` lets subscribers filter.
    func publish(_ events: [Labloop_V1_Event]) {
        for event in events {
            let seq = sessionSeq.add(1, ordering: .relaxed).newValue
            let envelope = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: seq, .event(event))
            loop.send([Data("ev/\(event.campaignID)".utf8), envelope.frame()], on: Role.events.rawValue)
            publishedSeq.store(event.seq, ordering: .relaxed)
        }
    }

    func publishHeartbeat(latestSeq: UInt64) {
        var heartbeat = Labloop_V1_StreamHeartbeat()
        heartbeat.latestSeq = latestSeq
        let seq = sessionSeq.add(1, ordering: .relaxed).newValue
        let envelope = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: seq, .streamHeartbeat(heartbeat))
        loop.send([Data("hb".utf8), envelope.frame()], on: Role.events.rawValue)
    }

    /// Checks one raw inbound message. Replies with the reason and returns nil when it is refused.
    func decode(socket: Int, frames: [Data]) -> InboundMessage? {
        guard let role = Role(rawValue: socket), role != .events else { return nil }
        guard let routingID = frames.first else { return nil }
        func refuse(_ error: WireError, correlationID: String = "") -> InboundMessage? {
            rejected.add(1, ordering: .relaxed)
            logger.notice("refused message", metadata: ["role": "\(role)", "reason": "\(error.reason)"])
            sendError(error, to: routingID, on: role, correlationID: correlationID)
            return nil
        }
        guard frames.count == 2 else {
            return refuse(WireError(.malformed, "expected exactly one frame (an Envelope) per message, got \(frames.count - 1)"))
        }
        let envelope: Labloop_V1_Envelope
        do {
            envelope = try Labloop_V1_Envelope.decode(frame: frames[1])
        } catch {
            return refuse(error)
        }
        guard let body = envelope.body, role.accepts(body) else {
            return refuse(WireError(.wrongRole, "\(envelope.bodyName) is not accepted on the \(role) socket"),
                          correlationID: envelope.messageID)
        }
        return InboundMessage(role: role, routingID: routingID, envelope: envelope)
    }

    func shutdown() async {
        await loop.shutdown()
    }
}
