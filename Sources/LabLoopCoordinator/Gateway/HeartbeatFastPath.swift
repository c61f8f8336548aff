import Foundation
import LabLoopProtocol
import Synchronization
import ZeroMQ

/// Answers registered agents' and models' heartbeats on the gateway's thread, as the agents and
/// models sockets' screen: a thousand idle agents send a thousand heartbeats a second, and taking
/// each through the inbound stream and the actors cost as much CPU as CURVE and TCP together.
///
/// Only a heartbeat whose principal passes the access check, from the sender registered on its
/// connection (`SessionTable`), is answered here, with the reply the coordinator would send anyway.
/// Anything else goes the normal way: a heartbeat before the hello, or while a new connection's
/// hello is still being handled, waits for it and gets its answer or `NOT_REGISTERED` there.
final class HeartbeatFastPath: Sendable {
    let sessions: SessionTable
    private let access: AccessControl
    private let numbers: OutboundNumbers
    private let answeredCount = Atomic<Int>(0)

    /// Larger frames are not heartbeats (one is about 100 bytes), and are decoded once, in the inbound loop.
    static let largestHeartbeat = 512
    /// A heartbeat body (field 11, length-delimited) always holds its tag byte; most other messages do not.
    private static let heartbeatTag: UInt8 = 11 << 3 | 2

    init(sessions: SessionTable, access: AccessControl, numbers: OutboundNumbers) {
        self.sessions = sessions
        self.access = access
        self.numbers = numbers
    }

    /// Heartbeats answered here since start.
    var answered: Int { answeredCount.load(ordering: .relaxed) }

    /// The screen of `role`'s ROUTER: `.reply` for a heartbeat it can answer, `.deliver` otherwise.
    func screen(_ frames: [Data], peer: PeerIdentity, role: Role) -> Screening {
        guard frames.count == 2, frames[1].count <= Self.largestHeartbeat, frames[1].contains(Self.heartbeatTag),
              let envelope = try? Labloop_V1_Envelope.decode(frame: frames[1]), case .heartbeat? = envelope.body,
              case .success = access.principal(of: peer, on: role.socket, sender: envelope.sender),
              sessions.sighted(routingID: frames[0], on: role, sender: envelope.sender) else { return .deliver }
        var beat = Labloop_V1_Heartbeat()
        beat.latestSeq = numbers.latestPublishedSeq
        let reply = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: numbers.nextSessionSeq(),
                                             correlationID: envelope.messageID, .heartbeat(beat))
        answeredCount.add(1, ordering: .relaxed)
        return .reply([frames[0], reply.frame()])
    }
}
