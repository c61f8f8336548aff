public import LabLoopProtocol

/// Why a peer-side call failed.
public struct PeerError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// No reply within the deadline: nothing is listening, or it is overloaded.
        case timeout
        /// The coordinator answered with an ErrorReply.
        case refused(Labloop_V1_ErrorCode)
        /// The link is closed.
        case closed
        /// The reply was not what the request expects.
        case unexpectedReply
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
