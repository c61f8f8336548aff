/// Why a frame from the wire was refused. `code` is what the peer is told.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Labloop_V1_ErrorCode
    public var reason: String

    public init(_ code: Labloop_V1_ErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
