internal import CZeroMQ

/// A failed libzmq (or system) call: which call, the errno it left, and libzmq's text for it.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32
    public var operation: String
    public var message: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error of the last failed libzmq call on this thread.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation)
    }

    public var description: String { "\(operation) failed: \(message) (errno \(code))" }

    /// The peer's outgoing queue is full (or, for a ROUTER without a peer, nothing was sent).
    public var isWouldBlock: Bool { code == EAGAIN }
    /// A ROUTER with `ROUTER_MANDATORY` had no peer with that routing id.
    public var isUnroutable: Bool { code == EHOSTUNREACH }
    public var isInterrupted: Bool { code == EINTR }
    public var isContextTerminated: Bool { code == ETERM }
}
