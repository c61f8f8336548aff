import Foundation
import Synchronization

/// The registered agent and model sessions as the gateway's thread sees them, so it can answer their
/// heartbeats itself (`HeartbeatFastPath`): by socket and routing id, the id the session registered,
/// and when such a heartbeat last arrived.
///
/// `InstrumentRegistry` and `ModelDirectory` own the sessions: they add an entry when a hello
/// registers one and remove it when the session ends, is lost or is replaced, and take the sightings
/// into their own last-seen times before they sweep for silent peers or report them.
final class SessionTable: Sendable {
    /// When a fast-path heartbeat last arrived from a session.
    struct Sighting: Sendable {
        var instant: ContinuousClock.Instant
        var unixMs: Int64
    }

    private struct Key: Hashable {
        var role: Role
        var routingID: Data
    }

    private struct State {
        /// The registered id on each connection.
        var senders: [Key: String] = [:]
        /// Sightings not yet taken, per socket, by routing id.
        var sightings: [Role: [Data: Sighting]] = [:]
        /// After `close()` no heartbeat is answered here.
        var closed = false
    }

    private let state = Mutex(State())

    /// A hello registered `sender` on the connection `routingID` of `role`'s socket.
    func register(_ sender: String, routingID: Data, on role: Role) {
        state.withLock { state in
            state.senders[Key(role: role, routingID: routingID)] = sender
            state.sightings[role]?[routingID] = nil
        }
    }

    /// The session on `routingID` ended: its heartbeats go the normal way again (and are refused there).
    func remove(routingID: Data, on role: Role) {
        state.withLock { state in
            state.senders[Key(role: role, routingID: routingID)] = nil
            state.sightings[role]?[routingID] = nil
        }
    }

    /// A heartbeat from `sender` on `routingID`: records it and returns true when that connection's
    /// registered session is `sender`'s.
    func sighted(routingID: Data, on role: Role, sender: String) -> Bool {
        let now = Sighting(instant: .now, unixMs: Int64(Date().timeIntervalSince1970 * 1000))
        return state.withLock { state in
            guard !state.closed, state.senders[Key(role: role, routingID: routingID)] == sender else { return false }
            state.sightings[role, default: [:]][routingID] = now
            return true
        }
    }

    /// The sightings on `role`'s socket since the last call, by routing id.
    func takeSightings(on role: Role) -> [Data: Sighting] {
        state.withLock { $0.sightings.removeValue(forKey: role) ?? [:] }
    }

    /// Shutting down: heartbeats are no longer answered here (the coordinator leaves messages unanswered).
    func close() {
        state.withLock { $0.closed = true }
    }
}
