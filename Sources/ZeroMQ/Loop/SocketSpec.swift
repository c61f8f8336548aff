public import Foundation

/// A socket a `SocketLoop` creates on its thread: its type, options, and where it binds or connects.
public struct SocketSpec: Sendable {
    public enum Attachment: Sendable, Hashable {
        case bind(String)
        case connect(String)
    }

    public var name: String
    public var type: SocketType
    public var attachment: Attachment
    public var options: SocketOptions
    /// Decides about each message on the loop's own thread, before anything else is read.
    /// Needed where the answer must follow the message at once: a ZAP reply, or accepting a
    /// subscription on a manual XPUB (libzmq applies it to the peer that sent the last one). Also
    /// used where answering here is much cheaper than a trip through the consumer (heartbeats).
    public var screen: (@Sendable (_ frames: [Data], _ peer: PeerIdentity) -> Screening)?
    /// Whether the screen hands some messages on (`.deliver`). Such a socket is read only while the
    /// consumer keeps up, like one without a screen; one whose screen answers every message itself
    /// (ZAP, a manual XPUB) is read even while the consumer is behind.
    public var screenDelivers: Bool

    public init(name: String, type: SocketType, attachment: Attachment, options: SocketOptions = SocketOptions(),
                screen: (@Sendable (_ frames: [Data], _ peer: PeerIdentity) -> Screening)? = nil,
                screenDelivers: Bool = false) {
        self.name = name
        self.type = type
        self.attachment = attachment
        self.options = options
        self.screen = screen
        self.screenDelivers = screenDelivers
    }

    /// Whether the loop reads this socket only while the consumer has inbound credit.
    var needsCredit: Bool { screen == nil || screenDelivers }
}

/// What a socket's screen does with a message it has just read.
public enum Screening: Sendable, Hashable {
    /// Hand it to the consumer like any other message.
    case deliver
    /// Discard it.
    case drop
    /// Send this reply on the same socket at once (a REP socket's answer).
    case reply([Data])
    /// On a manual XPUB: subscribe the peer that sent it to this topic.
    case subscribe(Data)
    /// On a manual XPUB: remove that peer's subscription to this topic.
    case unsubscribe(Data)
}
