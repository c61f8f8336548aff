import LabLoopProtocol
import Synchronization

/// Keeps one peer's messages behind its hello while letting different peers' hellos run at once.
///
/// A hello registers the session; a message its sender sends right after must find it registered,
/// so it waits for that hello (and a second hello waits for the first). Hellos of different peers
/// need no order among themselves: handled together they share group commits, which is what lets a
/// thousand agents re-register quickly after a restart.
final class PeerOrder: Sendable {
    /// One hello being handled: done once its handler returned.
    final class Turn: Sendable {
        private let state = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool in
                    if !state.done { state.waiters.append(continuation) }
                    return state.done
                }
                if done { continuation.resume() }
            }
        }

        fileprivate func finish() {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// The latest hello of each peer still being handled, by `key(of:)`.
    private let latest = Mutex<[String: Turn]>([:])

    /// Who a message is from for ordering: its socket and claimed sender, so a hello that arrives on a
    /// new connection (an agent that reconnected) also waits for one still being handled on the old one.
    static func key(of message: InboundMessage) -> String {
        "\(message.role.rawValue)/\(message.envelope.sender)"
    }

    /// A hello arrived from `peer`: its turn, and the turn it must wait for first (nil: none).
    func hello(from peer: String) -> (turn: Turn, after: Turn?) {
        let turn = Turn()
        let previous = latest.withLock { latest in
            defer { latest[peer] = turn }
            return latest[peer]
        }
        return (turn, previous)
    }

    /// The hello handler of `turn` returned.
    func finished(_ turn: Turn, of peer: String) {
        latest.withLock { latest in
            if latest[peer] === turn { latest[peer] = nil }
        }
        turn.finish()
    }

    /// What another message from `peer` must wait for: its latest hello still being handled, if any.
    func pending(from peer: String) -> Turn? {
        latest.withLock { $0[peer] }
    }
}
