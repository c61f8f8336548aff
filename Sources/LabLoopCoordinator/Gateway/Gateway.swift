import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Logging
import ZeroMQ

/// A message from a peer that passed framing checks.
struct InboundMessage: Sendable {
    var role: Role
    var routingID: Data
    var envelope: Labloop_V1_Envelope
    /// Who sent it: the authenticated key's principal (or, insecure, the claimed sender).
    var principal: Principal
    /// The connection it came on, so repeated bad input can end it.
    var peer: PeerIdentity

    /// An agent's or model's hello: it (re)registers the session its sender's next messages need.
    var isHello: Bool {
        switch envelope.body {
        case .agentHello?, .modelHello?: true
        default: false
        }
    }
}

/// The coordinator's network edge: one I/O thread owning the agent, model, control and catch-up
/// ROUTERs and the event XPUB, and (with CURVE) one more owning the ZAP handler. Decodes,
/// authenticates and checks frames; answers registered peers' heartbeats on its thread
/// (`HeartbeatFastPath`); everything else happens in actors.
final class Gateway: Sendable {
    let loop: SocketLoop
    /// The ZAP handler's thread; nil when running insecure.
    let authenticator: SocketLoop?
    let access: AccessControl
    let logger: Logger
    private let numbers: OutboundNumbers
    let heartbeats: HeartbeatFastPath
    /// The registered agent and model sessions, for the heartbeats answered on the gateway's thread.
    var sessions: SessionTable { heartbeats.sessions }
    let refusals: Refusals
    /// Benchmark instrumentation; nil unless `CoordinatorConfig.turnAroundTraceFile` is set.
    let trace: TurnAroundTrace?

    /// With `serverKey`, every socket is a CURVE server and the ZAP handler is bound before any of them.
    init(context: ZMQContext, endpoints: CoordinatorConfig.Endpoints, serverKey: CurveKeyPair?,
         eventsQueueLimit: Int32 = 100_000, eventsSocketBufferBytes: Int32 = 0,
         access: AccessControl, logger: Logger, trace: TurnAroundTrace? = nil) async throws {
        var authenticator: SocketLoop?
        if serverKey != nil {
            // libzmq 4.3 lets any client that knows the server key in when no handler is bound.
            authenticator = try await SocketLoop.start(name: "zap", context: context, sockets: [
                SocketSpec(name: "zap", type: .rep, attachment: .bind("inproc://zeromq.zap.01"),
                           screen: { frames, _ in access.authenticate(frames) }),
            ])
        }
        func options(_ socket: CoordinatorSocket) -> SocketOptions {
            var options = SocketOptions()
            options.routerMandatory = true
            // Peers ping every 2 s and the coordinator answers; its own pings only need to find dead
            // connections eventually (lost agents are found by application heartbeats). Each ping's
            // answer cancels a timer in a walk over every connection's timers (libzmq 4.3), so with
            // many agents frequent pings cost real CPU.
            options.heartbeatIntervalMs = 30_000
            options.heartbeatTimeoutMs = 90_000
            // Time for goodbyes and last acknowledgements to leave at shutdown; a stalled subscriber
            // is not worth waiting for.
            options.lingerMs = socket == .events ? 200 : 1_000
            if let serverKey {
                options.curve = .server(secretKey: serverKey.secretKey)
                options.zapDomain = socket.zapDomain
            }
            if socket == .events {
                options.sendHighWaterMark = eventsQueueLimit
                options.kernelBufferBytes = eventsSocketBufferBytes
                options.manualSubscriptions = true
            }
            return options
        }
        let numbers = OutboundNumbers()
        let heartbeats = HeartbeatFastPath(sessions: SessionTable(), access: access, numbers: numbers)
        let specs = [
            SocketSpec(name: "agents", type: .router, attachment: .bind(endpoints.agents), options: options(.agents),
                       screen: { frames, peer in heartbeats.screen(frames, peer: peer, role: .agent) }, screenDelivers: true),
            SocketSpec(name: "models", type: .router, attachment: .bind(endpoints.models), options: options(.models),
                       screen: { frames, peer in heartbeats.screen(frames, peer: peer, role: .model) }, screenDelivers: true),
            SocketSpec(name: "control", type: .router, attachment: .bind(endpoints.control), options: options(.control)),
            SocketSpec(name: "events", type: .xpub, attachment: .bind(endpoints.events), options: options(.events),
                       screen: { frames, peer in access.screenSubscription(frames, peer: peer) }),
            SocketSpec(name: "catch-up", type: .router, attachment: .bind(endpoints.catchUp), options: options(.catchUp)),
        ]
        do {
            loop = try await SocketLoop.start(name: "gateway", context: context, sockets: specs)
        } catch {
            await authenticator?.shutdown()
            throw error
        }
        self.authenticator = authenticator
        self.numbers = numbers
        self.heartbeats = heartbeats
        self.trace = trace
        self.access = access
        self.logger = logger
        refusals = Refusals(logger: logger)
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

    var latestPublishedSeq: UInt64 { numbers.latestPublishedSeq }

    /// After a restart: the latest seq already in the store.
    func resumePublishing(after seq: UInt64) {
        numbers.published(seq)
    }

    /// Sends `body` to the peer with `routingID` on `role`'s socket.
    @discardableResult
    func send(_ body: Labloop_V1_Envelope.OneOf_Body, to routingID: Data, on role: Role,
              correlationID: String = "", messageID: String = MessageID.next()) -> Bool {
        let envelope = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: numbers.nextSessionSeq(), correlationID: correlationID,
                                                messageID: messageID, body)
        let sent = enqueue(envelope.frame(), to: routingID, on: role, body: envelope.bodyName)
        if let trace, case .assignment = body { trace.assignmentSent(to: routingID) }
        return sent
    }

    /// Sends a body already encoded (see `EncodedBody`) to the peer with `routingID` on `role`'s socket.
    @discardableResult
    func send(_ body: EncodedBody, to routingID: Data, on role: Role, correlationID: String = "",
              messageID: String = MessageID.next()) -> Bool {
        let frame = Labloop_V1_Envelope.frame(sender: "coordinator", sessionSeq: numbers.nextSessionSeq(), correlationID: correlationID,
                                              messageID: messageID, body)
        return enqueue(frame, to: routingID, on: role, body: "\(body.field)")
    }

    /// Queues one framed message; a full outbox drops it, loudly.
    private func enqueue(_ frame: Data, to routingID: Data, on role: Role, body: @autoclosure () -> String) -> Bool {
        let sent = loop.send([routingID, frame], on: role.rawValue)
        if !sent {
            logger.warning("outbox full: message dropped", metadata: ["role": "\(role)", "body": "\(body())"])
        }
        return sent
    }

    func sendError(_ error: WireError, to routingID: Data, on role: Role, correlationID: String) {
        var reply = Labloop_V1_ErrorReply()
        reply.code = error.code
        reply.reason = error.reason
        send(.error(reply), to: routingID, on: role, correlationID: correlationID)
    }

    /// Publishes committed events in seq order, each framed around the bytes the store wrote (not
    /// encoded again). Topic `ev/<campaign id>` lets subscribers filter.
    func publish(_ events: [CommittedEvent]) {
        for committed in events {
            let frame = Labloop_V1_Envelope.frame(sender: "coordinator", sessionSeq: numbers.nextSessionSeq(),
                                                  EncodedBody(.event, committed.payload))
            loop.send([Data("ev/\(committed.event.campaignID)".utf8), frame], on: Role.events.rawValue)
            numbers.published(committed.event.seq)
        }
    }

    func publishHeartbeat(latestSeq: UInt64) {
        var heartbeat = Labloop_V1_StreamHeartbeat()
        heartbeat.latestSeq = latestSeq
        let envelope = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: numbers.nextSessionSeq(), .streamHeartbeat(heartbeat))
        loop.send([Data("hb".utf8), envelope.frame()], on: Role.events.rawValue)
    }

    /// Refuses a message: tells the peer why, counts and (throttled) logs it, and disconnects a
    /// peer refused too often (see `Refusals.Rules`).
    func refuse(_ error: WireError, to routingID: Data, on role: Role, peer: PeerIdentity, who: String,
                correlationID: String) {
        sendError(error, to: routingID, on: role, correlationID: correlationID)
        countRefusal(Refusals.reasonName(error.code), detail: error.reason, on: role, routingID: routingID, peer: peer, who: who)
    }

    func refuse(_ error: WireError, to message: InboundMessage) {
        refuse(error, to: message.routingID, on: message.role, peer: message.peer, who: message.principal.name,
               correlationID: message.envelope.messageID)
    }

    /// Counts a refusal whose reply was already sent (e.g. a REJECTED result acknowledgement).
    func countRefusal(_ reason: String, detail: String, on role: Role, routingID: Data, peer: PeerIdentity, who: String) {
        let origin = refusals.origin(of: peer, routingID: routingID, on: role)
        guard refusals.record(reason, detail: detail, role: role, peer: peer, who: who) else { return }
        let done = access.disconnect(peer, at: origin)
        refusals.disconnected(routingID: routingID, on: role)
        refusals.noteDisconnect(who: who, role: role, peer: peer, done: done)
    }

    /// Checks one raw inbound message. Replies with the reason and returns nil when it is refused.
    func decode(socket: Int, frames: [Data], peer: PeerIdentity) -> InboundMessage? {
        guard let role = Role(rawValue: socket), role != .events else { return nil }
        guard let routingID = frames.first else { return nil }
        var who = peer.userID.map { access.snapshot[$0]?.principal ?? "key \(AccessEntry.fingerprint(of: $0))" }
            ?? peer.address ?? "unknown"
        func refuse(_ error: WireError, correlationID: String = "") -> InboundMessage? {
            self.refuse(error, to: routingID, on: role, peer: peer, who: who, correlationID: correlationID)
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
        if peer.userID == nil { who = envelope.sender }
        let principal: Principal
        switch access.principal(of: peer, on: role.socket, sender: envelope.sender) {
        case .success(let found):
            principal = found
        case .failure(let refusal):
            _ = refuse(refusal.error, correlationID: envelope.messageID)
            if refusal.disconnect {
                access.disconnect(peer, at: refusals.origin(of: peer, routingID: routingID, on: role))
                refusals.disconnected(routingID: routingID, on: role)
            }
            return nil
        }
        guard let body = envelope.body, role.accepts(body) else {
            return refuse(WireError(.wrongRole, "\(envelope.bodyName) is not accepted on the \(role) socket"),
                          correlationID: envelope.messageID)
        }
        if let trace, case .result = body { trace.resultArrived(from: routingID) }
        return InboundMessage(role: role, routingID: routingID, envelope: envelope, principal: principal, peer: peer)
    }

    func shutdown() async {
        await loop.shutdown()
        await authenticator?.shutdown()
    }
}
