import Foundation
import LabLoopProtocol
import Logging
import Synchronization
import ZeroMQ

/// Bad input from peers: counted per reason, logged at most once per peer per interval (with the
/// number suppressed meanwhile), and a peer refused too often within one interval is disconnected.
final class Refusals: Sendable {
    /// The failure rules, documented in `Docs/reliability.md` and `Docs/protocol.md`.
    struct Rules: Sendable {
        /// The window for log throttling and for counting a peer's refusals.
        var interval: Duration = .seconds(10)
        /// A peer refused this many times within one interval is disconnected; its count starts again.
        var disconnectAfter = 100
    }

    /// What an operator reads: refusals per reason, and how many connections were ended.
    struct Counts: Sendable, Equatable {
        var byReason: [String: Int] = [:]
        var disconnects = 0
        var total: Int { byReason.values.reduce(0, +) }
    }

    private struct Window {
        var start: ContinuousClock.Instant
        var refused: Int
    }

    let rules: Rules
    private let logger: Logger
    private let counts = Mutex(Counts())
    private let windows = Mutex<[String: Window]>([:])
    /// Where each refused connection (socket and routing id) was when first refused: see `origin`.
    private let origins = Mutex<[Origin: (address: String?, since: ContinuousClock.Instant)]>([:])

    private struct Origin: Hashable {
        var socket: Int
        var routingID: Data
    }
    private let throttle: LogThrottle

    init(rules: Rules = Rules(), logger: Logger) {
        self.rules = rules
        self.logger = logger
        throttle = LogThrottle(interval: rules.interval)
    }

    var snapshot: Counts { counts.withLock { $0 } }

    /// The metric name of a reason: the error code without its prefix, e.g. `malformed`.
    static func reasonName(_ code: Labloop_V1_ErrorCode) -> String {
        switch code {
        case .malformed: "malformed"
        case .unsupportedVersion: "unsupported_version"
        case .notRegistered: "not_registered"
        case .wrongRole: "wrong_role"
        case .unknownID: "unknown_id"
        case .invalidValue: "invalid_value"
        case .conflict: "conflict"
        case .invalidState: "invalid_state"
        case .unavailable: "unavailable"
        case .unauthorized: "unauthorized"
        case .unspecified, .UNRECOGNIZED: "other"
        }
    }

    /// Records one refusal of a message from `peer` (named `who` in the log) and returns true when
    /// the peer has now been refused `disconnectAfter` times within the interval.
    func record(_ reason: String, detail: String, role: Role, peer: PeerIdentity, who: String) -> Bool {
        counts.withLock { $0.byReason[reason, default: 0] += 1 }
        let key = Self.peerKey(peer, who: who)
        throttle.log(key: key) { suppressed in
            logger.notice("refused a message", metadata: [
                "peer": "\(who)", "socket": "\(role)", "reason": "\(reason)", "detail": "\(detail)",
                "alsoRefusedSinceLastLog": "\(suppressed)",
            ])
        }
        let now = ContinuousClock.now
        let interval = rules.interval
        let limit = rules.disconnectAfter
        return windows.withLock { windows in
            if windows.count >= 10_000 { windows = windows.filter { now - $0.value.start < interval } }
            var window = windows[key] ?? Window(start: now, refused: 0)
            if now - window.start >= interval { window = Window(start: now, refused: 0) }
            window.refused += 1
            let due = window.refused >= limit
            if due { window = Window(start: now, refused: 0) }
            windows[key] = window
            return due
        }
    }

    /// The TCP address of the connection `routingID` came from, as read with its first refused message.
    ///
    /// A connection keeps its address for life, but its messages may still be read after the
    /// coordinator cut it and libzmq gave its descriptor to a new connection; the address read with
    /// such a late message is then the new peer's, and must not be used to cut it. An entry lives two
    /// intervals from its first refusal or its last disconnect.
    func origin(of peer: PeerIdentity, routingID: Data, on role: Role) -> String? {
        let now = ContinuousClock.now, lifetime = rules.interval * 2
        return origins.withLock { origins in
            if origins.count >= 10_000 { origins = origins.filter { now - $0.value.since < lifetime } }
            let key = Origin(socket: role.rawValue, routingID: routingID)
            if let known = origins[key], now - known.since < lifetime { return known.address }
            origins[key] = (peer.address, now)
            return peer.address
        }
    }

    /// The connection `routingID` was cut: its late messages keep pointing at its old address.
    func disconnected(routingID: Data, on role: Role) {
        let now = ContinuousClock.now
        origins.withLock { origins in
            let key = Origin(socket: role.rawValue, routingID: routingID)
            if let known = origins[key] { origins[key] = (known.address, now) }
        }
    }

    func noteDisconnect(who: String, role: Role, peer: PeerIdentity, done: Bool) {
        counts.withLock { $0.disconnects += 1 }
        throttle.log(key: "disconnect " + Self.peerKey(peer, who: who)) { suppressed in
            logger.warning("disconnected a peer that sent too much bad input", metadata: [
                "peer": "\(who)", "socket": "\(role)", "done": "\(done)", "alsoDisconnectedSinceLastLog": "\(suppressed)",
                "rule": "\(rules.disconnectAfter) refusals within \(rules.interval)",
            ])
        }
    }

    /// A peer is its authenticated key when there is one, else its connection.
    private static func peerKey(_ peer: PeerIdentity, who: String) -> String {
        if let key = peer.userID { return "key \(key)" }
        return peer.connection >= 0 ? "connection \(peer.connection)" : "sender \(who)"
    }
}
