internal import CZeroMQ
public import Foundation

/// One libzmq socket. Not thread-safe: created, used and closed by exactly one thread.
/// Must be closed with `close()` before it is released.
public final class ZMQSocket {
    private var handle: UnsafeMutableRawPointer?
    public let type: SocketType
    /// Held so the context outlives the socket: `zmq_ctx_term` in its deinit waits for every socket
    /// to close, and would deadlock if it ran on this socket's thread before `close()`.
    private let context: ZMQContext

    public init(context: ZMQContext, type: SocketType, options: SocketOptions = SocketOptions()) throws(ZMQError) {
        guard let socket = zmq_socket(context.handle, type.raw) else { throw .last("zmq_socket") }
        self.handle = socket
        self.type = type
        self.context = context
        do {
            try apply(options)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        assert(handle == nil, "ZMQSocket released without close()")
    }

    private var raw: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("ZMQSocket used after close()") }
        return handle
    }

    /// The raw pointer for `zmq_poll`; stays inside this module.
    var pollHandle: UnsafeMutableRawPointer { raw }

    public func close() {
        guard let handle else { return }
        _ = zmq_close(handle)
        self.handle = nil
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(raw, endpoint) == 0 else { throw .last("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(raw, endpoint) == 0 else { throw .last("zmq_connect(\(endpoint))") }
    }

    public func disconnect(_ endpoint: String) throws(ZMQError) {
        guard zmq_disconnect(raw, endpoint) == 0 else { throw .last("zmq_disconnect(\(endpoint))") }
    }

    /// Publishes this socket's handshake outcomes on the inproc `endpoint` (read them with a PAIR).
    func monitorHandshakes(on endpoint: String) throws(ZMQError) {
        let events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
            | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
        guard zmq_socket_monitor(raw, endpoint, events) == 0 else { throw .last("zmq_socket_monitor(\(endpoint))") }
    }

    /// The endpoint actually bound, e.g. with the port chosen for `tcp://127.0.0.1:*`.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(raw, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends all frames as one multipart message without blocking.
    /// Returns false when the message could not be queued now (EAGAIN); other failures throw.
    public func send(_ frames: [Data]) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (index, frame) in frames.enumerated() {
            let more = index < frames.count - 1
            let flags = ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)
            let sent = frame.withUnsafeBytes { bytes in zmq_send(raw, bytes.baseAddress, bytes.count, flags) }
            if sent < 0 {
                let error = ZMQError.last("zmq_send")
                // libzmq queues multipart messages atomically: a failure on the first frame sends nothing.
                if error.isWouldBlock, index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message without blocking, or nil when none is waiting.
    /// `peer` names the connection it came from, as far as libzmq tells (see `PeerIdentity`); its
    /// `address` is left for the caller to fill (`SocketLoop` does, once per connection).
    public func receive() throws(ZMQError) -> (frames: [Data], peer: PeerIdentity)? {
        var frames: [Data] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            if zmq_msg_recv(&message, raw, frames.isEmpty ? ZMQ_DONTWAIT : 0) < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.isWouldBlock, frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            frames.append(size == 0 ? Data() : Data(bytes: zmq_msg_data(&message), count: size))
            if zmq_msg_more(&message) == 0 {
                // libzmq 4.3 attaches the ZAP User-Id to the body frames, not the routing-id frame.
                var peer = PeerIdentity()
                if let property = zmq_msg_gets(&message, "User-Id") { peer.userID = String(cString: property) }
                peer.connection = zmq_msg_get(&message, ZMQ_SRCFD)
                return (frames, peer)
            }
        }
    }

    /// Sets a byte-string option now, e.g. `ZMQ_SUBSCRIBE` on a manual XPUB right after reading a subscription.
    func setOption(_ option: Int32, bytes: Data) throws(ZMQError) {
        try setBytes(option, Array(bytes))
    }
}

@available(*, unavailable)
extension ZMQSocket: Sendable {}
