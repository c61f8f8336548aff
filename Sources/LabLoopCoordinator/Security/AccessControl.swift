import Foundation
import LabLoopCore
import LabLoopProtocol
import Logging
import Synchronization
import ZeroMQ

/// Authentication and authorisation at the coordinator's edge.
///
/// Holds the allowlist snapshot (refreshed from the store), answers ZAP requests, decides which
/// event topics a subscriber gets, establishes the principal of every inbound message, and
/// disconnects connections whose key was revoked or expired. Called from the gateway threads and
/// from actors, so every piece of state sits behind a lock.
final class AccessControl: Sendable {
    /// `curve`: every socket is a CURVE server behind default-deny ZAP. `insecure`: no security at all.
    let isSecure: Bool
    let logger: Logger
    private let list = Mutex(AccessList())
    private let connections = Mutex<[Int32: TrackedConnection]>([:])
    private let campaignProjects = Mutex<[String: String]>([:])
    let decisions = LogThrottle()

    struct TrackedConnection: Sendable {
        var publicKey: String
        var address: String
        var peer: PeerIdentity
    }

    /// Reads the allowlist from the store now; set once the store is open.
    private let reloader = Mutex<(@Sendable () -> AccessList?)?>(nil)
    private let lastReload = Mutex<ContinuousClock.Instant?>(nil)

    /// Refused attempts on the operator channel, for the audit table. Bounded: a flood keeps the newest.
    let refusedOperatorAttempts: AsyncStream<RefusedAttempt>
    let refusedOperatorAttemptsSink: AsyncStream<RefusedAttempt>.Continuation

    /// A connection to the control socket that the ZAP handler refused.
    struct RefusedAttempt: Sendable {
        var principal: String
        var role: String
        var arguments: String
        var reason: String
    }

    init(isSecure: Bool, logger: Logger) {
        self.isSecure = isSecure
        self.logger = logger
        (refusedOperatorAttempts, refusedOperatorAttemptsSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
    }

    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: - The allowlist

    /// Replaces the allowlist and disconnects every tracked connection whose key is no longer usable.
    func update(_ newList: AccessList) {
        let changed = list.withLock { current -> Bool in
            defer { current = newList }
            return current != newList
        }
        if changed { logger.info("allowlist loaded", metadata: ["keys": "\(newList.entries.count)"]) }
        disconnectWithdrawn()
    }

    var snapshot: AccessList { list.withLock { $0 } }

    func setReloader(_ reload: @escaping @Sendable () -> AccessList?) {
        reloader.withLock { $0 = reload }
    }

    /// Re-reads the allowlist at once (at most every 200 ms), so a key allowed a moment ago is
    /// admitted on its first handshake instead of after the next periodic refresh.
    func reloadSoon() -> AccessList {
        let now = ContinuousClock.now
        let due = lastReload.withLock { last -> Bool in
            if let last, now - last < .milliseconds(200) { return false }
            last = now
            return true
        }
        if due, let fresh = reloader.withLock({ $0 })?() {
            list.withLock { $0 = fresh }
            return fresh
        }
        return snapshot
    }

    /// Ends connections whose key was revoked, expired or removed since they authenticated.
    func disconnectWithdrawn() {
        guard isSecure else { return }
        let now = Self.nowMs
        let current = snapshot
        let withdrawn = connections.withLock { tracked -> [(Int32, TrackedConnection)] in
            let gone = tracked.filter { current.current(publicKey: $0.value.publicKey, atMs: now).isFailure }
            for (fd, _) in gone { tracked[fd] = nil }
            return Array(gone)
        }
        for (_, connection) in withdrawn {
            let reason = current.current(publicKey: connection.publicKey, atMs: now).failureDescription
            let principal = current[connection.publicKey]?.principal ?? "?"
            let done = connection.peer.disconnect(expectedAddress: connection.address)
            logger.notice("disconnected a peer whose key is withdrawn", metadata: [
                "principal": "\(principal)", "key": "\(AccessEntry.fingerprint(of: connection.publicKey))",
                "reason": "\(reason)", "address": "\(connection.address)", "done": "\(done)",
            ])
        }
    }

    /// Remembers which key a connection authenticated with, so a revocation can end it.
    func track(_ peer: PeerIdentity, publicKey: String) {
        guard peer.connection >= 0 else { return }
        let known = connections.withLock { $0[peer.connection]?.publicKey == publicKey }
        if known { return }
        guard let address = peer.address else { return }
        connections.withLock { $0[peer.connection] = TrackedConnection(publicKey: publicKey, address: address, peer: peer) }
    }

    // MARK: - Campaign scope

    func noteCampaign(_ campaignID: String, project: String) {
        campaignProjects.withLock { $0[campaignID] = project }
    }

    /// Whether `principal` may see or act on the campaign. Unknown campaigns are outside every limited scope.
    func covers(_ principal: Principal, campaignID: String) -> Bool {
        if principal.scope.isUnlimited { return true }
        guard let project = campaignProjects.withLock({ $0[campaignID] }) else { return false }
        return principal.scope.covers(campaignID: campaignID, project: project)
    }

    // MARK: - Per message

    /// The principal behind a message that arrived on `socket` from `peer`, claiming `sender`.
    /// A refusal says why; `disconnect` is true when the key itself may no longer be used.
    func principal(of peer: PeerIdentity, on socket: CoordinatorSocket, sender: String)
        -> Result<Principal, MessageRefusal> {
        guard isSecure else { return .success(.unauthenticated(sender: sender, socket: socket)) }
        guard let key = peer.userID else {
            return .failure(MessageRefusal(WireError(.unauthorized, "the connection is not authenticated"), disconnect: true))
        }
        let entry: AccessEntry
        switch snapshot.current(publicKey: key, atMs: Self.nowMs) {
        case .success(let found): entry = found
        case .failure(let refusal):
            // The next sweep (within half a second) ends the connection; the reply goes out first.
            track(peer, publicKey: key)
            return .failure(MessageRefusal(WireError(.unauthorized, "\(refusal)"), disconnect: false))
        }
        guard socket.admittedRoles.contains(entry.role) else {
            return .failure(MessageRefusal(WireError(.unauthorized, "role \(entry.role.rawValue) may not use the \(socket.rawValue) socket"),
                                           disconnect: true))
        }
        track(peer, publicKey: key)
        guard sender == entry.principal else {
            return .failure(MessageRefusal(
                WireError(.unauthorized, "sender '\(sender)' is not the authenticated principal '\(entry.principal)'"),
                disconnect: false))
        }
        return .success(Principal(entry))
    }

    /// Ends the connection a refused message came on (its key is unusable, or it sent too much bad
    /// input) if its descriptor still belongs to `address`, the connection's address as first seen
    /// (`Refusals.origin`): if the descriptor was reused since, it no longer matches.
    @discardableResult
    func disconnect(_ peer: PeerIdentity, at address: String?) -> Bool {
        guard let address else { return false }
        connections.withLock { _ = $0.removeValue(forKey: peer.connection) }
        return peer.disconnect(expectedAddress: address)
    }
}

/// A message refused at the edge, and whether its connection should be ended.
struct MessageRefusal: Error, Sendable {
    var error: WireError
    var disconnect: Bool

    init(_ error: WireError, disconnect: Bool) {
        self.error = error
        self.disconnect = disconnect
    }
}

extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }

    var failureDescription: String {
        if case .failure(let error) = self { return "\(error)" }
        return ""
    }
}
