internal import CZeroMQ
public import Foundation
import Synchronization

/// A dedicated thread that owns a set of ZeroMQ sockets.
///
/// Sockets are created, polled, used and closed only on that thread. Other code talks to it
/// through two bounded queues: `send(_:on:)` enqueues outgoing messages (never blocks; returns
/// false when the queue is full), and `inbound` yields what arrives. When the consumer falls
/// behind by `inboundLimit` messages the loop stops reading, so libzmq's high-water marks push
/// back on the peers instead of memory growing without bound.
public final class SocketLoop: Sendable {
    public enum Inbound: Sendable {
        /// A message arrived on socket `socket` (an index into the specs).
        case message(socket: Int, frames: [Data], peer: PeerIdentity)
        /// A message could not be sent: e.g. a ROUTER had no peer with that routing id.
        case undeliverable(socket: Int, frames: [Data], error: ZMQError)
        /// The server refused a CURVE handshake (`status` is the ZAP code, e.g. 400, or 0 when not
        /// told). The loop connects again after the socket's reconnect interval.
        case handshakeRefused(socket: Int, status: Int)
        /// After a refused handshake the loop connected again. Messages queued on the refused
        /// connection were lost with it: requests still waiting for a reply must be sent again.
        case reconnected(socket: Int)
    }

    public struct Outgoing: Sendable {
        public var socket: Int
        public var frames: [Data]
        public init(socket: Int, frames: [Data]) {
            self.socket = socket
            self.frames = frames
        }
    }

    /// The endpoints the sockets were bound or connected to, with wildcard ports resolved.
    public let endpoints: [String]
    public let name: String
    private let outbox: Mutex<Outbox>
    private let outboxLimit: Int
    private let wake: WakeSignal
    private let stopping = Atomic<Bool>(false)
    private let credit = InboundCredit()
    private let inboundLimit: Int
    private let stream: AsyncStream<Inbound>
    private let finished: Mutex<[CheckedContinuation<Void, Never>]>
    private let done = Atomic<Bool>(false)
    public let counters = Counters()

    /// Figures for metrics and tests.
    public final class Counters: Sendable {
        let sent = Atomic<Int>(0)
        let received = Atomic<Int>(0)
        let outboxFull = Atomic<Int>(0)
        let undeliverable = Atomic<Int>(0)
        init() {}

        public var messagesSent: Int { sent.load(ordering: .relaxed) }
        public var messagesReceived: Int { received.load(ordering: .relaxed) }
        /// Sends refused because the outbox was full.
        public var outboxRejections: Int { outboxFull.load(ordering: .relaxed) }
        /// Sends libzmq refused, e.g. to a ROUTER peer that is gone.
        public var undeliverableMessages: Int { undeliverable.load(ordering: .relaxed) }
    }

    /// Messages not yet handed to libzmq: those queued by `send` and those the thread holds
    /// because their socket would block. Both count against `outboxLimit`.
    private struct Outbox {
        var queue: [Outgoing] = []
        var held = 0
    }

    private init(name: String, endpoints: [String], outboxLimit: Int, inboundLimit: Int,
                 wake: WakeSignal, stream: AsyncStream<Inbound>) {
        self.name = name
        self.endpoints = endpoints
        self.outbox = Mutex(Outbox())
        self.outboxLimit = outboxLimit
        self.inboundLimit = inboundLimit
        self.wake = wake
        self.stream = stream
        self.finished = Mutex([])
    }

    /// Starts the thread, creates and attaches every socket on it, and returns once all are ready.
    public static func start(name: String, context: ZMQContext, sockets specs: [SocketSpec],
                             outboxLimit: Int = 100_000, inboundLimit: Int = 10_000) async throws -> SocketLoop {
        let wake = try WakeSignal()
        let (stream, continuation) = AsyncStream<Inbound>.makeStream()
        return try await withCheckedThrowingContinuation { (ready: CheckedContinuation<SocketLoop, any Error>) in
            let thread = Thread {
                var sockets: [ZMQSocket] = []
                var endpoints: [String] = []
                var watches: [HandshakeWatch] = []
                do {
                    for (index, spec) in specs.enumerated() {
                        let socket = try ZMQSocket(context: context, type: spec.type, options: spec.options)
                        sockets.append(socket)
                        switch spec.attachment {
                        case .bind(let endpoint):
                            try socket.bind(endpoint)
                            endpoints.append(socket.lastEndpoint)
                        case .connect(let endpoint):
                            if case .client? = spec.options.curve {
                                // Before connecting, so no handshake outcome is missed.
                                watches.append(try HandshakeWatch(socket: socket, index: index, endpoint: endpoint,
                                                                  context: context, options: spec.options))
                            }
                            try socket.connect(endpoint)
                            endpoints.append(endpoint)
                        }
                    }
                } catch {
                    watches.forEach { $0.close() }
                    sockets.forEach { $0.close() }
                    wake.close()
                    continuation.finish()
                    ready.resume(throwing: error)
                    return
                }
                let loop = SocketLoop(name: name, endpoints: endpoints, outboxLimit: outboxLimit,
                                      inboundLimit: inboundLimit, wake: wake, stream: stream)
                ready.resume(returning: loop)
                loop.run(sockets: sockets, screens: specs.map(\.screen), needCredit: specs.map(\.needsCredit),
                         watches: watches, continuation: continuation)
            }
            thread.name = "zmq-\(name)"
            thread.start()
        }
    }

    /// Messages received, in arrival order per socket. Iterate it from one task.
    public var inbound: InboundSequence { InboundSequence(base: stream, credit: credit, wake: wake, limit: inboundLimit) }

    /// Queues a message for sending. Returns false (and counts it) when the outbox is full or the loop stopped.
    @discardableResult
    public func send(_ frames: [Data], on socket: Int) -> Bool {
        if stopping.load(ordering: .relaxed) { return false }
        // Only the first message into an empty queue wakes the thread: it takes the whole queue when
        // it wakes, under the same lock, so later ones ride along (one system call per batch, not per message).
        let (accepted, wakeNeeded) = outbox.withLock { outbox -> (Bool, Bool) in
            guard outbox.queue.count + outbox.held < outboxLimit else { return (false, false) }
            outbox.queue.append(Outgoing(socket: socket, frames: frames))
            return (true, outbox.queue.count == 1)
        }
        if wakeNeeded { wake.signal() }
        if !accepted { counters.outboxFull.add(1, ordering: .relaxed) }
        return accepted
    }

    /// Messages still waiting to be handed to libzmq.
    public var outboxDepth: Int { outbox.withLock { $0.queue.count + $0.held } }

    /// Flushes what is queued (bounded by each socket's linger), closes the sockets and ends the thread.
    public func shutdown() async {
        if done.load(ordering: .acquiring) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyDone = finished.withLock { waiters -> Bool in
                if done.load(ordering: .acquiring) { return true }
                waiters.append(continuation)
                return false
            }
            stopping.store(true, ordering: .releasing)
            wake.signal()
            if alreadyDone { continuation.resume() }
        }
    }

    // MARK: - The thread

    private func run(sockets: [ZMQSocket], screens: [Screen?], needCredit: [Bool], watches: [HandshakeWatch],
                     continuation: AsyncStream<Inbound>.Continuation) {
        var pending: [Outgoing] = []
        var addresses = Addresses()
        var items = [zmq_pollitem_t](repeating: zmq_pollitem_t(), count: sockets.count + 1 + watches.count)
        for (index, socket) in sockets.enumerated() {
            items[index].socket = socket.pollHandle
        }
        items[sockets.count].fd = wake.fd
        items[sockets.count].events = Int16(ZMQ_POLLIN)
        for (offset, watch) in watches.enumerated() {
            items[sockets.count + 1 + offset].socket = watch.monitor.pollHandle
            items[sockets.count + 1 + offset].events = Int16(ZMQ_POLLIN)
        }

        while true {
            pending.append(contentsOf: outbox.withLock { outbox in
                outbox.held += outbox.queue.count
                defer { outbox.queue.removeAll(keepingCapacity: true) }
                return outbox.queue
            })
            pending = flush(pending, sockets: sockets, continuation: continuation)
            outbox.withLock { $0.held = pending.count }
            if stopping.load(ordering: .acquiring) { break }

            let reading = credit.unread.load(ordering: .relaxed) < inboundLimit
            for index in sockets.indices {
                // A socket whose screen answers everything on this thread needs no inbound credit.
                let readable = sockets[index].type != .pub && (reading || !needCredit[index])
                items[index].events = readable ? Int16(ZMQ_POLLIN) : 0
                items[index].revents = 0
            }
            for index in sockets.count..<items.count { items[index].revents = 0 }
            // Retry a backlog soon; otherwise sleep until a socket or the wake signal fires.
            var timeout = pending.isEmpty && reading ? 1_000 : 5
            let now = ContinuousClock.now
            for watch in watches {
                guard let due = watch.retryAt else { continue }
                let wait = due - now
                timeout = min(timeout, max(0, Int(wait.components.seconds * 1_000 + wait.components.attoseconds / 1_000_000_000_000_000)))
            }
            let ready = zmq_poll(&items, Int32(items.count), timeout)
            if ready < 0 {
                let error = ZMQError.last("zmq_poll")
                if error.isInterrupted { continue }
                break
            }
            if items[sockets.count].revents != 0 { wake.drain() }
            for index in sockets.indices where items[index].revents & Int16(ZMQ_POLLIN) != 0 {
                receiveAll(from: sockets[index], index: index, screen: screens[index], needsCredit: needCredit[index],
                           addresses: &addresses, continuation: continuation)
            }
            for (offset, watch) in watches.enumerated() {
                if items[sockets.count + 1 + offset].revents != 0 {
                    for status in watch.drain() {
                        continuation.yield(.handshakeRefused(socket: watch.socketIndex, status: status))
                    }
                }
                if watch.retryIfDue(sockets[watch.socketIndex], now: .now) {
                    continuation.yield(.reconnected(socket: watch.socketIndex))
                }
            }
        }
        watches.forEach { $0.close() }
        sockets.forEach { $0.close() }
        wake.close()
        continuation.finish()
        let waiters = finished.withLock { waiters in
            done.store(true, ordering: .releasing)
            defer { waiters = [] }
            return waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Sends what it can; returns what must wait for the peer's queue to drain.
    private func flush(_ pending: [Outgoing], sockets: [ZMQSocket],
                       continuation: AsyncStream<Inbound>.Continuation) -> [Outgoing] {
        var blocked: [Outgoing] = []
        var blockedSockets = Set<Int>()
        for message in pending {
            // Keep per-socket order: once one message on a socket waits, later ones wait behind it.
            if blockedSockets.contains(message.socket) {
                blocked.append(message)
                continue
            }
            do {
                if try sockets[message.socket].send(message.frames) {
                    counters.sent.add(1, ordering: .relaxed)
                } else {
                    blocked.append(message)
                    blockedSockets.insert(message.socket)
                }
            } catch {
                counters.undeliverable.add(1, ordering: .relaxed)
                continuation.yield(.undeliverable(socket: message.socket, frames: message.frames, error: error))
            }
        }
        return blocked
    }

    /// Each ROUTER connection's remote address, by routing id, as read with its first message. A routing
    /// id libzmq generated (five bytes starting with a zero byte, which peers may not choose) is never
    /// reused on a socket, so the address holds for the connection's life, and the two system calls it
    /// takes are paid once per connection instead of once per message. A routing id a peer chose may
    /// come back on a new connection, so its address is read with every message.
    private struct Addresses {
        var byRoutingID: [Int: [Data: String]] = [:]
        var count = 0
        static let limit = 50_000

        mutating func address(of peer: PeerIdentity, socket: Int, routingID: Data?) -> String? {
            guard let routingID, routingID.count == 5, routingID.first == 0 else { return peer.remoteAddress() }
            if let known = byRoutingID[socket]?[routingID] { return known }
            guard let address = peer.remoteAddress() else { return nil }
            if count >= Self.limit {  // connections come and go: start over rather than grow for ever
                byRoutingID = [:]
                count = 0
            }
            byRoutingID[socket, default: [:]][routingID] = address
            count += 1
            return address
        }
    }

    private func receiveAll(from socket: ZMQSocket, index: Int, screen: Screen?, needsCredit: Bool,
                            addresses: inout Addresses, continuation: AsyncStream<Inbound>.Continuation) {
        // Bounded batch so one busy socket cannot starve the others or the outbox. A socket whose
        // screen answers everything itself is read even when the consumer is behind.
        for _ in 0..<256 {
            let screening: Screening
            let frames: [Data]
            var peer: PeerIdentity
            do {
                if needsCredit, credit.unread.load(ordering: .relaxed) >= inboundLimit { return }
                guard let message = try socket.receive() else { return }
                (frames, peer) = message
                peer.address = addresses.address(of: peer, socket: index, routingID: socket.type == .router ? frames.first : nil)
                counters.received.add(1, ordering: .relaxed)
                screening = screen?(frames, peer) ?? .deliver
                switch screening {
                case .deliver:
                    credit.unread.add(1, ordering: .relaxed)
                    continuation.yield(.message(socket: index, frames: frames, peer: peer))
                case .drop:
                    break
                case .reply(let reply):
                    if try socket.send(reply) { counters.sent.add(1, ordering: .relaxed) }
                case .subscribe(let topic):
                    try socket.setOption(ZMQ_SUBSCRIBE, bytes: topic)
                case .unsubscribe(let topic):
                    try socket.setOption(ZMQ_UNSUBSCRIBE, bytes: topic)
                }
            } catch {
                return
            }
        }
    }
}

/// A socket's screen, as given in its `SocketSpec`.
typealias Screen = @Sendable (_ frames: [Data], _ peer: PeerIdentity) -> Screening
