internal import CZeroMQ

public enum SocketType: Sendable, Hashable {
    case pair, pub, sub, dealer, router, xpub, rep

    var raw: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .xpub: ZMQ_XPUB
        case .rep: ZMQ_REP
        }
    }
}

/// Socket options set deliberately on every socket. Defaults follow `Docs/protocol.md`.
public struct SocketOptions: Sendable, Hashable {
    /// How long unsent messages may delay `close`, in ms.
    public var lingerMs: Int32 = 200
    /// Messages larger than this are refused by libzmq and the peer is disconnected.
    public var maxMessageSize: Int64 = 4 << 20
    public var sendHighWaterMark: Int32 = 10_000
    public var receiveHighWaterMark: Int32 = 10_000
    /// The kernel's socket buffers (`ZMQ_SNDBUF`, `ZMQ_RCVBUF`) in bytes; 0 keeps the OS default.
    public var kernelBufferBytes: Int32 = 0
    /// Time a new connection has to complete the ZMTP (and CURVE) handshake.
    public var handshakeIntervalMs: Int32 = 5_000
    public var reconnectIntervalMs: Int32 = 1_000
    public var reconnectIntervalMaxMs: Int32 = 5_000
    /// ZMTP heartbeats: detect dead TCP peers below the application protocol.
    public var heartbeatIntervalMs: Int32 = 2_000
    public var heartbeatTimeoutMs: Int32 = 6_000
    /// The TTL this socket's pings ask the other end to enforce (`ZMQ_HEARTBEAT_TTL`). 0: none, the
    /// default. Both ends ping, so it adds no detection; and on the receiving end every message after
    /// such a ping cancels a timer, which libzmq 4.3 finds by walking all of its I/O thread's timers:
    /// with a thousand agents that walk was a fifth of an idle coordinator's CPU.
    public var heartbeatTTLMs: Int32 = 0
    /// `ZMQ_ROUTER_MANDATORY`: an unroutable send fails with EHOSTUNREACH instead of vanishing.
    public var routerMandatory = true
    /// Identity a DEALER presents to its ROUTER (empty: libzmq picks one).
    public var routingID: [UInt8] = []
    /// Prefixes a SUB socket subscribes to.
    public var subscriptions: [[UInt8]] = []
    /// Only connect/accept IPv4 and IPv6 loopback or any, per libzmq's `ZMQ_IPV6`.
    public var ipv6 = false
    /// CURVE: encrypt and authenticate the connection (nil: no security mechanism).
    public var curve: CurveSecurity?
    /// The ZAP domain a server socket presents to the authentication handler.
    public var zapDomain = ""
    /// `ZMQ_XPUB_MANUAL`: subscriptions take effect only when the owner accepts them.
    public var manualSubscriptions = false

    public init() {}
}

/// Which end of a CURVE connection a socket is, with the keys it needs (Z85 text, 40 characters).
public enum CurveSecurity: Sendable, Hashable {
    /// A server: authenticates clients through the context's ZAP handler.
    case server(secretKey: String)
    /// A client: pins the server's public key and proves its own key pair.
    case client(serverKey: String, publicKey: String, secretKey: String)
}
