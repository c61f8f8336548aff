import Foundation

/// What libzmq says about the connection a message arrived on.
public struct PeerIdentity: Sendable, Hashable {
    /// The `User-Id` the ZAP handler gave the connection (nil without authentication).
    public var userID: String?
    /// The connection's file descriptor (`ZMQ_SRCFD`), or -1 when libzmq does not know it (inproc).
    public var connection: Int32 = -1
    /// The TCP peer's `address:port` when the message was read: the descriptor may belong to
    /// another connection by the time someone acts on the message.
    public var address: String?

    public init(userID: String? = nil, connection: Int32 = -1, address: String? = nil) {
        self.userID = userID
        self.connection = connection
        self.address = address
    }

    /// The TCP peer's `address:port`, or nil when the descriptor is not a connected socket.
    ///
    /// Descriptors are reused after libzmq closes them; comparing this before `disconnect`
    /// makes sure the descriptor still belongs to the same connection.
    public func remoteAddress() -> String? {
        guard connection >= 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(connection, $0, &length) }
        }
        guard status == 0 else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let named = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                            NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard named == 0 else { return nil }
        func text(_ buffer: [CChar]) -> String {
            String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return "\(text(host)):\(text(service))"
    }

    /// Ends the TCP connection under libzmq: it sees the peer gone and drops the pipe. libzmq keeps
    /// owning (and later closes) the descriptor, so this only shuts it down.
    /// Returns false when `expectedAddress` no longer matches (the descriptor was reused).
    @discardableResult
    public func disconnect(expectedAddress: String) -> Bool {
        guard connection >= 0, remoteAddress() == expectedAddress else { return false }
        return shutdown(connection, Int32(SHUT_RDWR)) == 0
    }
}
